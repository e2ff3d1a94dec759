"""Why a dashboard request is refused: one class per failure, no HTTP in sight.

``http_errors.py`` beside the routes maps each class to the status of its answer.
"""

from __future__ import annotations


class DashboardError(Exception):
    """A refusal shown to a person on a dashboard page: a message, its code, the field at fault."""

    code = "invalid"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class FormExpiredError(DashboardError):
    """The sign-in form's CSRF token is missing, wrong or too old."""

    code = "csrf"

    def __init__(self) -> None:
        super().__init__("The form expired; please try again.")


class TooManySignInsError(DashboardError):
    """Too many failed sign-ins from this client or for this name; ``retry_after`` seconds."""

    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many failed sign-ins. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


class WrongCredentialsError(DashboardError):
    """The username and password, or the admin token, do not match."""

    code = "wrong_credentials"


class InvalidFieldError(DashboardError):
    """A sign-in field is malformed (too long, for one)."""

    code = "invalid_field"


class NotAdminError(DashboardError):
    """Only an admin session may do this."""

    code = "forbidden"

    def __init__(self) -> None:
        super().__init__("Only the admin can switch accounts.")


class InvalidChoiceError(DashboardError):
    """The picker's form names no account id at all."""

    code = "invalid"

    def __init__(self) -> None:
        super().__init__("Choose an account from the list.", "account_id")


class NoSuchAccountError(DashboardError):
    """The picker's form names an account that does not exist."""

    code = "not_found"

    def __init__(self) -> None:
        super().__init__("There is no account with that id.", "account_id")


class FeatureNotEnabledError(DashboardError):
    """The viewed account does not have the feature of the page asked for."""

    code = "feature_not_enabled"

    def __init__(self) -> None:
        super().__init__("This account does not have that feature.")


class InvalidFilterError(DashboardError):
    """A page's filter (a day, a status, a video) is not one the page answers."""

    code = "invalid_filter"


class UnknownExportFormatError(DashboardError):
    """The download asks for a format the exports do not write."""

    code = "not_found"
