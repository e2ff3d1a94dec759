"""Tracking: a publisher's click, then the shop's conversion pixel, become a transaction.

A click is recorded and answered with the landing page's URL carrying
``emid=<click id>``; a conversion names that click and its trigger, and is
recorded once per (campaign, trigger, order) with the commission of the
publisher's group (``rules.commission_minor``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Connection, Row

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository, traffic_repository
from commerce_stats.affiliate.errors import (
    AffiliateError,
    InvalidTurnoverError,
    NotAMemberError,
    NoTrackedClickError,
    UnknownAdmediaError,
    UnknownCampaignError,
    UnknownCommissionTriggerError,
    UnknownProjectError,
    UnknownPublisherError,
    WrongCurrencyError,
)
from commerce_stats.affiliate.lifecycle import number_new_transactions
from commerce_stats.affiliate.rules import NOT_PAID_OUT, OPEN, commission_minor, parse_amount
from commerce_stats.affiliate.visitors import ReclickFilter, Visitor, VisitorSalts
from commerce_stats.db.engine import Database
from commerce_stats.kit.errors import AdminError
from commerce_stats.kit.tenancy import Feature
from commerce_stats.kit.timeutil import utc_now
from commerce_stats.kit.useragent import BOT, device_fields

MAX_TEXT = 255
MAX_URL = 2000


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
    address: str = ""
    """The client's address: hashed into ``visitor``, never stored."""


ViewInput = ClickInput
"""The view pixel takes the click's parameters and headers."""


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
    view_id: int | None = None
    """The view the ``emv_<campaign_id>`` cookie names, if any."""
    address: str = ""
    """The client's address: finds the visitor's last view when no cookie names one."""


def device_columns(user_agent: str) -> dict[str, str]:
    """The device columns of a click, view or transaction from its user agent."""
    fields = device_fields(user_agent)
    return {
        "devicetype": fields.devicetype,
        "device": fields.device,
        "browser": fields.browser,
        "os": fields.os,
    }


def with_emid(target_url: str, click_id: int) -> str:
    """The landing page URL with ``emid=<click id>`` added to its query."""
    parts = urlsplit(target_url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(key, value) for key, value in query if key != "emid"]
    query.append(("emid", str(click_id)))
    return urlunsplit(parts._replace(query=urlencode(query)))


class Tracker:
    """Records clicks and conversions; cheap to build, holds no per-request state."""

    def __init__(self, database: Database, accounts: Accounts) -> None:
        self.database = database
        self.accounts = accounts

    def track_click(self, click: ClickInput, now: datetime | None = None) -> tuple[int, str]:
        """Records a click; returns (click id, landing URL with ``emid``).

        The click stores the visitor hash, its net flag (reclick filter) and the device
        fields of its user agent (``affiliate.visitors``, ``kit.useragent``).
        """
        now = now or utc_now()
        with self.database.read() as conn:
            campaign = traffic_repository.campaign_anywhere(conn, click.campaign_id)
            tracked = campaign is not None and self.tracks(campaign.account_id, conn)
        if campaign is None or not tracked:
            raise UnknownCampaignError
        account_id = campaign.account_id
        with self.database.write() as conn:
            self._check_click_source(conn, account_id, click)
            visitor = VisitorSalts(conn).visitor(account_id, now, click.address, click.user_agent)
            net = ReclickFilter(conn, "clicks").net(account_id, click.campaign_id, visitor, now)
            click_id = repository.allocate_ids(conn, account_id, "click")
            values = _click_values(account_id, click_id, click, now)
            values.update(visitor=visitor.stored, net=net, **device_columns(click.user_agent))
            traffic_repository.insert_click(conn, values)
        return click_id, with_emid(campaign.target_url, click_id)

    @staticmethod
    def _check_click_source(conn: Connection, account_id: int, click: ClickInput) -> None:
        if repository.item(conn, "publishers", account_id, click.publisher_id) is None:
            raise UnknownPublisherError
        if click.project_id:
            project = repository.item(conn, "projects", account_id, click.project_id)
            if project is None or project.publisher_id != click.publisher_id:
                raise UnknownProjectError

    def tracks(self, account_id: int, conn: Connection | None = None) -> bool:
        """Whether the account owning a campaign is enabled and runs the affiliate network
        (read in ``conn``'s transaction when given)."""
        try:
            account = self.accounts.get(account_id, conn)
        except AdminError:
            return False
        return not account.disabled and account.has(Feature.AFFILIATE)

    def track_conversion(self, conversion: ConversionInput) -> None:
        """Records a conversion once per (campaign, trigger, order)."""
        with self.database.write() as conn:
            refusal = self.record_conversions(conn, [conversion], utc_now())[0]
        if refusal is not None:
            raise refusal

    def track_view(self, view: ViewInput, now: datetime | None = None) -> int | None:
        """Records one view in a transaction of its own (``record_views``)."""
        with self.database.write() as conn:
            outcome = self.record_views(conn, [view], now or utc_now())[0]
        if isinstance(outcome, AffiliateError):
            raise outcome
        return outcome

    def record_views(
        self, conn: Connection, views: list[ViewInput], now: datetime
    ) -> list[int | AffiliateError | None]:
        """Records many views in the caller's write transaction (group commit).

        Per view: its id, None for a bot's view (answered, not recorded), or why it was
        refused (nothing recorded for it). Views carry no dedupe id: every request that
        arrives is one view; a repeat by the same visitor within the reclick window is
        stored with ``net`` 0.
        """
        lookups = _ConversionLookups(self, conn)
        salts = VisitorSalts(conn)
        outcomes: list[int | AffiliateError | None] = []
        accepted: list[_AcceptedView] = []
        for view in views:
            try:
                account_id = lookups.traffic_source(view)
            except AffiliateError as refused:
                outcomes.append(refused)
                continue
            devices = device_columns(view.user_agent)
            if devices["devicetype"] != BOT:
                visitor = salts.visitor(account_id, now, view.address, view.user_agent)
                accepted.append(_AcceptedView(len(outcomes), account_id, view, visitor, devices))
            outcomes.append(None)
        pending = _net_view_rows(ReclickFilter(conn, "views"), accepted, now)
        for account_id, rows in pending.items():
            first = repository.allocate_ids(conn, account_id, "view", len(rows))
            for offset, (position, values) in enumerate(rows):
                values["id"] = outcomes[position] = first + offset
            traffic_repository.insert_views(conn, [values for _position, values in rows])
        return outcomes

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
                values = _conversion_values(lookups, conversion, now)
            except AffiliateError as refused:
                outcomes.append(refused)
                continue
            outcomes.append(None)
            pending.setdefault(values["account_id"], []).append(values)
        for account_id, rows in pending.items():
            number_new_transactions(conn, account_id, rows)
            repository.insert_transactions_once(conn, rows)
        return outcomes


