"""The Orders API: ``get-orders`` (one row per order) and ``get-orders_baskets`` (per basket).

``get-orders.{csv,xls,xlsx,xml,json}`` is the admin's: a publisher link asking for it is
refused with ``NO PERMISSION``. ``get-orders_baskets`` answers both sides; a publisher's
link counts that publisher's orders only. Both take the transactions' filters plus
``condition[l:mandant]`` (the network: ``-1`` or the link's own account id; any other value
is refused, never another network's rows) and ``condition[datemode]`` (``incoming``,
``processing``, ``payout``: another spelling of ``condition[timetype]``).

Orders are read from the database in batches and rendered one by one; the baskets report
keeps one running line per basket size and currency, never the orders themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row

from commerce_stats.affiliate import orders_repository
from commerce_stats.affiliate.access import Owner
from commerce_stats.affiliate.errors import (
    InvalidFilterError,
    NoPermissionError,
    UnknownReportError,
)
from commerce_stats.affiliate.export_lines import LocalClock, Money
from commerce_stats.affiliate.filters import TIME_TYPE, Filters, parse_filters
from commerce_stats.affiliate.repository import TransactionQuery
from commerce_stats.affiliate.rules import CANCELED, CONFIRMED, OPEN, PAID
from commerce_stats.db.engine import Database
from commerce_stats.kit.exports import Cell, ExportFormat, write_export
from commerce_stats.kit.timeutil import local_today

PREFIX = "get-orders"
ORDERS = "orders"
BASKETS = "baskets"
REPORT_NAMES = {PREFIX: ORDERS, f"{PREFIX}_baskets": BASKETS}
"""Each link's stem and the report it names."""
MANDANT = "condition[l:mandant]"
DATE_MODE = "condition[datemode]"
ALL_NETWORKS = "-1"
"""The product's word for "every network the token may read": here, the link's own."""
DATE_MODES = {"incoming": "0", "processing": "1", "payout": "2"}
"""``condition[datemode]`` as the ``condition[timetype]`` value it stands for."""
STATUS_ORDER = (OPEN, CONFIRMED, CANCELED, PAID)
STATUS_WORDS = ("open", "confirmed", "canceled", "paidout")
ORDER_COLUMNS = (
    "ordertoken",
    "campaign_id",
    "campaign_title",
    "advertiser_id",
    "publisher_id",
    "project_id",
    "status",
    "positions",
    *(f"positions_{word}" for word in STATUS_WORDS),
    "basket_items",
    "turnover",
    "provision",
    "currency",
    "trackingtime",
    "order_timestamp",
    "last_change",
    "first_transaction_id",
)
BASKET_COLUMNS = (
    "criterion",
    "currency",
    "orders",
    *(
        f"all_{word}_{metric}"
        for word in STATUS_WORDS
        for metric in ("count", "turnover", "provision")
    ),
)

Scope = Callable[[Owner, Filters], TransactionQuery]
"""The exports' scoping of filters to an owner (``exporting.build_query``): the account,
and for a publisher's link that publisher only."""


@dataclass(frozen=True, slots=True)
class OrdersExport:
    """A validated Orders API answer, ready to stream."""

    filename: str
    export_format: ExportFormat
    body: Iterator[bytes]
    ignored: tuple[str, ...] = ()


def is_orders_link(filename: str) -> bool:
    return filename.startswith(PREFIX)


def parse_name(filename: str) -> tuple[str, ExportFormat]:
    """``get-orders_baskets.json`` -> ("baskets", json); other ``get-orders`` names refused."""
    stem, _, extension = filename.rpartition(".")
    if stem not in REPORT_NAMES:
        raise UnknownReportError(f"unknown report {filename!r}; known: {', '.join(REPORT_NAMES)}")
    try:
        return REPORT_NAMES[stem], ExportFormat(extension.lower())
    except ValueError as exc:
        raise UnknownReportError(
            f"unknown format {extension!r}; use csv, xls, xlsx, xml or json"
        ) from exc


def check_mandant(text: str, account_id: int) -> None:
    """``condition[l:mandant]`` must name the link's own network (or ``-1``, every network the
    token reads, which is the same one); every value of a comma-separated list is checked."""
    values = [part.strip() for part in text.split(",")]
    allowed = {ALL_NETWORKS, str(account_id)}
    bad = [value for value in values if value not in allowed]
    if bad or not text.strip():
        raise InvalidFilterError(
            f"{MANDANT}: {', '.join(bad) or '(empty)'} is not this network; "
            f"use {ALL_NETWORKS} or {account_id}"
        )


def _time_type(text: str) -> tuple[str, str]:
    mode = text.strip().lower()
    if mode not in DATE_MODES:
        raise InvalidFilterError(
            f"{DATE_MODE}: unknown value {text!r}; use incoming, processing or payout"
        )
    return TIME_TYPE, DATE_MODES[mode]


