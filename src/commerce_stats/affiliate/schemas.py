"""Wire formats of the affiliate admin API (the public surfaces are plain text, files and JSON)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, PlainSerializer

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
    postview_window_hours: int = Field(
        default=0,
        description="A conversion without a click is credited to a view this many hours old "
        "at most (0 to 720; 0 = no postview attribution).",
    )


class CampaignPatch(BaseModel):
    postview_window_hours: int = Field(description="0 to 720; 0 = no postview attribution.")


class AdmediaIn(StorableTextModel):
    title: str = Field(max_length=200)
    kind: str = Field(description="banner | textlink | productfeed | html | video | email")
    target_url: str = Field(
        default="", max_length=2000, description="Landing page; empty = the campaign's."
    )


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


Moment = Annotated[datetime, PlainSerializer(datetime.isoformat, return_type=str)]
"""A UTC time in ISO 8601 with its ``+00:00`` offset."""


class AdvertiserOut(BaseModel):
    id: int
    name: str
    created_at: Moment


class CampaignOut(BaseModel):
    id: int
    advertiser_id: int
    title: str
    target_url: str
    currency: str
    default_group_id: int | None
    created_at: Moment
    postview_window_hours: int


class AdmediaOut(BaseModel):
    id: int
    campaign_id: int
    title: str
    kind: str
    target_url: str
    created_at: Moment


class TriggerOut(BaseModel):
    id: int
    campaign_id: int
    title: str


class RateOut(BaseModel):
    trigger_id: int
    trigger_type: str
    trigger_value: Decimal = Field(description="Exact, as a string: an amount or a percentage.")


class RatesOut(BaseModel):
    rates: list[RateOut]


class GroupOut(BaseModel):
    id: int
    campaign_id: int
    title: str
    rates: list[RateOut]


class NewGroupOut(GroupOut):
    default: bool = Field(description="Whether the campaign's newcomers earn under this group.")


class PublisherOut(BaseModel):
    id: int
    prename: str
    surname: str
    searchtitle: str
    created_at: Moment


class NewPublisherOut(PublisherOut):
    access_token: str = Field(description="The publisher's export token, shown only this once.")


class TokenOut(BaseModel):
    access_token: str


class ProjectOut(BaseModel):
    id: int
    publisher_id: int
    title: str


class MembershipOut(BaseModel):
    campaign_id: int
    publisher_id: int
    group_id: int


class ListingOut(BaseModel):
    """One collection of the model, under its own name (only that one is present)."""

    advertisers: list[AdvertiserOut] | None = None
    campaigns: list[CampaignOut] | None = None
    triggers: list[TriggerOut] | None = None
    groups: list[GroupOut] | None = None
    publishers: list[PublisherOut] | None = None
    projects: list[ProjectOut] | None = None
    admedia: list[AdmediaOut] | None = None


class TransactionOut(BaseModel):
    """One transaction: amounts in minor units of ``currency``, times in UTC."""

    id: int
    status: int = Field(description="0 open, 1 confirmed, 2 canceled, 3 paid")
    created_at: Moment
    campaign_id: int
    ordertoken: str
    source: str
    project_id: int
    commission_minor: int
    commission_group_id: int
    campaign_group_title: str
    trigger_id: int
    trigger_title: str
    trigger_type: str
    trigger_value_scaled: int
    description: str
    voucher_code: str
    turnover_minor: int
    source_turnover_minor: int
    currency: str
    click_id: int | None
    salary_id: int
    status_change_date: Moment
    last_change: Moment
    payoutdate: Moment | None
    cancel_reason: str
    user_agent: str
    ebestid: str
    order_timestamp: Moment
    action_timestamp: Moment | None
    advertiser_id: int
    publisher_id: int
    referrer: str
    country: str
    subid: str
    basket_items: int


class PayoutOut(BaseModel):
    salary_id: int
    publisher_id: int
    transactions: int = Field(description="How many confirmed transactions became paid.")
    payoutdate: Moment


def upload_counts(counts: Counts) -> UploadCountsOut:
    return UploadCountsOut(
        status="ok", created=counts.created, updated=counts.updated, unchanged=counts.unchanged
    )


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


# -- manual statistics ----------------------------------------------------------------------

MAX_COUNT = 10**15 - 1


class ManualStatusIn(StorableTextModel):
    """One status's figures: a count and decimal amounts in the campaign's currency."""

    count: int = Field(default=0, le=MAX_COUNT)
    commission: str = Field(default="0", max_length=40, description='e.g. "12.50"')
    turnover: str = Field(default="0", max_length=40, description='e.g. "125.00"')


class ManualStatisticIn(StorableTextModel):
    day: date = Field(description="The network-local date the figures belong to.")
    campaign_id: int = Field(ge=1, le=MAX_ID)
    publisher_id: int = Field(ge=1, le=MAX_ID)
    project_id: int = Field(default=0, ge=0, le=MAX_ID, description="0 = none")
    admedia_id: int = Field(default=0, ge=0, le=MAX_ID, description="0 = none")
    views: int = Field(default=0, le=MAX_COUNT)
    clicks: int = Field(default=0, le=MAX_COUNT)
    open: ManualStatusIn = Field(default_factory=ManualStatusIn)
    confirmed: ManualStatusIn = Field(default_factory=ManualStatusIn)
    canceled: ManualStatusIn = Field(default_factory=ManualStatusIn)
    paid: ManualStatusIn = Field(default_factory=ManualStatusIn)
    note: str = Field(default="", max_length=2000)


class ManualStatusOut(BaseModel):
    count: int
    commission: str
    turnover: str


class ManualStatisticOut(BaseModel):
    """A stored row; amounts as decimal text in ``currency`` (the campaign's)."""

    id: int
    day: date
    campaign_id: int
    publisher_id: int
    project_id: int
    admedia_id: int
    views: int
    clicks: int
    open: ManualStatusOut
    confirmed: ManualStatusOut
    canceled: ManualStatusOut
    paid: ManualStatusOut
    currency: str
    note: str
    created_at: Moment


class ManualStatisticsOut(BaseModel):
    manual_statistics: list[ManualStatisticOut]
