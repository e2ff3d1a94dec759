"""The network's model, as its admin keeps it: advertisers, campaigns and their triggers,
commission groups with a rate per trigger, publishers with their projects, and which
group each publisher earns under in a campaign."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Row

from commerce_stats.affiliate import repository
from commerce_stats.affiliate.errors import (
    InvalidFieldError,
    ItemNotFoundError,
    UnknownCollectionError,
)
from commerce_stats.affiliate.repository import Collection
from commerce_stats.affiliate.rules import (
    TRIGGER_TYPES,
    scaled_trigger_value,
    trigger_value_decimal,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.keys import hash_secret, new_secret
from commerce_stats.kit.money import is_currency_code
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now

MAX_TEXT = 200
MAX_URL = 2000


@dataclass(frozen=True, slots=True)
class Advertiser:
    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Campaign:
    id: int
    advertiser_id: int
    title: str
    target_url: str
    currency: str
    default_group_id: int | None
    created_at: datetime
    postview_window_hours: int = 0


@dataclass(frozen=True, slots=True)
class Admedia:
    """An advertising medium (Werbemittel) of a campaign; ``target_url`` empty means the
    campaign's landing page."""

    id: int
    campaign_id: int
    title: str
    kind: str
    target_url: str
    created_at: datetime


ADMEDIA_KINDS = ("banner", "textlink", "productfeed", "html", "video", "email")
MAX_POSTVIEW_WINDOW_HOURS = 720
"""Thirty days, the lifetime of the view cookie."""


@dataclass(frozen=True, slots=True)
class Trigger:
    id: int
    campaign_id: int
    title: str


@dataclass(frozen=True, slots=True)
class RateSpec:
    """A group's rate for one trigger: a fixed amount or a percentage of turnover."""

    trigger_id: int
    trigger_type: str
    trigger_value: Decimal


@dataclass(frozen=True, slots=True)
class Group:
    id: int
    campaign_id: int
    title: str
    rates: list[RateSpec]


@dataclass(frozen=True, slots=True)
class NewGroup:
    """A group just created, and whether it is now the campaign's default."""

    group: Group
    default: bool


@dataclass(frozen=True, slots=True)
class Publisher:
    id: int
    prename: str
    surname: str
    searchtitle: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    publisher_id: int
    title: str


@dataclass(frozen=True, slots=True)
class Membership:
    campaign_id: int
    publisher_id: int
    group_id: int


Item = Advertiser | Campaign | Trigger | Group | Publisher | Project | Admedia


