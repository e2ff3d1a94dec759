"""Demo data for the affiliate network: a shop's campaigns, publishers and transactions.

``fill_transactions`` is also what the benchmarks use to make large datasets.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from commerce_stats.accounts.service import Accounts
from commerce_stats.affiliate import repository
from commerce_stats.affiliate.rules import (
    CANCELED,
    CONFIRMED,
    NOT_PAID_OUT,
    OPEN,
    PAID,
    commission_minor,
    ebestid,
)
from commerce_stats.affiliate.service import AffiliateNetwork, RateSpec
from commerce_stats.db.engine import Database
from commerce_stats.demo import DemoLink
from commerce_stats.kit.tenancy import Account
from commerce_stats.kit.timeutil import utc_now

DEMO_TRANSACTIONS = 3_000
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
class Plan:
    """What a generated transaction can refer to."""

    campaign_id: int
    advertiser_id: int
    currency: str
    rates: list[tuple[int, str, int, str, int, str]]
    """(trigger id, trigger title, group id, group title, value scaled, trigger type)"""
    projects: list[tuple[int, int]]
    """(project id, publisher id)"""


def build_catalog(network: AffiliateNetwork, account: Account) -> Plan:
    """An advertiser, one campaign with a sale and a lead trigger, two groups, publishers."""
    advertiser = network.create_advertiser(account, "Demo Shop GmbH")
    campaign = network.create_campaign(
        account, advertiser["id"], "Demo Shop Kampagne", "https://shop.example/landing", "EUR"
    )
    sale = network.create_trigger(account, campaign["id"], "Sale")
    lead = network.create_trigger(account, campaign["id"], "Newsletter")
    groups = []
    for title, percent, fixed in (("Standard", "8", "1.50"), ("Premium", "12", "2.50")):
        rates = [
            RateSpec(sale["id"], "sale_dynamic", Decimal(percent)),
            RateSpec(lead["id"], "lead_fixed", Decimal(fixed)),
        ]
        groups.append(
            network.create_group(account, campaign["id"], title, rates, default=title == "Standard")
        )
    projects: list[tuple[int, int]] = []
    for index, (prename, surname, searchtitle) in enumerate(PUBLISHERS):
        publisher, _token = network.create_publisher(account, prename, surname, searchtitle)
        project = network.create_project(account, publisher["id"], f"{prename}s Website")
        projects.append((project["id"], publisher["id"]))
        if index % 2:
            network.assign_group(account, campaign["id"], publisher["id"], groups[1]["id"])
    plan_rates = [
        (sale["id"], "Sale", group["id"], group["title"], rate_value, "sale_dynamic")
        for group, rate_value in ((groups[0], 800), (groups[1], 1200))
    ] + [
        (lead["id"], "Newsletter", group["id"], group["title"], rate_value, "lead_fixed")
        for group, rate_value in ((groups[0], 150), (groups[1], 250))
    ]
    return Plan(campaign["id"], advertiser["id"], "EUR", plan_rates, projects)


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
) -> None:
    """Inserts ``count`` plausible transactions spread over the last ``days`` days."""
    end = now or utc_now()
    with database.write() as conn:
        first_id = repository.allocate_ids(conn, account_id, "transaction", count)
    for start in range(0, count, batch):
        rows = [
            _transaction(account_id, first_id + index, plan, rng, end, days)
            for index in range(start, min(count, start + batch))
        ]
        with database.write() as conn:
            repository.insert_transactions(conn, rows)


def _transaction(
    account_id: int, transaction_id: int, plan: Plan, rng: random.Random, end: datetime, days: int
) -> dict[str, object]:
    trigger_id, trigger_title, group_id, group_title, value, trigger_type = rng.choice(plan.rates)
    project_id, publisher_id = rng.choice(plan.projects)
    created = end - timedelta(seconds=rng.randrange(days * 86400))
    source_turnover = rng.randrange(1_000, 40_000) if trigger_type.startswith("sale") else 0
    status = rng.choices((OPEN, CONFIRMED, CANCELED, PAID), weights=(5, 3, 1, 2))[0]
    turnover = source_turnover
    if status == CONFIRMED and rng.random() < 0.1:
        turnover = source_turnover * rng.randrange(50, 95) // 100
    changed = min(end, created + timedelta(days=rng.randrange(0, 20)))
    token = f"DE-{transaction_id:08d}"
    return {
        "account_id": account_id,
        "id": transaction_id,
        "status": status,
        "created_at": created,
        "campaign_id": plan.campaign_id,
        "ordertoken": token,
        "source": "img",
        "project_id": project_id,
        "commission_minor": commission_minor(trigger_type, value, turnover),
        "commission_group_id": group_id,
        "campaign_group_title": group_title,
        "trigger_id": trigger_id,
        "trigger_title": trigger_title,
        "trigger_type": trigger_type,
        "trigger_value_scaled": value,
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
        "action_timestamp": created - timedelta(minutes=rng.randrange(1, 600)),
        "advertiser_id": plan.advertiser_id,
        "publisher_id": publisher_id,
        "referrer": f"https://publisher{publisher_id}.example/",
        "country": rng.choice(("DE", "AT", "CH")),
        "subid": rng.choice(("", "newsletter", "sidebar")),
        "basket_items": rng.randrange(1, 6) if trigger_type.startswith("sale") else 0,
    }


def load(
    database: Database, account: Account, credentials: dict[str, str], rng: random.Random
) -> list[DemoLink]:
    """The demo network and links to its exports."""
    network = AffiliateNetwork(database, Accounts(database))
    plan = build_catalog(network, account)
    with database.write() as conn:
        repository.allocate_ids(conn, account.id, "salary")
    fill_transactions(database, account.id, plan, DEMO_TRANSACTIONS, rng)
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
            f"&publisher_id={plan.projects[0][1]}&project_id={plan.projects[0][0]}",
        ),
        DemoLink(
            "Affiliate order upload (curl)",
            "curl -X PUT {base}/REST/orders/ "
            f"-F login_id={credentials['affiliate_login_id']} "
            f"-F token={credentials['affiliate_rest_token']} -F section=Admin "
            "-F file=@examples/orders.csv",
        ),
    ]
