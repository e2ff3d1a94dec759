"""Demo data for the affiliate network: a shop's campaign with its admedia, publishers,
transactions, and the clicks and views behind them.

``fill_transactions`` is also what the benchmarks use to make large datasets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository
from commerce_stats.affiliate.demo_traffic import USER_AGENTS as TRAFFIC_USER_AGENTS
from commerce_stats.affiliate.demo_traffic import (
    DemoVisitors,
    Origin,
    Touch,
    TrafficSource,
    make_touch,
    mark_net,
    store_touches,
    unconverted_traffic,
)
from commerce_stats.affiliate.model import RateSpec
from commerce_stats.affiliate.rules import (
    CANCELED,
    CONFIRMED,
    NOT_PAID_OUT,
    OPEN,
    PAID,
    commission_minor,
    ebestid,
)
from commerce_stats.affiliate.service import AffiliateNetwork
from commerce_stats.affiliate.tracker import device_columns
from commerce_stats.affiliate.traffic_repository import TrafficKind
from commerce_stats.db.engine import Database
from commerce_stats.kit.demo_links import DemoLink
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now

DEMO_TRANSACTIONS = 2_000
DEMO_CLICK_SHARE = 0.9
"""Share of demo transactions that came from a tracked click; the others came from a view."""
DEMO_VIEW_SHARE = 0.1
DEMO_UNCONVERTED: dict[TrafficKind, int] = {"clicks": 25_000, "views": 45_000}
"""New visitors whose click or view led to no transaction (their repeats come on top)."""
DEMO_POSTVIEW_WINDOW_HOURS = 24
TRAFFIC_WEIGHTS = (5, 4, 4, 3, 3)
"""How much of the unconverted traffic each publisher sends, in ``PUBLISHERS`` order."""
DEMO_ADMEDIA = (
    ("Banner 728x90 Winterschlussverkauf", "banner", "https://shop.example/sale"),
    ("Banner 300x250 Neuheiten", "banner", ""),
    ("Textlink Versandkostenfrei", "textlink", "https://shop.example/versand"),
    ("Produktdatenfeed Sortiment", "productfeed", ""),
    ("Newsletter-Anzeige", "email", "https://shop.example/newsletter"),
)
"""(title, kind, target URL; empty: the campaign's landing page)."""
NO_DEVICE = {"devicetype": "", "device": "", "browser": "", "os": ""}
"""The device fields of a transaction without a click or view (its user agent is not parsed)."""
VIEWED_KINDS = frozenset({"banner", "email", "html", "video"})
"""Admedia kinds a view pixel is shown with (a text link or a feed entry has none)."""
PUBLISHERS = (
    ("Anna", "Berg", "annas-deals"),
    ("Ben", "Schulz", "gutschein-ben"),
    ("Clara", "Wolf", "clara-cashback"),
    ("David", "Fischer", ""),
    ("Eva", "Lange", "eva-vergleicht"),
)
REASONS = ("Retoure", "Storniert durch Kunden", "Doppelbestellung", "Zahlung ausgeblieben")
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
)


@dataclass(frozen=True, slots=True)
class Rate:
    """A trigger's rate in one commission group."""

    trigger_id: int
    trigger_title: str
    trigger_type: str
    value_scaled: int
    group_id: int
    group_title: str


@dataclass(frozen=True, slots=True)
class Member:
    """A publisher's project and the one commission group it has in the campaign."""

    project_id: int
    publisher_id: int
    group_id: int


@dataclass(frozen=True, slots=True)
class Plan:
    """What a generated transaction can refer to."""

    campaign_id: int
    advertiser_id: int
    currency: str
    rates: list[Rate]
    members: list[Member]
    admedia: tuple[int, ...] = ()
    viewed_admedia: tuple[int, ...] = ()
    """The admedia of kinds in ``VIEWED_KINDS``."""
    postview_window_hours: int = 0

    def rates_of(self, group_id: int) -> list[Rate]:
        return [rate for rate in self.rates if rate.group_id == group_id]


GROUPS = (("Standard", "8", "1.50"), ("Premium", "12", "2.50"))
"""(title, sale percentage, lead amount in EUR); the first is the campaign's default."""


