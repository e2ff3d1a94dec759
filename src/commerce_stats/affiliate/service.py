"""The affiliate network's rules: the model, tracking, commissions and the lifecycle.

Exports live in ``exporting.py`` and order uploads in ``upload.py``; both use
the rules here and in ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, Row, Table

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository
from commerce_stats.affiliate.errors import (
    AffiliateError,
    no_permission,
    refuse_if_limited,
)
from commerce_stats.affiliate.rules import (
    CANCELED,
    CONFIRMED,
    NOT_PAID_OUT,
    OPEN,
    PAID,
    TRIGGER_TYPES,
    commission_minor,
    ebestid,
    final_error,
    is_dynamic,
    parse_amount,
    scaled_trigger_value,
    transition_error,
    trigger_value_decimal,
)
from commerce_stats.affiliate.tables import (
    advertisers,
    campaigns,
    clicks,
    commission_groups,
    projects,
    publishers,
    triggers,
)
from commerce_stats.db.engine import Database
from commerce_stats.kit.errors import AdminError
from commerce_stats.kit.keys import hash_secret, new_secret
from commerce_stats.kit.money import is_currency_code
from commerce_stats.kit.ratelimit import FailureLimiter
from commerce_stats.kit.tenancy import Account, Feature
from commerce_stats.kit.throttle import Surface, Throttle
from commerce_stats.kit.timeutil import utc_now

MAX_TEXT = 255
MAX_URL = 2000
STALE_EXPORT_BATCH = 5_000
"""Transactions rendered again per write transaction when stored export text is stale."""
COLLECTIONS: dict[str, Table] = {
    "advertisers": advertisers,
    "campaigns": campaigns,
    "triggers": triggers,
    "groups": commission_groups,
    "publishers": publishers,
    "projects": projects,
}
"""The model's collections the admin API lists, by name."""


@dataclass(frozen=True, slots=True)
class RateSpec:
    trigger_id: int
    trigger_type: str
    trigger_value: Decimal


@dataclass(frozen=True, slots=True)
class ClickInput:
    campaign_id: int
    publisher_id: int
    project_id: int
    subid: str
    admedia_id: int
    referrer: str
    user_agent: str
    country: str


@dataclass(frozen=True, slots=True)
class ConversionInput:
    campaign_id: int
    trigger_id: int
    ordertoken: str
    turnover: str
    description: str
    voucher_code: str
    currency: str
    click_id: int | None
    basket_items: int
    source: str
    user_agent: str
    referrer: str
    country: str


@dataclass(frozen=True, slots=True)
class Owner:
    """Who asks for an export: the network's admin or one publisher."""

    account: Account
    publisher_id: int | None


def _invalid(message: str, field: str) -> AdminError:
    return AdminError(message, status=422, code="invalid_field", field=field)


def _missing(what: str, item_id: int) -> AdminError:
    return AdminError(f"{what} {item_id} not found", status=404, code="not_found")


def _text(value: str, field: str, *, limit: int = 200, required: bool = True) -> str:
    cleaned = value.strip()
    if required and not cleaned:
        raise _invalid(f"{field} must not be empty", field)
    if len(cleaned) > limit:
        raise _invalid(f"{field} is longer than {limit} characters", field)
    return cleaned


def _checked_url(url: str) -> str:
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(cleaned) > MAX_URL:
        raise _invalid("target_url must be an absolute http(s) URL", "target_url")
    return cleaned


