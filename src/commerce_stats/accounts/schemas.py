"""Wire format of the admin API's account resources."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from commerce_stats.kit.tenancy import Account

FeatureName = Literal["video_ecommerce", "affiliate", "promotions"]
RotatableCredential = Literal[
    "organization_key",
    "ingest_key",
    "affiliate_access_token",
    "affiliate_rest_token",
    "promotions_password",
]


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200, examples=["Acme"])
    features: list[FeatureName] | None = Field(
        default=None,
        description="Any of video_ecommerce, affiliate, promotions; all three when omitted.",
    )
    timezone: str | None = Field(default=None, description="IANA zone; Europe/Berlin if omitted.")


class AccountPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    features: list[FeatureName] | None = None
    timezone: str | None = None
    disabled: bool | None = None


class RotateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credential: RotatableCredential = Field(examples=["organization_key"])


class DashboardLoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100, examples=["acme-ops"])
    password: str = Field(min_length=10, max_length=1000, examples=["a long passphrase"])


class Credentials(BaseModel):
    organization_key: str
    ingest_key: str
    affiliate_access_token: str
    affiliate_login_id: str
    affiliate_rest_token: str
    promotions_username: str
    promotions_password: str


class AccountOut(BaseModel):
    id: int
    name: str
    features: list[str]
    timezone: str
    disabled: bool
    created_at: datetime
    affiliate_login_id: str | None = None
    promotions_username: str | None = None

    @classmethod
    def of(cls, account: Account, public_ids: dict[str, str] | None = None) -> AccountOut:
        ids = public_ids or {}
        return cls(
            id=account.id,
            name=account.name,
            features=sorted(feature.value for feature in account.features),
            timezone=account.timezone,
            disabled=account.disabled,
            created_at=account.created_at,
            affiliate_login_id=ids.get("affiliate_login_id"),
            promotions_username=ids.get("promotions_username"),
        )


class AccountCreated(AccountOut):
    credentials: Credentials


class AccountList(BaseModel):
    accounts: list[AccountOut]


class RotatedCredential(BaseModel):
    credential: str
    secret: str