def build_catalog(network: AffiliateNetwork, account: Account) -> Plan:
    """An advertiser, one campaign with a sale and a lead trigger, two groups, publishers.

    Every second publisher is moved to the Premium group; the others stay in the
    default group, so each publisher earns under exactly one group of the campaign.
    """
    advertiser = network.model.create_advertiser(account, "Demo Shop GmbH")
    campaign = network.model.create_campaign(
        account, advertiser.id, "Demo Shop Kampagne", "https://shop.example/landing", "EUR"
    )
    sale = network.model.create_trigger(account, campaign.id, "Sale")
    lead = network.model.create_trigger(account, campaign.id, "Newsletter")
    rates: list[Rate] = []
    groups = []
    for title, percent, fixed in GROUPS:
        specs = [
            RateSpec(sale.id, "sale_dynamic", Decimal(percent)),
            RateSpec(lead.id, "lead_fixed", Decimal(fixed)),
        ]
        group = network.model.create_group(
            account, campaign.id, title, specs, default=title == GROUPS[0][0]
        ).group
        groups.append(group)
        rates.append(
            Rate(sale.id, "Sale", "sale_dynamic", int(Decimal(percent) * 100), group.id, title)
        )
        rates.append(
            Rate(
                lead.id,
                "Newsletter",
                "lead_fixed",
                int(Decimal(fixed) * 100),
                group.id,
                title,
            )
        )
    members: list[Member] = []
    for index, (prename, surname, searchtitle) in enumerate(PUBLISHERS):
        publisher, _token = network.model.create_publisher(account, prename, surname, searchtitle)
        project = network.model.create_project(account, publisher.id, f"{prename}s Website")
        group = groups[index % 2]
        if group is not groups[0]:
            network.model.assign_group(account, campaign.id, publisher.id, group.id)
        members.append(Member(project.id, publisher.id, group.id))
    return Plan(campaign.id, advertiser.id, "EUR", rates, members)


def add_admedia(network: AffiliateNetwork, account: Account, plan: Plan) -> Plan:
    """The demo's admedia (``DEMO_ADMEDIA``) and its postview window on the plan's campaign,
    made as the admin API makes them."""
    made = [
        network.model.create_admedia(account, plan.campaign_id, title, kind, target_url)
        for title, kind, target_url in DEMO_ADMEDIA
    ]
    network.model.set_postview_window(account, plan.campaign_id, DEMO_POSTVIEW_WINDOW_HOURS)
    return replace(
        plan,
        admedia=tuple(medium.id for medium in made),
        viewed_admedia=tuple(medium.id for medium in made if medium.kind in VIEWED_KINDS),
        postview_window_hours=DEMO_POSTVIEW_WINDOW_HOURS,
    )


def fill_transactions(
    database: Database,
    account_id: int,
    plan: Plan,
    count: int,
    rng: random.Random,
    *,
    days: int = 60,
    now: datetime | None = None,
    batch: int = 5_000,
    click_share: float = 0.0,
    view_share: float = 0.0,
    visitors: DemoVisitors | None = None,
) -> None:
    """Inserts ``count`` plausible transactions spread over the last ``days`` days.

    ``click_share`` of them come from a tracked click and ``view_share`` (postview) from a
    view of one of the plan's viewed admedia within its postview window; that click or view
    is stored too, with the tracker's columns (``demo_traffic``). The transaction names it
    (``click_id`` or ``view_id``, exported as ``action_id``), takes its time as
    ``action_timestamp`` and its admedia, subid, user agent and device fields. The others
    have neither, as a sale reported without a click. ``visitors`` numbers the visitors
    (new ones from ``rng`` when None), so that other demo traffic can share them.
    """
    end = now or utc_now()
    if (click_share or view_share) and visitors is None:
        visitors = DemoVisitors(rng.randbytes(32))
    shares = Shares(click_share, view_share, visitors)
    with database.write() as conn:
        first_id = repository.allocate_ids(conn, account_id, "transaction", count)
    for start in range(0, count, batch):
        pairs = [
            _transaction(account_id, first_id + index, plan, rng, end, days, shares)
            for index in range(start, min(count, start + batch))
        ]
        touches = [touch for touch, _row in pairs if touch]
        mark_net(touches)
        with database.write() as conn:
            store_touches(conn, account_id, touches)
            for touch, row in pairs:
                if touch:
                    row["click_id" if touch.kind == "clicks" else "view_id"] = touch.values["id"]
            repository.insert_transactions(conn, [row for _touch, row in pairs])


