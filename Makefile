# commerce-stats — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := .venv/bin

.PHONY: run test env lint types test-sqlite test-postgres test-replica test-clickhouse check-migrations bench soak audit clean

## Environment: a private uv (pinned) builds .venv from the committed uv.lock.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

env: .venv/.synced

## Serve on http://127.0.0.1:8000 with demo data loaded on the first start.
## Another port: `PORT=8765 make run` (or COMMERCE_STATS_PORT=8765).
run: env
	COMMERCE_STATS_DEMO_ON_FIRST_START=true $(BIN)/commerce-stats serve $(if $(PORT),--port $(PORT))

## The whole suite: lint, types, migrations, tests on SQLite and on PostgreSQL, the read
## replica leg and the ClickHouse leg.
test: env lint types check-migrations test-sqlite test-postgres test-replica test-clickhouse

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types: env
	$(BIN)/mypy

check-migrations: env
	$(BIN)/python scripts/check_migrations.py

test-sqlite: env
	COMMERCE_STATS_TEST_BACKEND=sqlite $(BIN)/pytest

test-postgres: env
	@if $(BIN)/python scripts/postgres_reachable.py; then \
		COMMERCE_STATS_TEST_BACKEND=postgresql $(BIN)/pytest; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "PostgreSQL is required in CI but is not reachable" >&2; exit 1; \
	else \
		echo "NOTE: PostgreSQL not reachable; the PostgreSQL leg was not run (see docs/operations.md)."; \
	fi

## The video ClickHouse leg against the two-shard cluster of scripts/clickhouse_cluster.sh
## (`scripts/clickhouse_cluster.sh start` brings it up); in CI a cluster that is down fails.
CLICKHOUSE_TESTS := tests/video/test_clickhouse_store.py tests/video/test_clickhouse_outbox.py \
	tests/video/test_clickhouse_backfill.py tests/video/test_cli_clickhouse.py
test-clickhouse: env
	@if scripts/clickhouse_cluster.sh status >/dev/null 2>&1; then \
		export COMMERCE_STATS_TEST_CLICKHOUSE_URL=$$(scripts/clickhouse_cluster.sh url); \
		COMMERCE_STATS_TEST_BACKEND=sqlite $(BIN)/pytest -q $(CLICKHOUSE_TESTS) && \
		if $(BIN)/python scripts/postgres_reachable.py; then \
			COMMERCE_STATS_TEST_BACKEND=postgresql $(BIN)/pytest -q $(CLICKHOUSE_TESTS); \
		fi; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "the ClickHouse cluster is required in CI but is not up (scripts/clickhouse_cluster.sh status)" >&2; exit 1; \
	else \
		echo "NOTE: ClickHouse cluster not up; the ClickHouse leg was not run (scripts/clickhouse_cluster.sh start)."; \
	fi

## The read-replica leg, against a PostgreSQL primary and its hot standby on this machine
## (`scripts/replica_pair.sh start` starts them: ports 5433 and 5434, see docs/scaling.md).
REPLICA_TESTS := tests/db/test_replicas.py
test-replica: env
	@primary="$${COMMERCE_STATS_TEST_PRIMARY_URL:-postgresql+psycopg://postgres@127.0.0.1:5433/postgres}"; \
	standby="$${COMMERCE_STATS_TEST_REPLICA_URL:-postgresql+psycopg://postgres@127.0.0.1:5434/postgres}"; \
	if COMMERCE_STATS_TEST_POSTGRES_URL="$$primary" $(BIN)/python scripts/postgres_reachable.py && \
		COMMERCE_STATS_TEST_POSTGRES_URL="$$standby" $(BIN)/python scripts/postgres_reachable.py; then \
		COMMERCE_STATS_TEST_PRIMARY_URL="$$primary" COMMERCE_STATS_TEST_REPLICA_URL="$$standby" \
			COMMERCE_STATS_TEST_BACKEND=postgresql $(BIN)/pytest $(REPLICA_TESTS); \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "The PostgreSQL primary/standby pair is required in CI but is not reachable" >&2; exit 1; \
	else \
		echo "NOTE: the PostgreSQL primary/standby pair is not reachable; the replica leg was not run (scripts/replica_pair.sh start)."; \
	fi

## Long reliability runs (docs/reliability.md): repeated crash/restart rounds on both
## backends, then the 60-second mixed load on SQLite and on PostgreSQL.
SOAK_ROUNDS ?= 10
SOAK_SECONDS ?= 60
soak: env
	@echo "soak: $$(date -u '+%Y-%m-%d %H:%M UTC'), commit $$(git rev-parse --short HEAD 2>/dev/null || echo unknown), $$(nproc) cores, load:$$(uptime | sed 's/.*load average://')"
	CRASH_ROUNDS=$(SOAK_ROUNDS) COMMERCE_STATS_TEST_BACKEND=sqlite $(BIN)/pytest -q -s tests/test_crash_safety.py
	@if $(BIN)/python scripts/postgres_reachable.py; then \
		CRASH_ROUNDS=$(SOAK_ROUNDS) COMMERCE_STATS_TEST_BACKEND=postgresql $(BIN)/pytest -q -s tests/test_crash_safety.py; \
	fi
	@echo "load before the mixed load:$$(uptime | sed 's/.*load average://')"
	$(BIN)/python bench/load_mixed.py sqlite $(SOAK_SECONDS)
	@echo "load after:$$(uptime | sed 's/.*load average://')"
	@if $(BIN)/python scripts/postgres_reachable.py; then \
		echo "load before the mixed load:$$(uptime | sed 's/.*load average://')"; \
		$(BIN)/python bench/load_mixed.py postgresql $(SOAK_SECONDS); \
		echo "load after:$$(uptime | sed 's/.*load average://')"; \
	fi

## Known vulnerabilities in the locked dependencies. Needs the vulnerability service
## (PyPI JSON API / OSV) to be reachable; not part of `make test` (docs/reliability.md).
audit: env
	$(UV) export --frozen --no-hashes --no-emit-project --format requirements-txt > .venv/audit-requirements.txt
	$(BIN)/pip-audit --strict --disable-pip --no-deps -r .venv/audit-requirements.txt

clean:
	rm -rf .venv $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
