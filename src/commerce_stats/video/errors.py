"""The error type of the video surface (``/prod/...``), rendered as the seed API's envelope."""

from __future__ import annotations

from commerce_stats.kit.errors import ServiceError


class VideoError(ServiceError):
    """A refused ``/prod`` request: ``{"status": "error", "message": ...}`` with ``status``.

    ``problems`` lists (index, reason) of each rejected event of an ingest batch.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "invalid_request",
        field: str | None = None,
        problems: list[tuple[int, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code, field=field, headers=headers)
        self.problems = problems or []


class ShardUnavailableError(Exception):
    """A ClickHouse shard holding video counters did not answer (``shard`` is 1-based).

    Ingest refuses new events while it lasts; what was acknowledged waits in the outbox.
    """

    def __init__(self, shard: int) -> None:
        super().__init__(f"ClickHouse shard {shard} is unavailable")
        self.shard = shard
