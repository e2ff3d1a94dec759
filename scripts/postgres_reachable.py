"""Exit 0 when the test PostgreSQL server answers, 1 otherwise (used by `make test`)."""

from __future__ import annotations

import os
import sys

from sqlalchemy import create_engine, text

URL = os.environ.get(
    "COMMERCE_STATS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def main() -> int:
    engine = create_engine(URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        print(f"PostgreSQL at {engine.url!r} is not reachable: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