def with_emid(target_url: str, click_id: int) -> str:
    """The landing page URL with ``emid=<click id>`` added to its query."""
    parts = urlsplit(target_url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(key, value) for key, value in query if key != "emid"]
    query.append(("emid", str(click_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def as_dict(row: Row[Any]) -> dict[str, Any]:
    return dict(row._mapping)


class AffiliateNetwork:
    """The affiliate domain's service; cheap to build, holds no per-request state."""

    def __init__(
        self, database: Database, accounts: Accounts, failures: FailureLimiter | None = None
    ) -> None:
        """``failures`` counts refused export links and uploads (brute-force protection)."""
        self.database = database
        self.accounts = accounts
        self.failures = failures

    # -- the model (admin API) -------------------------------------------------

    def create_advertiser(self, account: Account, name: str) -> dict[str, Any]:
        values = {"name": _text(name, "name"), "created_at": utc_now()}
        with self.database.write() as conn:
            return self._insert_numbered(conn, advertisers, account.id, "advertiser", values)

    def create_campaign(
        self, account: Account, advertiser_id: int, title: str, target_url: str, currency: str
    ) -> dict[str, Any]:
        code = currency.strip().upper()
        if not is_currency_code(code):
            raise _invalid("currency must be a three-letter ISO 4217 code", "currency")
        values = {
            "account_id": account.id,
            "advertiser_id": advertiser_id,
            "title": _text(title, "title"),
            "target_url": _checked_url(target_url),
            "currency": code,
            "default_group_id": None,
            "created_at": utc_now(),
        }
        with self.database.write() as conn:
            self._require(conn, advertisers, account.id, advertiser_id, "advertiser")
            values["id"] = repository.next_campaign_id(conn)
            repository.insert_campaign(conn, values)
        return values

    def create_trigger(self, account: Account, campaign_id: int, title: str) -> dict[str, Any]:
        values = {"campaign_id": campaign_id, "title": _text(title, "title")}
        with self.database.write() as conn:
            self._require(conn, campaigns, account.id, campaign_id, "campaign")
            return self._insert_numbered(conn, triggers, account.id, "trigger", values)

    def create_group(
        self,
        account: Account,
        campaign_id: int,
        title: str,
        rates: list[RateSpec],
        *,
        default: bool,
    ) -> dict[str, Any]:
        """A commission group with its rate per trigger; ``default`` applies it to newcomers."""
        values = {"campaign_id": campaign_id, "title": _text(title, "title")}
        with self.database.write() as conn:
            campaign = self._require(conn, campaigns, account.id, campaign_id, "campaign")
            group = self._insert_numbered(conn, commission_groups, account.id, "group", values)
            group["rates"] = self._store_rates(conn, account.id, campaign, group["id"], rates)
            if default or campaign.default_group_id is None:
                repository.set_default_group(conn, account.id, campaign_id, group["id"])
            group["default"] = default or campaign.default_group_id is None
        return group

    def set_rates(
        self, account: Account, group_id: int, rates: list[RateSpec]
    ) -> list[dict[str, Any]]:
        with self.database.write() as conn:
            group = self._require(conn, commission_groups, account.id, group_id, "commission group")
            campaign = self._require(conn, campaigns, account.id, group.campaign_id, "campaign")
            return self._store_rates(conn, account.id, campaign, group_id, rates)

    def _store_rates(
        self,
        conn: Connection,
        account_id: int,
        campaign: Row[Any],
        group_id: int,
        rates: list[RateSpec],
    ) -> list[dict[str, Any]]:
        stored: list[dict[str, Any]] = []
        for index, rate in enumerate(rates):
            field = f"triggers.{index}"
            trigger = repository.select_by_id(conn, triggers, account_id, rate.trigger_id)
            if trigger is None or trigger.campaign_id != campaign.id:
                raise _invalid(
                    f"trigger {rate.trigger_id} is not a trigger of this campaign", field
                )
            if rate.trigger_type not in TRIGGER_TYPES:
                raise _invalid(f"trigger_type must be one of {', '.join(TRIGGER_TYPES)}", field)
            try:
                scaled = scaled_trigger_value(
                    rate.trigger_type, rate.trigger_value, campaign.currency
                )
            except ValueError as exc:
                raise _invalid(f"trigger_value: {exc}", field) from exc
            values = {
                "account_id": account_id,
                "group_id": group_id,
                "trigger_id": rate.trigger_id,
                "trigger_type": rate.trigger_type,
                "value_scaled": scaled,
            }
            repository.upsert_rate(conn, values)
            stored.append(
                {
                    "trigger_id": rate.trigger_id,
                    "trigger_type": rate.trigger_type,
                    "trigger_value": rate.trigger_value,
                }
            )
        return stored

    def create_publisher(
        self, account: Account, prename: str, surname: str, searchtitle: str
    ) -> tuple[dict[str, Any], str]:
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
            publisher = self._insert_numbered(conn, publishers, account.id, "publisher", values)
        publisher.pop("token_hash")
        return publisher, token

    def rotate_publisher_token(self, account: Account, publisher_id: int) -> str:
        token = new_secret()
        with self.database.write() as conn:
            self._require(conn, publishers, account.id, publisher_id, "publisher")
            repository.set_publisher_token_hash(conn, account.id, publisher_id, hash_secret(token))
        return token

    def create_project(self, account: Account, publisher_id: int, title: str) -> dict[str, Any]:
        values = {"publisher_id": publisher_id, "title": _text(title, "title")}
        with self.database.write() as conn:
            self._require(conn, publishers, account.id, publisher_id, "publisher")
            return self._insert_numbered(conn, projects, account.id, "project", values)

    def assign_group(
        self, account: Account, campaign_id: int, publisher_id: int, group_id: int
    ) -> dict[str, Any]:
        """Puts a publisher into a commission group of a campaign (future transactions)."""
        with self.database.write() as conn:
            self._require(conn, campaigns, account.id, campaign_id, "campaign")
            self._require(conn, publishers, account.id, publisher_id, "publisher")
            group = repository.select_by_id(conn, commission_groups, account.id, group_id)
            if group is None or group.campaign_id != campaign_id:
                raise _invalid(
                    f"commission group {group_id} is not a group of this campaign", "group_id"
                )
            repository.upsert_membership(conn, account.id, campaign_id, publisher_id, group_id)
        return {"campaign_id": campaign_id, "publisher_id": publisher_id, "group_id": group_id}

    def listing(self, account: Account, kind: str) -> list[dict[str, Any]]:
        """Every advertiser, campaign, trigger, group, publisher or project of the account."""
        table = COLLECTIONS.get(kind)
        if table is None:
            raise AdminError(f"unknown collection {kind!r}", status=404, code="not_found")
        with self.database.read() as conn:
            rows = [as_dict(row) for row in repository.select_all(conn, table, account.id)]
            if kind == "groups":
                currencies = {
                    campaign.id: campaign.currency
                    for campaign in repository.select_all(conn, campaigns, account.id)
                }
                for row in rows:
                    row["rates"] = _rates_out(conn, account.id, row, currencies[row["campaign_id"]])
        for row in rows:
            row.pop("account_id", None)
            row.pop("token_hash", None)
        return rows

    @staticmethod
    def _require(
        conn: Connection, table: Table, account_id: int, item_id: int, what: str
    ) -> Row[Any]:
        row = repository.select_by_id(conn, table, account_id, item_id)
        if row is None:
            raise _missing(what, item_id)
        return row

    @staticmethod
    def _insert_numbered(
        conn: Connection, table: Table, account_id: int, sequence: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        row = {"account_id": account_id, "id": repository.allocate_ids(conn, account_id, sequence)}
        row.update(values)
        repository.insert_row(conn, table, row)
        return row

    # -- tracking ------------------------------------------------------------------

    def track_click(self, click: ClickInput) -> tuple[int, str]:
        """Records a click; returns (click id, landing URL with ``emid``)."""
        now = utc_now()
        with self.database.read() as conn:
            campaign = repository.campaign_anywhere(conn, click.campaign_id)
        if campaign is None or not self.tracks(campaign.account_id):
            raise AffiliateError("unknown campaign", status=404, code="not_found")
        account_id = campaign.account_id
        with self.database.write() as conn:
            if repository.select_by_id(conn, publishers, account_id, click.publisher_id) is None:
                raise AffiliateError("unknown publisher", status=404, code="not_found")
            if click.project_id:
                project = repository.select_by_id(conn, projects, account_id, click.project_id)
                if project is None or project.publisher_id != click.publisher_id:
                    raise AffiliateError("unknown project", status=404, code="not_found")
            click_id = repository.allocate_ids(conn, account_id, "click")
            repository.insert_row(
                conn,
                clicks,
                {
                    "account_id": account_id,
                    "id": click_id,
                    "campaign_id": click.campaign_id,
                    "publisher_id": click.publisher_id,
                    "project_id": click.project_id,
                    "subid": click.subid[:MAX_TEXT],
                    "admedia_id": click.admedia_id,
                    "created_at": now,
                    "referrer": click.referrer[:MAX_URL],
                    "user_agent": click.user_agent[:MAX_URL],
                    "country": click.country,
                },
            )
        return click_id, with_emid(campaign.target_url, click_id)

    def tracks(self, account_id: int) -> bool:
        """Whether the account owning a campaign is enabled and runs the affiliate network."""
        try:
            account = self.accounts.get(account_id)
        except AdminError:
            return False
        return not account.disabled and account.has(Feature.AFFILIATE)

    def track_conversion(self, conversion: ConversionInput) -> None:
        """Records a conversion once per (campaign, trigger, order)."""
        with self.database.write() as conn:
            refusal = self.record_conversions(conn, [conversion], utc_now())[0]
        if refusal is not None:
            raise refusal

    def record_conversions(
        self, conn: Connection, conversions: list[ConversionInput], now: datetime
    ) -> list[AffiliateError | None]:
        """Records many conversions in the caller's write transaction (group commit).

        Returns, per conversion, why it was refused (or None). Every check comes
        before the writes, so a refused conversion leaves nothing behind; lookups
        are shared by the batch, ids are reserved once per account and the rows go
        in with one statement that skips orders already recorded (ids reserved for
        such duplicates stay unused).
        """
        lookups = _ConversionLookups(self, conn)
        outcomes: list[AffiliateError | None] = []
        pending: dict[int, list[dict[str, Any]]] = {}
        for conversion in conversions:
            try:
                values = self._conversion_values(lookups, conversion, now)
            except AffiliateError as refused:
                outcomes.append(refused)
                continue
            outcomes.append(None)
            pending.setdefault(values["account_id"], []).append(values)
        for account_id, rows in pending.items():
            number_new_transactions(conn, account_id, rows)
            repository.insert_transactions_once(conn, rows)
        return outcomes

    @staticmethod
    def _conversion_values(
        lookups: _ConversionLookups, conversion: ConversionInput, now: datetime
    ) -> dict[str, Any]:
        campaign = lookups.campaign(conversion.campaign_id)
        if campaign is None:
            raise AffiliateError("unknown campaign", status=404, code="not_found")
        account_id = campaign.account_id
        currency = conversion.currency.strip().upper() or campaign.currency
        if currency != campaign.currency:
            raise AffiliateError(
                f"currency must be the campaign's currency ({campaign.currency})",
                code="invalid_currency",
            )
        try:
            turnover = parse_amount(conversion.turnover or "0", currency)
        except ValueError as exc:
            raise AffiliateError(f"turnover: {exc}", code="invalid_turnover") from exc
        click = None
        if conversion.click_id is not None:
            click = lookups.click(account_id, conversion.click_id)
        if click is None or click.campaign_id != campaign.id:
            raise AffiliateError(
                "no tracked click for this conversion (emid unknown)", status=404, code="no_click"
            )
        rule = lookups.rule(campaign, click.publisher_id, conversion.trigger_id)
        if rule is None:
            raise AffiliateError(
                "unknown trigger_id for the publisher's commission group",
                status=404,
                code="not_found",
            )
        return {
            "account_id": account_id,
            "status": OPEN,
            "created_at": now,
            "campaign_id": campaign.id,
            "ordertoken": conversion.ordertoken[:MAX_TEXT],
            "source": conversion.source,
            "project_id": click.project_id,
            "commission_minor": commission_minor(rule.trigger_type, rule.value_scaled, turnover),
            "commission_group_id": rule.group_id,
            "campaign_group_title": rule.group_title,
            "trigger_id": rule.trigger_id,
            "trigger_title": rule.trigger_title,
            "trigger_type": rule.trigger_type,
            "trigger_value_scaled": rule.value_scaled,
            "description": conversion.description[:MAX_URL],
            "voucher_code": conversion.voucher_code[:MAX_TEXT],
            "turnover_minor": turnover,
            "source_turnover_minor": turnover,
            "currency": currency,
            "click_id": click.id,
            "salary_id": NOT_PAID_OUT,
            "status_change_date": now,
            "last_change": now,
            "payoutdate": None,
            "cancel_reason": "",
            "user_agent": conversion.user_agent[:MAX_URL],
            "order_timestamp": now,
            "action_timestamp": click.created_at,
            "advertiser_id": campaign.advertiser_id,
            "publisher_id": click.publisher_id,
            "referrer": click.referrer,
            "country": conversion.country or click.country,
            "subid": click.subid,
            "basket_items": conversion.basket_items,
        }

    # -- the lifecycle ---------------------------------------------------------------

    def transaction(self, account: Account, transaction_id: int) -> dict[str, Any]:
        with self.database.read() as conn:
            row = repository.transaction(conn, account.id, transaction_id)
        if row is None:
            raise _missing("transaction", transaction_id)
        out = as_dict(row)
        out.pop("account_id")
        return out

    def _change_status(
        self, account: Account, transaction_id: int, wanted: int, extra: dict[str, Any]
    ) -> dict[str, Any]:
        now = utc_now()
        with self.database.write() as conn:
            row = repository.transaction(conn, account.id, transaction_id)
            if row is None:
                raise _missing("transaction", transaction_id)
            refusal = transition_error(row.status, wanted)
            if refusal is None and row.status == wanted:
                refusal = "the transaction already has this status"
            if refusal is not None:
                raise AdminError(refusal, status=409, code="conflict", field="status")
            values = {"status": wanted, "status_change_date": now, "last_change": now, **extra}
            repository.update_transaction(conn, account.id, row, values)
        return self.transaction(account, transaction_id)

    def confirm(self, account: Account, transaction_id: int) -> dict[str, Any]:
        return self._change_status(account, transaction_id, CONFIRMED, {})

    def cancel(self, account: Account, transaction_id: int, reason: str) -> dict[str, Any]:
        text = _text(reason, "cancel_reason", limit=MAX_URL, required=False)
        return self._change_status(account, transaction_id, CANCELED, {"cancel_reason": text})

    def partial_cancel(
        self, account: Account, transaction_id: int, turnover: str
    ) -> dict[str, Any]:
        """Lowers the turnover; dynamic commissions follow, ``source_turnover`` never changes."""
        now = utc_now()
        with self.database.write() as conn:
            row = repository.transaction(conn, account.id, transaction_id)
            if row is None:
                raise _missing("transaction", transaction_id)
            final = final_error(row.status)
            if final is not None:
                raise AdminError(
                    final,
                    status=409,
                    code="conflict",
                )
            try:
                lowered = parse_amount(turnover, row.currency)
            except ValueError as exc:
                raise _invalid(f"turnover: {exc}", "turnover") from exc
            if lowered >= row.turnover_minor:
                raise _invalid("a partial cancellation must lower the turnover", "turnover")
            commission = row.commission_minor
            if is_dynamic(row.trigger_type):
                commission = commission_minor(row.trigger_type, row.trigger_value_scaled, lowered)
            repository.update_transaction(
                conn,
                account.id,
                row,
                {"turnover_minor": lowered, "commission_minor": commission, "last_change": now},
            )
        return self.transaction(account, transaction_id)

    def payout(self, account: Account, publisher_id: int) -> dict[str, Any]:
        """A payout run: every confirmed transaction of the publisher becomes paid."""
        now = utc_now()
        with self.database.write() as conn:
            self._require(conn, publishers, account.id, publisher_id, "publisher")
            salary_id = repository.allocate_ids(conn, account.id, "salary")
            count = repository.pay_out(
                conn, account.id, publisher_id, CONFIRMED, PAID, salary_id, now
            )
        return {
            "salary_id": salary_id,
            "publisher_id": publisher_id,
            "transactions": count,
            "payoutdate": now,
        }

    # -- stored export text ----------------------------------------------------------

    def render_stale_export_text(self, account: Account) -> int:
        """Renders again every transaction whose stored export text is out of date.

        Text goes out of date only when the account moves to another time zone
        or a release changes the rendering (``export_lines``); every write of a
        transaction renders its text in the same database transaction. Batches
        keep each write short, so ingestion goes on meanwhile. Returns how many
        transactions were rendered; an up-to-date account costs two index reads.
        """
        with self.database.read() as conn:
            if not repository.stale_export_ids(conn, account.id, 1):
                return 0
        rendered = 0
        while True:
            with self.database.write() as conn:
                ids = repository.stale_export_ids(conn, account.id, STALE_EXPORT_BATCH)
                repository.refresh_export_text(conn, account.id, ids)
            rendered += len(ids)
            if len(ids) < STALE_EXPORT_BATCH:
                return rendered

    # -- export authorisation --------------------------------------------------------

    def export_owner(
        self, access_token: str, role: str, owner_id: int | None, client: str = "unknown"
    ) -> Owner:
        """Who the export link belongs to; anything that does not match is NO PERMISSION.

        Refusals are counted per client address; past the limit the address is
        answered 429 until the window ends, even with a right link.
        """
        throttle = Throttle(self.failures)
        refuse_if_limited(throttle.check(Surface.AFFILIATE_EXPORT, client=client), upload=False)
        try:
            return self._export_owner(access_token, role, owner_id)
        except AffiliateError as refusal:
            if refusal.status == 403:
                throttle.record_failure(Surface.AFFILIATE_EXPORT, client=client)
            raise

    def _export_owner(self, access_token: str, role: str, owner_id: int | None) -> Owner:
        if owner_id is None:
            raise no_permission()
        if role == "admin":
            account = self.accounts.authenticate("affiliate_access_token", access_token)
            if account is None or account.id != owner_id or not account.has(Feature.AFFILIATE):
                raise no_permission()
            return Owner(account, None)
        if role == "publisher":
            with self.database.read() as conn:
                publisher = repository.publisher_by_token(conn, hash_secret(access_token))
            if publisher is None or publisher.id != owner_id:
                raise no_permission()
            try:
                account = self.accounts.get(publisher.account_id)
            except AdminError as exc:
                raise no_permission() from exc
            if account.disabled or not account.has(Feature.AFFILIATE):
                raise no_permission()
            return Owner(account, publisher.id)
        raise no_permission()


class _ConversionLookups:
    """What a batch of conversions looks up, each thing read once per batch."""

    def __init__(self, network: AffiliateNetwork, conn: Connection) -> None:
        self.network = network
        self.conn = conn
        self._campaigns: dict[int, Row[Any] | None] = {}
        self._tracking: dict[int, bool] = {}
        self._rules: dict[tuple[int, int, int], repository.RuleRow | None] = {}

    def campaign(self, campaign_id: int) -> Row[Any] | None:
        """The campaign, if its account is enabled and runs the affiliate network."""
        if campaign_id not in self._campaigns:
            campaign = repository.campaign_anywhere(self.conn, campaign_id)
            if campaign is not None and campaign.account_id not in self._tracking:
                self._tracking[campaign.account_id] = self.network.tracks(campaign.account_id)
            if campaign is not None and not self._tracking[campaign.account_id]:
                campaign = None
            self._campaigns[campaign_id] = campaign
        return self._campaigns[campaign_id]

    def click(self, account_id: int, click_id: int) -> Row[Any] | None:
        return repository.click(self.conn, account_id, click_id)

    def rule(
        self, campaign: Row[Any], publisher_id: int, trigger_id: int
    ) -> repository.RuleRow | None:
        """The commission rule of the publisher's group (or the campaign's default group)."""
        key = (campaign.id, publisher_id, trigger_id)
        if key not in self._rules:
            account_id = campaign.account_id
            group_id = repository.membership_group(self.conn, account_id, campaign.id, publisher_id)
            if group_id is None:
                group_id = campaign.default_group_id
            self._rules[key] = (
                None
                if group_id is None
                else repository.commission_rule(self.conn, account_id, group_id, trigger_id)
            )
        return self._rules[key]


def number_new_transactions(
    conn: Connection, account_id: int, inserts: Iterable[dict[str, Any]]
) -> None:
    """Numbers new transactions and gives each its publisher-facing ebestid."""
    pending = list(inserts)
    if not pending:
        return
    first = repository.allocate_ids(conn, account_id, "transaction", len(pending))
    for offset, values in enumerate(pending):
        values["id"] = first + offset
        values["ebestid"] = ebestid(account_id, values["id"], values["ordertoken"])


def _rates_out(
    conn: Connection, account_id: int, group: dict[str, Any], currency: str
) -> list[dict[str, Any]]:
    """A group's rates as the admin API lists them, values in the campaign's currency."""
    return [
        {
            "trigger_id": rate.trigger_id,
            "trigger_type": rate.trigger_type,
            "trigger_value": trigger_value_decimal(rate.trigger_type, rate.value_scaled, currency),
        }
        for rate in repository.rates_of_group(conn, account_id, group["id"])
    ]