@dataclass(frozen=True, slots=True)
class _AcceptedView:
    """A view that passed the checks: where its outcome goes, and what its row needs."""

    position: int
    account_id: int
    view: ViewInput
    visitor: Visitor
    devices: dict[str, str]


def _net_view_rows(
    reviews: ReclickFilter, accepted: list[_AcceptedView], now: datetime
) -> dict[int, list[tuple[int, dict[str, Any]]]]:
    """The rows of the accepted views per account, each with its ``net`` flag. The reclick
    filter looks up the visitors of each campaign with one query, then decides in order."""
    by_campaign: dict[tuple[int, int], list[Visitor]] = {}
    for item in accepted:
        by_campaign.setdefault((item.account_id, item.view.campaign_id), []).append(item.visitor)
    for (account_id, campaign_id), visitors in by_campaign.items():
        reviews.prefetch(account_id, campaign_id, visitors, now)
    pending: dict[int, list[tuple[int, dict[str, Any]]]] = {}
    for item in accepted:
        values = _traffic_values(item.account_id, 0, item.view, now)
        values.update(
            visitor=item.visitor.stored,
            net=reviews.net(item.account_id, item.view.campaign_id, item.visitor, now),
            **item.devices,
        )
        pending.setdefault(item.account_id, []).append((item.position, values))
    return pending


def _traffic_values(
    account_id: int, row_id: int, click: ClickInput, now: datetime
) -> dict[str, Any]:
    """The columns a click and a view share (``tables._traffic_columns``)."""
    return {
        "account_id": account_id,
        "id": row_id,
        "campaign_id": click.campaign_id,
        "publisher_id": click.publisher_id,
        "project_id": click.project_id,
        "subid": click.subid[:MAX_TEXT],
        "admedia_id": click.admedia_id,
        "created_at": now,
        "referrer": click.referrer[:MAX_URL],
        "country": click.country,
    }


def _click_values(
    account_id: int, click_id: int, click: ClickInput, now: datetime
) -> dict[str, Any]:
    values = _traffic_values(account_id, click_id, click, now)
    values["user_agent"] = click.user_agent[:MAX_URL]
    return values


