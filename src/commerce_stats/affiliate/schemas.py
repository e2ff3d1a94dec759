"""Wire formats of the affiliate admin API (the public surfaces are plain text, files and JSON)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field

from commerce_stats.affiliate.errors import RowError
from commerce_stats.affiliate.rules import MAX_ID
from commerce_stats.affiliate.upload import Counts
from commerce_stats.kit.text import StorableTextModel


class AdvertiserIn(StorableTextModel):
    name: str = Field(max_length=200)


class CampaignIn(StorableTextModel):
    advertiser_id: int = Field(ge=1, le=MAX_ID)
    title: str = Field(max_length=200)
    target_url: str = Field(
        max_length=2000, description="Landing page; clicks add emid=<click id>."
    )
    currency: str = Field(default="EUR", description="ISO 4217 code of every amount.")


class TriggerIn(StorableTextModel):
    title: str = Field(max_length=200, description="Sale, Neukunde, Newsletter, ...")


class RateIn(StorableTextModel):
    trigger_id: int = Field(ge=1, le=MAX_ID)
    trigger_type: str = Field(description="lead_fixed | sale_fixed | lead_dynamic | sale_dynamic")
    trigger_value: Decimal = Field(
        description="Fixed amount in the campaign currency, or percent of turnover (dynamic)."
    )


class GroupIn(StorableTextModel):
    title: str = Field(max_length=200, description="Standard, Premium, ...")
    default: bool = Field(
        default=False,
        description="Publishers without a group of their own in this campaign use this one.",
    )
    triggers: list[RateIn] = Field(default_factory=list)


class PublisherIn(StorableTextModel):
    prename: str = Field(default="", max_length=200, description="First name.")
    surname: str = Field(default="", max_length=200, description="Last name.")
    searchtitle: str = Field(default="", max_length=200)


class ProjectIn(StorableTextModel):
    title: str = Field(max_length=200)


class MembershipIn(StorableTextModel):
    group_id: int = Field(ge=1, le=MAX_ID)


class CancelIn(StorableTextModel):
    cancel_reason: str = Field(default="", max_length=2000)


class PartialCancelIn(StorableTextModel):
    turnover: str = Field(description='The new, lower net basket value, e.g. "80.00".')


class PayoutIn(StorableTextModel):
    publisher_id: int = Field(ge=1, le=MAX_ID)


def plain(data: Any) -> Any:
    """JSON-ready data; decimals stay exact as strings, times as ISO 8601."""
    return jsonable_encoder(data, custom_encoder={Decimal: str})


def upload_counts(counts: Counts) -> dict[str, Any]:
    return {
        "status": "ok",
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
    }


def upload_errors(message: str, rows: list[RowError]) -> dict[str, Any]:
    return {
        "status": "error",
        "message": message,
        "errors": [{"row": row.row, "column": row.column, "reason": row.reason} for row in rows],
    }


class UploadCountsOut(BaseModel):
    """A successful upload: every row applied."""

    status: str = Field(examples=["ok"])
    created: int
    updated: int
    unchanged: int


class RowErrorOut(BaseModel):
    row: int = Field(description="Line of the file (the header is row 1); position in JSON.")
    column: str
    reason: str


class UploadErrorOut(BaseModel):
    """A refused upload: nothing was applied."""

    status: str = Field(examples=["error"])
    message: str
    errors: list[RowErrorOut] = Field(default_factory=list)


def _text(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}


PLAIN_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _text("A parameter or filter is missing or invalid (the body names it)"),
    403: _text("NO PERMISSION: wrong token, or the token does not own this link"),
    404: _text("Unknown campaign, click, trigger or report"),
    500: _text("Internal error"),
    503: _text("Shutting down"),
}
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report, streamed",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.ms-excel": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                "schema": {"type": "string", "format": "binary"}
            },
            "application/xml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    },
    **PLAIN_ERRORS,
    429: _text("Too many refused links from this address; Retry-After says when to retry"),
}
CLICK_RESPONSES: dict[int | str, dict[str, Any]] = {
    302: {"description": "To the campaign's target URL with emid=<click id>"},
    **PLAIN_ERRORS,
}
UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": UploadErrorOut, "description": "Missing or malformed field"},
    403: _text("NO PERMISSION: wrong login id or token"),
    413: {"model": UploadErrorOut, "description": "Larger than the upload limit"},
    429: {
        "model": UploadErrorOut,
        "description": "Too many refused logins for this login id or address (Retry-After)",
    },
    422: {"model": UploadErrorOut, "description": "Invalid rows; nothing was applied"},
    500: {"model": UploadErrorOut, "description": "Internal error"},
}
LIFECYCLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: {"description": "The lifecycle forbids this change (paid and canceled are final)"},
}