def order_filters(params: Iterable[tuple[str, str]], owner: Owner) -> Filters:
    """The transactions' filters, after the Orders API's own two are checked and taken out."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, value in params:
        if name in (MANDANT, DATE_MODE) and name in seen:
            raise InvalidFilterError(f"{name} is given more than once")
        seen.add(name)
        if name == MANDANT:
            check_mandant(value, owner.account.id)
        elif name == DATE_MODE:
            pairs.append(_time_type(value))
        else:
            pairs.append((name, value))
    if DATE_MODE in seen and TIME_TYPE in seen:
        raise InvalidFilterError(f"{DATE_MODE} and {TIME_TYPE} are the same filter; give one")
    return parse_filters(pairs, local_today(owner.account.timezone))


def prepare(
    database: Database,
    owner: Owner,
    filename: str,
    params: Iterable[tuple[str, str]],
    scope: Scope,
) -> OrdersExport:
    """Validates the link and its filters before anything is read; the body streams."""
    report, export_format = parse_name(filename)
    if report == ORDERS and owner.publisher_id is not None:
        raise NoPermissionError
    filters = order_filters(params, owner)
    query = scope(owner, filters)
    tz = owner.account.timezone
    stem = PREFIX if report == ORDERS else f"{PREFIX}_{BASKETS}"
    if report == ORDERS:
        body = write_export(
            export_format, ORDER_COLUMNS, order_rows(database, query, tz), name=ORDERS
        )
    else:
        body = write_export(
            export_format, BASKET_COLUMNS, basket_rows(database, query), name=BASKETS
        )
    return OrdersExport(f"{stem}.{export_format.value}", export_format, body, filters.ignored)


def stored_orders(database: Database, query: TransactionQuery) -> Generator[Row[Any]]:
    """The selected orders as stored; the read opens when the first one is asked for and ends
    when this generator is closed."""
    with database.read_replica() as conn:
        yield from orders_repository.stream_orders(conn, query)


def standing(
    status: int, turnover_all: int, commission_all: int, turnover: int, commission: int
) -> tuple[int, int]:
    """The order's turnover and commission (minor units): those of its positions that stand
    (are not canceled); an order canceled in full shows what was canceled."""
    if status == CANCELED:
        return int(turnover_all), int(commission_all)
    return int(turnover), int(commission)


def standing_amounts(order: Row[Any]) -> tuple[int, int]:
    """``standing`` of a stored order."""
    return standing(
        order.status,
        order.turnover_all,
        order.commission_all,
        order.turnover_standing,
        order.commission_standing,
    )


def order_cells(order: Sequence[Any], clock: LocalClock, money: Money) -> tuple[Cell, ...]:
    """One order (``orders_repository.ORDER_COLUMNS``) as the ``ORDER_COLUMNS`` values.

    The row is unpacked by position, as the transactions export does: by name would cost
    more than the rendering itself on large exports."""
    (
        ordertoken, campaign_id, campaign_title, advertiser_id, publisher_id, project_id,
        status, positions, open_positions, confirmed_positions, canceled_positions,
        paid_positions, basket_items, turnover_all, commission_all, turnover_standing,
        commission_standing, currency, first_tracked, order_timestamp, last_change, first_id,
    ) = order  # fmt: skip
    turnover, commission = standing(
        status, turnover_all, commission_all, turnover_standing, commission_standing
    )
    text = clock.raw_text
    return (
        ordertoken,
        campaign_id,
        campaign_title,
        advertiser_id,
        publisher_id,
        project_id,
        int(status),
        int(positions),
        int(open_positions),
        int(confirmed_positions),
        int(canceled_positions),
        int(paid_positions),
        int(basket_items),
        money.amount(turnover, currency),
        money.amount(commission, currency),
        currency,
        text(first_tracked),
        text(order_timestamp),
        text(last_change),
        int(first_id),
    )


def order_rows(database: Database, query: TransactionQuery, tz: str) -> Iterator[tuple[Cell, ...]]:
    clock = LocalClock(tz)
    money = Money()
    with closing(stored_orders(database, query)) as orders:
        for order in orders:
            yield order_cells(order, clock, money)


@dataclass
class BasketLine:
    """One basket size in one currency: orders, and per order status their count and sums."""

    basket_items: int
    currency: str
    counts: dict[int, int] = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))
    turnover: dict[int, int] = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))
    commission: dict[int, int] = field(default_factory=lambda: dict.fromkeys(STATUS_ORDER, 0))

    def add(self, order: Row[Any]) -> None:
        status = int(order.status)
        turnover, commission = standing_amounts(order)
        self.counts[status] += 1
        self.turnover[status] += turnover
        self.commission[status] += commission

    def cells(self, money: Money) -> tuple[Cell, ...]:
        values: list[Cell] = [self.basket_items, self.currency, sum(self.counts.values())]
        for status in STATUS_ORDER:
            values.append(self.counts[status])
            values.append(money.amount(self.turnover[status], self.currency))
            values.append(money.amount(self.commission[status], self.currency))
        return tuple(values)


def basket_lines(orders: Iterable[Row[Any]]) -> list[BasketLine]:
    """The orders summed per basket size and currency, ascending."""
    lines: dict[tuple[int, str], BasketLine] = {}
    for order in orders:
        key = (int(order.basket_items), order.currency)
        line = lines.get(key)
        if line is None:
            line = lines[key] = BasketLine(*key)
        line.add(order)
    return [lines[key] for key in sorted(lines)]


def basket_rows(database: Database, query: TransactionQuery) -> Iterator[tuple[Cell, ...]]:
    money = Money()
    with closing(stored_orders(database, query)) as orders:
        lines = basket_lines(orders)
    for line in lines:
        yield line.cells(money)