def _conversion_values(
    lookups: _ConversionLookups, conversion: ConversionInput, now: datetime
) -> dict[str, Any]:
    """The new transaction's columns; raises why the conversion is refused."""
    campaign = lookups.campaign(conversion.campaign_id)
    if campaign is None:
        raise UnknownCampaignError
    account_id = campaign.account_id
    currency = conversion.currency.strip().upper() or campaign.currency
    if currency != campaign.currency:
        raise WrongCurrencyError(campaign.currency)
    try:
        turnover = parse_amount(conversion.turnover or "0", currency)
    except ValueError as exc:
        raise InvalidTurnoverError(str(exc)) from exc
    touch = lookups.touch_point(campaign, conversion, now)
    rule = lookups.rule(campaign, touch.publisher_id, conversion.trigger_id)
    if rule is None:
        raise UnknownCommissionTriggerError
    is_click = touch.action_type == "click"
    return {
        "account_id": account_id,
        "status": OPEN,
        "created_at": now,
        "campaign_id": campaign.id,
        "ordertoken": conversion.ordertoken[:MAX_TEXT],
        "source": conversion.source,
        "project_id": touch.row.project_id,
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
        "click_id": touch.row.id if is_click else None,
        "view_id": None if is_click else touch.row.id,
        "action_type": touch.action_type,
        "admedia_id": touch.row.admedia_id,
        **device_columns(conversion.user_agent),
        "salary_id": NOT_PAID_OUT,
        "status_change_date": now,
        "last_change": now,
        "payoutdate": None,
        "cancel_reason": "",
        "user_agent": conversion.user_agent[:MAX_URL],
        "order_timestamp": now,
        "action_timestamp": touch.row.created_at,
        "advertiser_id": campaign.advertiser_id,
        "publisher_id": touch.publisher_id,
        "referrer": touch.row.referrer,
        "country": conversion.country or touch.row.country,
        "subid": touch.row.subid,
        "basket_items": conversion.basket_items,
    }


@dataclass(frozen=True, slots=True)
class _TouchPoint:
    """What a conversion is credited to: a click, or (postview) a view."""

    action_type: str
    row: Row[Any]

    @property
    def publisher_id(self) -> int:
        publisher_id: int = self.row.publisher_id
        return publisher_id


class _ConversionLookups:
    """What a batch of conversions looks up, each thing read once per batch."""

    def __init__(self, tracker: Tracker, conn: Connection) -> None:
        self.tracker = tracker
        self.conn = conn
        self._campaigns: dict[int, Row[Any] | None] = {}
        self._tracking: dict[int, bool] = {}
        self._rules: dict[tuple[int, int, int], repository.RuleRow | None] = {}
        self._sources: dict[tuple[int, int, int, int, int], AffiliateError | None] = {}
        self.salts = VisitorSalts(conn)

    def campaign(self, campaign_id: int) -> Row[Any] | None:
        """The campaign, if its account is enabled and runs the affiliate network."""
        if campaign_id not in self._campaigns:
            campaign = traffic_repository.campaign_anywhere(self.conn, campaign_id)
            if campaign is not None and campaign.account_id not in self._tracking:
                self._tracking[campaign.account_id] = self.tracker.tracks(
                    campaign.account_id, self.conn
                )
            if campaign is not None and not self._tracking[campaign.account_id]:
                campaign = None
            self._campaigns[campaign_id] = campaign
        return self._campaigns[campaign_id]

    def traffic_source(self, view: ClickInput) -> int:
        """The account of a view's campaign; raises why the view is refused."""
        campaign = self.campaign(view.campaign_id)
        if campaign is None:
            raise UnknownCampaignError
        account_id: int = campaign.account_id
        key = (account_id, view.campaign_id, view.publisher_id, view.project_id, view.admedia_id)
        if key not in self._sources:
            self._sources[key] = self._source_refusal(campaign, view)
        refusal = self._sources[key]
        if refusal is not None:
            raise refusal
        return account_id

    def _source_refusal(self, campaign: Row[Any], view: ClickInput) -> AffiliateError | None:
        source = traffic_repository.traffic_source(
            self.conn,
            campaign.account_id,
            campaign.id,
            view.publisher_id,
            view.project_id,
            view.admedia_id,
        )
        if not source.publisher_exists:
            return UnknownPublisherError()
        if source.group_id is None and campaign.default_group_id is None:
            return NotAMemberError()
        if view.project_id and source.project_publisher_id != view.publisher_id:
            return UnknownProjectError()
        if view.admedia_id and source.admedia_campaign_id != campaign.id:
            return UnknownAdmediaError()
        return None

    def click(self, account_id: int, click_id: int) -> Row[Any] | None:
        return traffic_repository.click(self.conn, account_id, click_id)

    def touch_point(
        self, campaign: Row[Any], conversion: ConversionInput, now: datetime
    ) -> _TouchPoint:
        """The conversion's click; else, within the campaign's postview window, the view the
        ``emv_`` cookie names or the visitor's latest view of the campaign; else refused."""
        account_id = campaign.account_id
        if conversion.click_id is not None:
            click = self.click(account_id, conversion.click_id)
            if click is not None and click.campaign_id == campaign.id:
                return _TouchPoint("click", click)
        hours = campaign.postview_window_hours
        if not hours:
            raise NoTrackedClickError
        since = now - timedelta(hours=hours)
        view = None
        if conversion.view_id is not None:
            view = traffic_repository.view(self.conn, account_id, conversion.view_id)
            if view is not None and (view.campaign_id != campaign.id or view.created_at <= since):
                view = None
        if view is None:
            visitor = self.salts.visitor(account_id, now, conversion.address, conversion.user_agent)
            view = traffic_repository.latest_view_of_visitor(
                self.conn, account_id, campaign.id, visitor.known_as, since
            )
        if view is None:
            raise NoTrackedClickError
        return _TouchPoint("view", view)

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
