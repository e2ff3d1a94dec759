"""Demo data for the affiliate network: a shop's campaigns, publishers and transactions.

``fill_transactions`` is also what the benchmarks use to make large datasets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository
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
from commerce_stats.db.engine import Database
from commerce_stats.kit.demo_links import DemoLink
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now

DEMO_TRANSACTIONS = 3_000
DEMO_CLICK_SHARE = 0.9
"""Share of demo transactions that came from a tracked click."""
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
) -> None:
    """Inserts ``count`` plausible transactions spread over the last ``days`` days.

    ``click_share`` of them come from a tracked click, stored too: the transaction's
    ``click_id`` (exported as ``action_id``) names it and its ``action_timestamp`` is the
    click's time. The others have neither, as a sale reported without a click.
    """
    end = now or utc_now()
    with database.write() as conn:
        first_id = repository.allocate_ids(conn, account_id, "transaction", count)
    for start in range(0, count, batch):
        pairs = [
            _transaction(account_id, first_id + index, plan, rng, end, days, click_share)
            for index in range(start, min(count, start + batch))
        ]
        with database.write() as conn:
            _number_clicks(conn, account_id, pairs)
            repository.insert_clicks(conn, [click for click, _row in pairs if click])
            repository.insert_transactions(conn, [row for _click, row in pairs])


Generated = tuple[dict[str, object] | None, dict[str, object]]
"""A generated click (or None) and the transaction row it led to."""


def _number_clicks(conn: Connection, account_id: int, pairs: list[Generated]) -> None:
    """Give each generated click the next click id and let its transaction name it."""
    wanted = sum(1 for click, _row in pairs if click)
    if not wanted:
        return
    click_id = repository.allocate_ids(conn, account_id, "click", wanted)
    for click, row in pairs:
        if click:
            click["id"] = row["click_id"] = click_id
            click_id += 1


def _click(
    account_id: int, member: Member, plan: Plan, row: dict[str, object], at: datetime
) -> dict[str, object]:
    """The tracked click that led to ``row`` (its id is given when the batch is written)."""
    return {
        "account_id": account_id,
        "campaign_id": plan.campaign_id,
        "publisher_id": member.publisher_id,
        "project_id": member.project_id,
        "subid": row["subid"],
        "admedia_id": 0,
        "created_at": at,
        "referrer": row["referrer"],
        "user_agent": row["user_agent"],
        "country": row["country"],
    }


def _transaction(
    account_id: int,
    transaction_id: int,
    plan: Plan,
    rng: random.Random,
    end: datetime,
    days: int,
    click_share: float,
) -> Generated:
    """A transaction, and the click it came from when it came from one."""
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
    if rng.random() >= click_share:
        return None, row
    clicked = created - timedelta(minutes=rng.randrange(1, 600))
    row["action_timestamp"] = clicked
    return _click(account_id, member, plan, row, clicked), row


def load(
    database: Database, account: Account, credentials: dict[str, str], rng: random.Random
) -> list[DemoLink]:
    """The demo network and links to its exports."""
    network = AffiliateNetwork(database, Accounts(database))
    plan = build_catalog(network, account)
    with database.write() as conn:
        repository.allocate_ids(conn, account.id, "salary")
    fill_transactions(
        database, account.id, plan, DEMO_TRANSACTIONS, rng, click_share=DEMO_CLICK_SHARE
    )
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