def fill_traffic(
    database: Database,
    account_id: int,
    plan: Plan,
    rng: random.Random,
    visitors: DemoVisitors,
    counts: dict[TrafficKind, int],
    *,
    days: int = 60,
    now: datetime | None = None,
    batch: int = 10_000,
) -> None:
    """Clicks and views of ``counts`` new visitors that led to no transaction, with their
    repeats, over the last ``days`` days; publishers get traffic by ``TRAFFIC_WEIGHTS``."""
    end = now or utc_now()
    source = TrafficSource(
        account_id,
        plan.campaign_id,
        plan.members,
        TRAFFIC_WEIGHTS[: len(plan.members)],
        (0, *plan.admedia),
        plan.viewed_admedia or (0,),
    )
    for kind, count in counts.items():
        for start in range(0, count, batch):
            wanted: dict[TrafficKind, int] = {kind: min(batch, count - start)}
            touches = unconverted_traffic(source, visitors, rng, wanted, end, days)
            mark_net(touches)
            with database.write() as conn:
                store_touches(conn, account_id, touches)


@dataclass(frozen=True, slots=True)
class Shares:
    """Which share of generated transactions comes from a click, which from a view."""

    click: float
    view: float
    visitors: DemoVisitors | None


Generated = tuple[Touch | None, dict[str, object]]
"""A generated click or view (or None) and the transaction row it led to."""


def _transaction(
    account_id: int,
    transaction_id: int,
    plan: Plan,
    rng: random.Random,
    end: datetime,
    days: int,
    shares: Shares,
) -> Generated:
    """A transaction, and the click or view it came from when it came from one."""
    member = rng.choice(plan.members)
    rate = rng.choice(plan.rates_of(member.group_id))
    created = end - timedelta(seconds=rng.randrange(days * 86400))
    source_turnover = rng.randrange(1_000, 40_000) if rate.trigger_type.startswith("sale") else 0
    status = rng.choices((OPEN, CONFIRMED, CANCELED, PAID), weights=(5, 3, 1, 2))[0]
    turnover = source_turnover
    if status == CONFIRMED and rng.random() < 0.1:
        turnover = source_turnover * rng.randrange(50, 95) // 100
    changed = min(end, created + timedelta(days=rng.randrange(0, 20)))
    token = f"DE-{transaction_id:08d}"
    row: dict[str, object] = {
        "account_id": account_id,
        "id": transaction_id,
        "status": status,
        "created_at": created,
        "campaign_id": plan.campaign_id,
        "ordertoken": token,
        "source": "img",
        "project_id": member.project_id,
        "commission_minor": commission_minor(rate.trigger_type, rate.value_scaled, turnover),
        "commission_group_id": rate.group_id,
        "campaign_group_title": rate.group_title,
        "trigger_id": rate.trigger_id,
        "trigger_title": rate.trigger_title,
        "trigger_type": rate.trigger_type,
        "trigger_value_scaled": rate.value_scaled,
        "description": "",
        "voucher_code": "",
        "turnover_minor": turnover,
        "source_turnover_minor": source_turnover,
        "currency": plan.currency,
        "click_id": None,
        "view_id": None,
        "action_type": "",
        "admedia_id": 0,
        **NO_DEVICE,
        "salary_id": 1 if status == PAID else NOT_PAID_OUT,
        "status_change_date": changed if status != OPEN else created,
        "last_change": changed,
        "payoutdate": changed if status == PAID else None,
        "cancel_reason": rng.choice(REASONS) if status == CANCELED else "",
        "user_agent": rng.choice(USER_AGENTS),
        "ebestid": ebestid(account_id, transaction_id, token),
        "order_timestamp": created,
        "action_timestamp": None,
        "advertiser_id": plan.advertiser_id,
        "publisher_id": member.publisher_id,
        "referrer": f"https://publisher{member.publisher_id}.example/",
        "country": rng.choice(("DE", "AT", "CH")),
        "subid": rng.choice(("", "newsletter", "sidebar")),
        "basket_items": rng.randrange(1, 6) if rate.trigger_type.startswith("sale") else 0,
    }
    drawn = rng.random()
    if drawn >= shares.click + shares.view or shares.visitors is None:
        return None, row
    kind: TrafficKind = "clicks" if drawn < shares.click else "views"
    return _touch_of(shares.visitors, kind, (account_id, plan, member), row, rng), row


