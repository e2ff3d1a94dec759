"""Admin API for accounts: create, list, read, change, rotate credentials."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Response

from commerce_stats.accounts.schemas import (
    AccountCreate,
    AccountCreated,
    AccountList,
    AccountOut,
    AccountPatch,
    Credentials,
    DashboardLoginIn,
    RotatedCredential,
    RotateRequest,
)
from commerce_stats.accounts.service import AccountChanges, Accounts
from commerce_stats.kit.admin_http import AccountId, admin_router
from commerce_stats.runtime import Runtime, get_runtime

router = admin_router(tags=["admin: accounts"])


def _accounts(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Accounts:
    return runtime.accounts


AccountsDep = Annotated[Accounts, Depends(_accounts)]


@router.post("/accounts", status_code=201, response_model=AccountCreated)
def create_account(body: AccountCreate, accounts: AccountsDep) -> AccountCreated:
    account, secrets = accounts.create(body.name, body.features, body.timezone)
    out = AccountOut.of(account, secrets)
    return AccountCreated(**out.model_dump(), credentials=Credentials(**secrets))


@router.get("/accounts", response_model=AccountList)
def list_accounts(accounts: AccountsDep) -> AccountList:
    return AccountList(accounts=[AccountOut.of(account) for account in accounts.list()])


@router.get("/accounts/{account_id}", response_model=AccountOut)
def get_account(account_id: AccountId, accounts: AccountsDep) -> AccountOut:
    return AccountOut.of(*accounts.describe(account_id))


@router.patch("/accounts/{account_id}", response_model=AccountOut)
def patch_account(account_id: AccountId, body: AccountPatch, accounts: AccountsDep) -> AccountOut:
    changes = AccountChanges(
        name=body.name, features=body.features, timezone=body.timezone, disabled=body.disabled
    )
    return AccountOut.of(*accounts.update(account_id, changes))


@router.post("/accounts/{account_id}/credentials/rotate", response_model=RotatedCredential)
def rotate_credential(
    account_id: AccountId, body: RotateRequest, accounts: AccountsDep
) -> RotatedCredential:
    return RotatedCredential(
        credential=body.credential, secret=accounts.rotate(account_id, body.credential)
    )


@router.put("/accounts/{account_id}/dashboard-login", status_code=204)
def set_dashboard_login(
    account_id: AccountId, body: DashboardLoginIn, accounts: AccountsDep
) -> Response:
    """Set the username and password that open the dashboard on this account."""
    accounts.set_dashboard_login(account_id, body.username, body.password)
    return Response(status_code=204)