def _text(value: str, field: str, *, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidFieldError(field, f"{field} must not be empty")
    if len(cleaned) > MAX_TEXT:
        raise InvalidFieldError(field, f"{field} is longer than {MAX_TEXT} characters")
    return cleaned


def _checked_url(url: str) -> str:
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(cleaned) > MAX_URL:
        raise InvalidFieldError("target_url", "target_url must be an absolute http(s) URL")
    return cleaned


def _checked_currency(currency: str) -> str:
    code = currency.strip().upper()
    if not is_currency_code(code):
        raise InvalidFieldError("currency", "currency must be a three-letter ISO 4217 code")
    return code


def _values(row: Row[Any], *names: str) -> list[Any]:
    mapping = row._mapping
    return [mapping[name] for name in names]


def advertiser_of(row: Row[Any]) -> Advertiser:
    return Advertiser(*_values(row, "id", "name", "created_at"))


def campaign_of(row: Row[Any]) -> Campaign:
    names = ("id", "advertiser_id", "title", "target_url", "currency")
    extra = ("default_group_id", "created_at", "postview_window_hours")
    return Campaign(*_values(row, *names, *extra))


def admedia_of(row: Row[Any]) -> Admedia:
    names = ("id", "campaign_id", "title", "kind", "target_url", "created_at")
    return Admedia(*_values(row, *names))


def _checked_window(hours: int) -> int:
    if not 0 <= hours <= MAX_POSTVIEW_WINDOW_HOURS:
        raise InvalidFieldError(
            "postview_window_hours",
            f"postview_window_hours must be between 0 and {MAX_POSTVIEW_WINDOW_HOURS}",
        )
    return hours


def _checked_kind(kind: str) -> str:
    cleaned = kind.strip().lower()
    if cleaned not in ADMEDIA_KINDS:
        raise InvalidFieldError("kind", f"kind must be one of {', '.join(ADMEDIA_KINDS)}")
    return cleaned


def trigger_of(row: Row[Any]) -> Trigger:
    return Trigger(*_values(row, "id", "campaign_id", "title"))


def publisher_of(row: Row[Any]) -> Publisher:
    return Publisher(*_values(row, "id", "prename", "surname", "searchtitle", "created_at"))


def project_of(row: Row[Any]) -> Project:
    return Project(*_values(row, "id", "publisher_id", "title"))


class NetworkModel:
    """The admin side of the network; cheap to build, holds no per-request state."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create_advertiser(self, account: Account, name: str) -> Advertiser:
        values = {"name": _text(name, "name"), "created_at": utc_now()}
        with self.database.write() as conn:
            return advertiser_of(_insert_numbered(conn, "advertisers", account.id, values))

    def create_campaign(
        self,
        account: Account,
        advertiser_id: int,
        title: str,
        target_url: str,
        currency: str,
        postview_window_hours: int = 0,
    ) -> Campaign:
        values: dict[str, Any] = {
            "postview_window_hours": _checked_window(postview_window_hours),
            "account_id": account.id,
            "advertiser_id": advertiser_id,
            "title": _text(title, "title"),
            "target_url": _checked_url(target_url),
            "currency": _checked_currency(currency),
            "default_group_id": None,
            "created_at": utc_now(),
        }
        with self.database.write() as conn:
            _require(conn, "advertisers", account.id, advertiser_id)
            campaign_id = repository.next_campaign_id(conn)
            repository.insert_campaign(conn, {"id": campaign_id, **values})
            return campaign_of(_require(conn, "campaigns", account.id, campaign_id))

    def set_postview_window(self, account: Account, campaign_id: int, hours: int) -> Campaign:
        """Changes how long after a view a conversion without a click is credited to it."""
        checked = _checked_window(hours)
        with self.database.write() as conn:
            _require(conn, "campaigns", account.id, campaign_id)
            repository.set_postview_window(conn, account.id, campaign_id, checked)
            return campaign_of(_require(conn, "campaigns", account.id, campaign_id))

    def create_admedia(
        self, account: Account, campaign_id: int, title: str, kind: str, target_url: str = ""
    ) -> Admedia:
        """An admedia of the campaign; an empty ``target_url`` lands on the campaign's."""
        values = {
            "campaign_id": campaign_id,
            "title": _text(title, "title"),
            "kind": _checked_kind(kind),
            "target_url": _checked_url(target_url) if target_url.strip() else "",
            "created_at": utc_now(),
        }
        with self.database.write() as conn:
            _require(conn, "campaigns", account.id, campaign_id)
            return admedia_of(_insert_numbered(conn, "admedia", account.id, values))

    def admedia(self, account: Account, admedia_id: int) -> Admedia:
        with self.database.read() as conn:
            return admedia_of(_require(conn, "admedia", account.id, admedia_id))

    def create_trigger(self, account: Account, campaign_id: int, title: str) -> Trigger:
        values = {"campaign_id": campaign_id, "title": _text(title, "title")}
        with self.database.write() as conn:
            _require(conn, "campaigns", account.id, campaign_id)
            return trigger_of(_insert_numbered(conn, "triggers", account.id, values))

    def create_group(
        self,
        account: Account,
        campaign_id: int,
        title: str,
        rates: list[RateSpec],
        *,
        default: bool,
    ) -> NewGroup:
        """A commission group with its rate per trigger; ``default`` applies it to newcomers
        (the campaign's first group becomes its default anyway)."""
        values = {"campaign_id": campaign_id, "title": _text(title, "title")}
        with self.database.write() as conn:
            campaign = campaign_of(_require(conn, "campaigns", account.id, campaign_id))
            row = _insert_numbered(conn, "groups", account.id, values)
            stored = _store_rates(conn, account.id, campaign, row.id, rates)
            is_default = default or campaign.default_group_id is None
            if is_default:
                repository.set_default_group(conn, account.id, campaign_id, row.id)
        return NewGroup(Group(row.id, campaign_id, row.title, stored), is_default)

    def set_rates(self, account: Account, group_id: int, rates: list[RateSpec]) -> list[RateSpec]:
        with self.database.write() as conn:
            group = _require(conn, "groups", account.id, group_id)
            campaign = campaign_of(_require(conn, "campaigns", account.id, group.campaign_id))
            return _store_rates(conn, account.id, campaign, group_id, rates)

    def create_publisher(
        self, account: Account, prename: str, surname: str, searchtitle: str
    ) -> tuple[Publisher, str]:
        """A publisher and its export access token (shown only this once)."""
        token = new_secret()
        values = {
            "prename": _text(prename, "prename", required=False),
            "surname": _text(surname, "surname", required=False),
            "searchtitle": _text(searchtitle, "searchtitle", required=False),
            "token_hash": hash_secret(token),
            "created_at": utc_now(),
        }
        with self.database.write() as conn:
            row = _insert_numbered(conn, "publishers", account.id, values)
        return publisher_of(row), token

    def rotate_publisher_token(self, account: Account, publisher_id: int) -> str:
        token = new_secret()
        with self.database.write() as conn:
            _require(conn, "publishers", account.id, publisher_id)
            repository.set_publisher_token_hash(conn, account.id, publisher_id, hash_secret(token))
        return token

    def create_project(self, account: Account, publisher_id: int, title: str) -> Project:
        values = {"publisher_id": publisher_id, "title": _text(title, "title")}
        with self.database.write() as conn:
            _require(conn, "publishers", account.id, publisher_id)
            return project_of(_insert_numbered(conn, "projects", account.id, values))

    def assign_group(
        self, account: Account, campaign_id: int, publisher_id: int, group_id: int
    ) -> Membership:
        """Puts a publisher into a commission group of a campaign (future transactions)."""
        with self.database.write() as conn:
            _require(conn, "campaigns", account.id, campaign_id)
            _require(conn, "publishers", account.id, publisher_id)
            group = repository.item(conn, "groups", account.id, group_id)
            if group is None or group.campaign_id != campaign_id:
                raise InvalidFieldError(
                    "group_id", f"commission group {group_id} is not a group of this campaign"
                )
            repository.upsert_membership(conn, account.id, campaign_id, publisher_id, group_id)
        return Membership(campaign_id, publisher_id, group_id)

    def listing(self, account: Account, kind: str) -> list[Item]:
        """Every advertiser, campaign, trigger, group, publisher or project of the account."""
        reader = _LISTINGS.get(kind)
        if reader is None:
            raise UnknownCollectionError(kind)
        with self.database.read() as conn:
            return reader(conn, account.id)


def _require(conn: Connection, kind: Collection, account_id: int, item_id: int) -> Row[Any]:
    row = repository.item(conn, kind, account_id, item_id)
    if row is None:
        raise ItemNotFoundError(repository.ITEM_NAMES[kind], item_id)
    return row


def _insert_numbered(
    conn: Connection, kind: Collection, account_id: int, values: dict[str, Any]
) -> Row[Any]:
    """Inserts an item under the account's next id of its kind; returns it as stored."""
    item_id = repository.allocate_ids(conn, account_id, repository.SEQUENCES[kind])
    repository.insert_item(conn, kind, {"account_id": account_id, "id": item_id, **values})
    return _require(conn, kind, account_id, item_id)


def _store_rates(
    conn: Connection, account_id: int, campaign: Campaign, group_id: int, rates: list[RateSpec]
) -> list[RateSpec]:
    for index, rate in enumerate(rates):
        field = f"triggers.{index}"
        trigger = repository.item(conn, "triggers", account_id, rate.trigger_id)
        if trigger is None or trigger.campaign_id != campaign.id:
            raise InvalidFieldError(
                field, f"trigger {rate.trigger_id} is not a trigger of this campaign"
            )
        if rate.trigger_type not in TRIGGER_TYPES:
            raise InvalidFieldError(
                field, f"trigger_type must be one of {', '.join(TRIGGER_TYPES)}"
            )
        try:
            scaled = scaled_trigger_value(rate.trigger_type, rate.trigger_value, campaign.currency)
        except ValueError as exc:
            raise InvalidFieldError(field, f"trigger_value: {exc}") from exc
        repository.upsert_rate(
            conn, account_id, group_id, rate.trigger_id, rate.trigger_type, scaled
        )
    return list(rates)


def _groups(conn: Connection, account_id: int) -> list[Item]:
    """The groups with their rates, values in their campaign's currency."""
    currencies = {row.id: row.currency for row in repository.items(conn, "campaigns", account_id)}
    groups: list[Item] = []
    for row in repository.items(conn, "groups", account_id):
        currency = currencies[row.campaign_id]
        rates = [
            RateSpec(
                rate.trigger_id,
                rate.trigger_type,
                trigger_value_decimal(rate.trigger_type, rate.value_scaled, currency),
            )
            for rate in repository.rates_of_group(conn, account_id, row.id)
        ]
        groups.append(Group(row.id, row.campaign_id, row.title, rates))
    return groups


Listing = Callable[[Connection, int], list[Item]]


def _listed(kind: Collection, convert: Callable[[Row[Any]], Item]) -> Listing:
    def read(conn: Connection, account_id: int) -> list[Item]:
        return [convert(row) for row in repository.items(conn, kind, account_id)]

    return read


_LISTINGS: dict[str, Listing] = {
    "advertisers": _listed("advertisers", advertiser_of),
    "campaigns": _listed("campaigns", campaign_of),
    "triggers": _listed("triggers", trigger_of),
    "groups": _groups,
    "publishers": _listed("publishers", publisher_of),
    "projects": _listed("projects", project_of),
    "admedia": _listed("admedia", admedia_of),
}
"""How each collection the admin API lists is read, by its name in the URL."""