def _touch_of(
    visitors: DemoVisitors,
    kind: TrafficKind,
    placed: tuple[int, Plan, Member],
    row: dict[str, object],
    rng: random.Random,
) -> Touch:
    """The click (up to ten hours before the order) or the view (within the postview
    window) that led to ``row``; the row takes its time, admedia and device fields."""
    account_id, plan, member = placed
    created = row["created_at"]
    assert isinstance(created, datetime)
    if kind == "clicks":
        admedia_id = rng.choice((0, *plan.admedia))
        at = created - timedelta(minutes=rng.randrange(1, 600))
    else:
        if not plan.viewed_admedia or not plan.postview_window_hours:
            raise ValueError("postview transactions need viewed admedia and a postview window")
        admedia_id = rng.choice(plan.viewed_admedia)
        at = created - timedelta(minutes=rng.randrange(1, plan.postview_window_hours * 60))
    user_agent = rng.choice(TRAFFIC_USER_AGENTS)
    origin = Origin(
        str(row["subid"]), admedia_id, str(row["referrer"]), str(row["country"]), user_agent
    )
    touch = make_touch(visitors, kind, account_id, plan.campaign_id, member, origin, at)
    row.update(
        action_type=kind[:-1],
        action_timestamp=at,
        admedia_id=admedia_id,
        user_agent=user_agent,
        **device_columns(user_agent),
    )
    return touch


def fill_network(
    database: Database,
    account_id: int,
    plan: Plan,
    rng: random.Random,
    *,
    now: datetime | None = None,
    days: int = 60,
    transactions: int = DEMO_TRANSACTIONS,
    unconverted: dict[TrafficKind, int] | None = None,
) -> None:
    """The demo's transactions, each after a click or a view, and the traffic that did not
    convert, over the last ``days`` days (``plan`` with admedia, see ``add_admedia``)."""
    end = now or utc_now()
    visitors = DemoVisitors(rng.randbytes(32))
    fill_transactions(
        database,
        account_id,
        plan,
        transactions,
        rng,
        days=days,
        now=end,
        click_share=DEMO_CLICK_SHARE,
        view_share=DEMO_VIEW_SHARE,
        visitors=visitors,
    )
    counts = DEMO_UNCONVERTED if unconverted is None else unconverted
    fill_traffic(database, account_id, plan, rng, visitors, counts, days=days, now=end)


def load(
    database: Database, account: Account, credentials: dict[str, str], rng: random.Random
) -> list[DemoLink]:
    """The demo network and links to its exports."""
    network = AffiliateNetwork(database, Accounts(database))
    plan = add_admedia(network, account, build_catalog(network, account))
    with database.write() as conn:
        repository.allocate_ids(conn, account.id, "salary")
    fill_network(database, account.id, plan, rng)
    token = credentials["affiliate_access_token"]
    base = f"{{base}}/api/{token}/admin/{account.id}"
    return [
        DemoLink(
            "Affiliate transactions (CSV, current month)", f"{base}/get-statistic_transactions.csv"
        ),
        DemoLink(
            "Affiliate transactions, last 30 days, confirmed and paid (XLSX; -g: keep the [])",
            f"curl -g -o transactions.xlsx '{base}/get-statistic_transactions.xlsx"
            "?condition[dynamicdate]=last30d&condition[l:status]=confirmed,paid'",
        ),
        DemoLink("Affiliate daily report (JSON)", f"{base}/get-statistic_daily.json"),
        DemoLink("Affiliate admedia list (CSV)", f"{base}/get-campaigns_admedialist.csv"),
        DemoLink(
            "Affiliate tracked click (redirects with emid)",
            f"{{base}}/trck/eclick/?campaign_id={plan.campaign_id}"
            f"&publisher_id={plan.members[0].publisher_id}&project_id={plan.members[0].project_id}",
        ),
        DemoLink(
            "Affiliate order upload (curl)",
            "curl -X PUT {base}/REST/orders/ "
            f"-F login_id={credentials['affiliate_login_id']} "
            f"-F token={credentials['affiliate_rest_token']} -F section=Admin "
            "-F file=@examples/orders.csv",
        ),
    ]
