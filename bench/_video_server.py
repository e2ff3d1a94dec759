"""The app for the video benchmarks: the real application plus ``GET /bench/noop``.

The no-op route is the baseline of the beacon benchmark: same server, same
process, no work. Run as ``python bench/_video_server.py PORT`` (settings from env).
"""

from __future__ import annotations

import sys

import uvicorn
from fastapi import Response

from commerce_stats.app import create_app
from commerce_stats.config import Settings


def main() -> None:
    app = create_app(Settings())

    @app.get("/bench/noop")
    async def noop() -> Response:
        return Response(b"", media_type="text/plain")

    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(sys.argv[1]),
        log_level="warning",
        access_log=False,
        loop="uvloop",
        http="httptools",
    )


if __name__ == "__main__":
    main()
