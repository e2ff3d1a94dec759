"""Why the affiliate network refuses something: one exception class per failure.

These carry meaning only (what failed, and the values a person needs to fix
it). Which HTTP status and which wire envelope a refusal gets is decided by
each surface's renderer in ``http_errors.py``: the tracking URLs and the
Transaktions-API answer plain text, the order uploads JSON listing every
invalid row, the admin API its JSON error object.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_PERMISSION = "NO PERMISSION"
TOO_MANY_ATTEMPTS = "too many failed attempts; retry later"


class AffiliateError(Exception):
    """Any refusal of the affiliate network; ``message`` is shown to people as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# -- access -------------------------------------------------------------------------------


class NoPermissionError(AffiliateError):
    """A wrong token, or a token that does not own the link (the seed's ``NO PERMISSION``)."""

    def __init__(self) -> None:
        super().__init__(NO_PERMISSION)


class TooManyAttemptsError(AffiliateError):
    """Too many refused attempts from this client or login; retry after ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(TOO_MANY_ATTEMPTS)
        self.retry_after = retry_after


# -- tracking -------------------------------------------------------------------------------


class InvalidParameterError(AffiliateError):
    """A tracking URL's parameter is missing or cannot be stored."""


class UnknownCampaignError(AffiliateError):
    def __init__(self) -> None:
        super().__init__("unknown campaign")


class UnknownPublisherError(AffiliateError):
    def __init__(self) -> None:
        super().__init__("unknown publisher")


class UnknownProjectError(AffiliateError):
    def __init__(self) -> None:
        super().__init__("unknown project")


class NotAMemberError(AffiliateError):
    """The publisher takes no part in the campaign (no membership and no default group)."""

    def __init__(self) -> None:
        super().__init__("the publisher is not a member of the campaign")


class UnknownAdmediaError(AffiliateError):
    """An ``admedia_id`` that names no admedia of the campaign."""

    def __init__(self) -> None:
        super().__init__("unknown admedia_id for the campaign")


class NoTrackedClickError(AffiliateError):
    """A conversion whose ``emid`` names no click of its campaign."""

    def __init__(self) -> None:
        super().__init__("no tracked click for this conversion (emid unknown)")


class UnknownCommissionTriggerError(AffiliateError):
    """The publisher's commission group has no rate for the conversion's trigger."""

    def __init__(self) -> None:
        super().__init__("unknown trigger_id for the publisher's commission group")


class WrongCurrencyError(AffiliateError):
    """A conversion in another currency than its campaign's."""

    def __init__(self, expected: str) -> None:
        super().__init__(f"currency must be the campaign's currency ({expected})")
        self.expected = expected


class InvalidTurnoverError(AffiliateError):
    def __init__(self, reason: str) -> None:
        super().__init__(f"turnover: {reason}")


class ShuttingDownError(AffiliateError):
    """The server stops; the conversion was not recorded."""

    def __init__(self) -> None:
        super().__init__("shutting down")


# -- exports ----------------------------------------------------------------------------------


class InvalidFilterError(AffiliateError):
    """An export filter (``condition[...]``) is malformed or contradicts another."""


class UnknownReportError(AffiliateError):
    """A report name or file format the Transaktions-API does not have."""


class UnknownExportLinkError(AffiliateError):
    """A path under ``/api/`` that is no export link (the message never repeats the path)."""


# -- the admin model and the lifecycle ----------------------------------------------------------


class ItemNotFoundError(AffiliateError):
    """No such advertiser, campaign, trigger, group, publisher, project or transaction."""

    def __init__(self, what: str, item_id: int | str) -> None:
        super().__init__(f"{what} {item_id} not found")
        self.what = what
        self.item_id = item_id


class UnknownCollectionError(AffiliateError):
    def __init__(self, kind: str) -> None:
        super().__init__(f"unknown collection {kind!r}")
        self.kind = kind


class InvalidFieldError(AffiliateError):
    """A field of an admin request has a value the network cannot take."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ForbiddenTransitionError(AffiliateError):
    """The lifecycle forbids moving a transaction from ``from_status`` to ``to_status``."""

    def __init__(self, from_status: int, to_status: int, reason: str) -> None:
        super().__init__(reason)
        self.from_status = from_status
        self.to_status = to_status


class TransactionFinalError(AffiliateError):
    """A paid or canceled transaction changes no more."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


# -- uploads ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowError:
    """One reason why a row of an upload cannot be applied (rows count from 1 = header)."""

    row: int
    column: str
    reason: str


class InvalidUploadRequestError(AffiliateError):
    """The upload's form, headers or credentials are malformed (before any row is read)."""


class UploadTooLargeError(AffiliateError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the upload is larger than {limit} bytes")
        self.limit = limit


class MalformedJsonError(AffiliateError):
    """The JSON upload's body is not JSON."""


class InvalidUploadBodyError(AffiliateError):
    """The JSON upload's body is JSON, but not an array of objects."""


class RefusedRowsError(AffiliateError):
    """An upload whose file or rows have problems; nothing was applied. ``rows`` lists them."""

    def __init__(self, message: str, rows: list[RowError]) -> None:
        super().__init__(message)
        self.rows = rows


# -- manual statistics -------------------------------------------------------------------------


class UnknownManualReferenceError(InvalidFieldError):
    """A manual statistic names a campaign, publisher, project or admedia the account lacks."""


class ManualPublisherNotAMemberError(InvalidFieldError):
    """A manual statistic's publisher is no member of its campaign."""


class InvalidManualAmountError(InvalidFieldError):
    """A manual statistic's amount is no exact decimal in the campaign currency's digits."""


class NegativeCountError(InvalidFieldError):
    """A manual statistic's view, click or transaction count is below zero."""


class InvalidPeriodError(InvalidFieldError):
    """A listing's period ends before it starts."""


class ManualStatisticNotFoundError(AffiliateError):
    """No manual statistic row of this id in the account."""

    def __init__(self, row_id: int) -> None:
        super().__init__(f"manual statistic {row_id} not found")
        self.row_id = row_id
