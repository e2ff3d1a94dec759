"""Why an accounts request is refused: one class per failure, no HTTP status in sight.

They are admin API refusals (``AdminError``) of one kind each (``kit.errors``); the admin
API's renderer maps the kinds to statuses in one table.
"""

from __future__ import annotations

from commerce_stats.kit.errors import AdminError, ConflictError, InvalidFieldError, NotFoundError


class AccountFieldError(AdminError, InvalidFieldError):
    """A field of an account (name, features, time zone, login, credential) is refused."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, code="invalid_field", field=field)


class AccountNotFoundError(AdminError, NotFoundError):
    """No account has that id."""

    def __init__(self, account_id: int) -> None:
        super().__init__(f"account {account_id} not found", code="not_found")
        self.account_id = account_id


class UsernameTakenError(AdminError, ConflictError):
    """Another account's dashboard login already has that username."""

    def __init__(self, username: str) -> None:
        super().__init__(f"username {username!r} is taken", code="conflict", field="username")


class AccountVanishedError(AdminError, ConflictError):
    """The account was deleted while the request was changing it."""

    def __init__(self) -> None:
        super().__init__("account vanished during the request", code="conflict")
