"""All SQL of the affiliate domain (SQLAlchemy Core); every query is scoped by account."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Join,
    Result,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    false,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.types import NullType

from commerce_stats.accounts.repository import account_timezone
from commerce_stats.affiliate.export_lines import (
    EXPORT_FIELDS,
    PUBLISHER_FIELDS,
    PUBLISHER_TIMESTAMP_FIELDS,
    TIMESTAMP_FIELDS,
    Renderer,
    export_key,
    renderer_for,
)
from commerce_stats.affiliate.tables import (
    admedia,
    advertisers,
    campaign_directory,
    campaigns,
    commission_groups,
    commission_rates,
    counters,
    memberships,
    projects,
    publishers,
    transactions,
    triggers,
)
from commerce_stats.db.upsert import insert_ignoring_duplicates, upsert

STREAM_BATCH = 5_000
LOOKUP_CHUNK = 500
"""Ids or tokens per ``IN (...)`` lookup."""


def allocate_ids(conn: Connection, account_id: int, name: str, count: int = 1) -> int:
    """Reserves ``count`` consecutive ids of sequence ``name``; returns the first."""
    statement = upsert(conn, counters, ["account_id", "name"], add=["last_value"]).returning(
        counters.c.last_value
    )
    parameters = {"account_id": account_id, "name": name, "last_value": count}
    last: int = conn.execute(statement, parameters).scalar_one()
    return last - count + 1


def next_campaign_id(conn: Connection) -> int:
    """The next server-wide campaign id (tracking URLs name a campaign without its account)."""
    current: int | None = conn.execute(select(func.max(campaign_directory.c.campaign_id))).scalar()
    return (current or 0) + 1


Collection = Literal[
    "advertisers", "campaigns", "triggers", "groups", "publishers", "projects", "admedia"
]
"""The model's kinds of items, by the names the admin API lists them under."""
Listed = Collection | Literal["rates", "memberships"]

_TABLES: dict[Listed, Table] = {
    "advertisers": advertisers,
    "campaigns": campaigns,
    "triggers": triggers,
    "groups": commission_groups,
    "publishers": publishers,
    "projects": projects,
    "admedia": admedia,
    "rates": commission_rates,
    "memberships": memberships,
}
ITEM_NAMES: dict[Collection, str] = {
    "advertisers": "advertiser",
    "campaigns": "campaign",
    "triggers": "trigger",
    "groups": "commission group",
    "publishers": "publisher",
    "projects": "project",
    "admedia": "admedia",
}
"""How a refusal names one item of each kind."""
SEQUENCES: dict[Collection, str] = {
    "advertisers": "advertiser",
    "campaigns": "campaign",
    "triggers": "trigger",
    "groups": "group",
    "publishers": "publisher",
    "projects": "project",
    "admedia": "admedia",
}
"""The per-account id sequence of each kind (campaign ids come from ``next_campaign_id``)."""


def insert_campaign(conn: Connection, values: Mapping[str, Any]) -> None:
    """The campaign row and its directory entry (campaign id to account)."""
    conn.execute(
        insert(campaign_directory).values(campaign_id=values["id"], account_id=values["account_id"])
    )
    conn.execute(insert(campaigns).values(**values))


def insert_item(conn: Connection, kind: Collection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(_TABLES[kind]).values(**values))


def items(conn: Connection, kind: Listed, account_id: int) -> Sequence[Row[Any]]:
    """Every item of a kind of the account, in id order."""
    table = _TABLES[kind]
    order = [column for column in table.primary_key.columns if column.name != "account_id"]
    return conn.execute(
        select(table).where(table.c.account_id == account_id).order_by(*order)
    ).all()


def item(conn: Connection, kind: Collection, account_id: int, item_id: int) -> Row[Any] | None:
    table = _TABLES[kind]
    return conn.execute(
        select(table).where(table.c.account_id == account_id, table.c.id == item_id)
    ).first()


def publisher_by_token(conn: Connection, token_hash: str) -> Row[Any] | None:
    return conn.execute(select(publishers).where(publishers.c.token_hash == token_hash)).first()


def set_publisher_token_hash(
    conn: Connection, account_id: int, publisher_id: int, token_hash: str
) -> None:
    conn.execute(
        update(publishers)
        .where(publishers.c.account_id == account_id, publishers.c.id == publisher_id)
        .values(token_hash=token_hash)
    )


def set_postview_window(conn: Connection, account_id: int, campaign_id: int, hours: int) -> None:
    conn.execute(
        update(campaigns)
        .where(campaigns.c.account_id == account_id, campaigns.c.id == campaign_id)
        .values(postview_window_hours=hours)
    )


def admedia_list(conn: Connection, account_id: int, publisher_id: int | None) -> Sequence[Row[Any]]:
    """The account's admedia with their campaign's title, in id order; for a publisher only
    those of campaigns it takes part in (a membership, or a campaign with a default group)."""
    query = (
        select(admedia, campaigns.c.title.label("campaign_title"))
        .join(
            campaigns,
            and_(
                campaigns.c.account_id == admedia.c.account_id,
                campaigns.c.id == admedia.c.campaign_id,
            ),
        )
        .where(admedia.c.account_id == account_id)
        .order_by(admedia.c.id)
    )
    if publisher_id is not None:
        member = select(memberships.c.campaign_id).where(
            memberships.c.account_id == account_id, memberships.c.publisher_id == publisher_id
        )
        query = query.where(
            campaigns.c.default_group_id.is_not(None) | admedia.c.campaign_id.in_(member)
        )
    return conn.execute(query).all()


def set_default_group(conn: Connection, account_id: int, campaign_id: int, group_id: int) -> None:
    conn.execute(
        update(campaigns)
        .where(campaigns.c.account_id == account_id, campaigns.c.id == campaign_id)
        .values(default_group_id=group_id)
    )


def upsert_rate(
    conn: Connection,
    account_id: int,
    group_id: int,
    trigger_id: int,
    trigger_type: str,
    value_scaled: int,
) -> None:
    statement = upsert(
        conn,
        commission_rates,
        ["account_id", "group_id", "trigger_id"],
        replace=["trigger_type", "value_scaled"],
    )
    conn.execute(
        statement.values(
            account_id=account_id,
            group_id=group_id,
            trigger_id=trigger_id,
            trigger_type=trigger_type,
            value_scaled=value_scaled,
        )
    )


def rates_of_group(conn: Connection, account_id: int, group_id: int) -> Sequence[Row[Any]]:
    return conn.execute(
        select(commission_rates)
        .where(commission_rates.c.account_id == account_id, commission_rates.c.group_id == group_id)
        .order_by(commission_rates.c.trigger_id)
    ).all()


def upsert_membership(
    conn: Connection, account_id: int, campaign_id: int, publisher_id: int, group_id: int
) -> None:
    statement = upsert(
        conn, memberships, ["account_id", "campaign_id", "publisher_id"], replace=["group_id"]
    )
    conn.execute(
        statement.values(
            account_id=account_id,
            campaign_id=campaign_id,
            publisher_id=publisher_id,
            group_id=group_id,
        )
    )


def membership_group(
    conn: Connection, account_id: int, campaign_id: int, publisher_id: int
) -> int | None:
    group_id: int | None = conn.execute(
        select(memberships.c.group_id).where(
            memberships.c.account_id == account_id,
            memberships.c.campaign_id == campaign_id,
            memberships.c.publisher_id == publisher_id,
        )
    ).scalar()
    return group_id


@dataclass(frozen=True, slots=True)
class RuleRow:
    """What a commission needs: the group, the trigger and the group's rate for it."""

    group_id: int
    group_title: str
    trigger_id: int
    trigger_title: str
    trigger_type: str
    value_scaled: int


def commission_rule(
    conn: Connection, account_id: int, group_id: int, trigger_id: int
) -> RuleRow | None:
    row = conn.execute(
        select(
            commission_groups.c.id,
            commission_groups.c.title,
            triggers.c.id,
            triggers.c.title,
            commission_rates.c.trigger_type,
            commission_rates.c.value_scaled,
        )
        .select_from(commission_rates)
        .join(
            commission_groups,
            and_(
                commission_groups.c.account_id == commission_rates.c.account_id,
                commission_groups.c.id == commission_rates.c.group_id,
            ),
        )
        .join(
            triggers,
            and_(
                triggers.c.account_id == commission_rates.c.account_id,
                triggers.c.id == commission_rates.c.trigger_id,
            ),
        )
        .where(
            commission_rates.c.account_id == account_id,
            commission_rates.c.group_id == group_id,
            commission_rates.c.trigger_id == trigger_id,
        )
    ).first()
    if row is None:
        return None
    return RuleRow(*row)


def insert_transactions_once(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Inserts many; rows whose (campaign, trigger, ordertoken) exists are skipped."""
    statement = insert_ignoring_duplicates(
        conn, transactions, ["account_id", "campaign_id", "trigger_id", "ordertoken"]
    )
    conn.execute(statement, _with_export_text(conn, rows))


def insert_transactions(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(transactions), _with_export_text(conn, rows))


def _network_zone(conn: Connection, account_id: int) -> str:
    """The account's time zone as this transaction sees it (what stored text is rendered in)."""
    return account_timezone(conn, account_id)


def _with_export_text(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` (new transactions) with their stored export text added."""
    renderers: dict[int, Renderer] = {}
    for values in rows:
        account_id = values["account_id"]
        renderer = renderers.get(account_id)
        if renderer is None:
            renderer = renderers[account_id] = renderer_for(_network_zone(conn, account_id))
        values.update(renderer.stored_text(values))
    return rows


def refresh_export_text(conn: Connection, account_id: int, ids: Sequence[int]) -> None:
    """Renders the stored export text of the given transactions again, from their rows."""
    if not ids:
        return
    renderer = renderer_for(_network_zone(conn, account_id))
    statement = (
        update(transactions)
        .where(transactions.c.account_id == account_id, transactions.c.id == bindparam("target_id"))
        .values(
            export_head=bindparam("export_head"),
            export_tail=bindparam("export_tail"),
            publisher_head=bindparam("publisher_head"),
            publisher_tail=bindparam("publisher_tail"),
            export_key=bindparam("export_key"),
        )
    )
    for start in range(0, len(ids), LOOKUP_CHUNK):
        rows = transactions_by_ids(conn, account_id, list(ids[start : start + LOOKUP_CHUNK]))
        if rows:
            conn.execute(
                statement,
                [{"target_id": row.id, **renderer.stored_text_of_row(row)} for row in rows],
            )


def stale_export_ids(conn: Connection, account_id: int, limit: int) -> list[int]:
    """Up to ``limit`` transactions whose stored export text was rendered under another key
    (an older rendering, or another time zone than the account's now).

    Two range conditions rather than ``!=``, so that each is a seek in the
    (account, key) index and an up-to-date account costs two index probes.
    """
    key = export_key(_network_zone(conn, account_id))
    found: list[int] = []
    for condition in (transactions.c.export_key < key, transactions.c.export_key > key):
        found.extend(
            conn.execute(
                select(transactions.c.id)
                .where(transactions.c.account_id == account_id, condition)
                .limit(limit - len(found))
            ).scalars()
        )
        if len(found) >= limit:
            break
    return found


def transaction(conn: Connection, account_id: int, transaction_id: int) -> Row[Any] | None:
    return conn.execute(
        select(transactions).where(
            transactions.c.account_id == account_id, transactions.c.id == transaction_id
        )
    ).first()


def transactions_by_ids(conn: Connection, account_id: int, ids: list[int]) -> list[Row[Any]]:
    found: list[Row[Any]] = []
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        found.extend(
            conn.execute(
                select(transactions).where(
                    transactions.c.account_id == account_id, transactions.c.id.in_(chunk)
                )
            ).all()
        )
    return found


def transactions_by_ordertokens(
    conn: Connection, account_id: int, keys: set[tuple[int, str]]
) -> list[Row[Any]]:
    """The transactions of each (campaign_id, ordertoken) in ``keys``, a chunk per query."""
    tokens_by_campaign: dict[int, list[str]] = {}
    for campaign_id, token in keys:
        tokens_by_campaign.setdefault(campaign_id, []).append(token)
    found: list[Row[Any]] = []
    for campaign_id, tokens in tokens_by_campaign.items():
        for start in range(0, len(tokens), LOOKUP_CHUNK):
            found.extend(
                conn.execute(
                    select(transactions).where(
                        transactions.c.account_id == account_id,
                        transactions.c.campaign_id == campaign_id,
                        transactions.c.ordertoken.in_(tokens[start : start + LOOKUP_CHUNK]),
                    )
                ).all()
            )
    return found


def update_transaction(
    conn: Connection, account_id: int, previous: Row[Any], values: dict[str, Any]
) -> None:
    """Changes one transaction, given as read in this database transaction; its stored
    export text is rendered from that row with ``values`` applied."""
    renderer = renderer_for(_network_zone(conn, account_id))
    conn.execute(
        update(transactions)
        .where(transactions.c.account_id == account_id, transactions.c.id == previous.id)
        .values(**values, **renderer.stored_text_of_row(previous, values))
    )


def update_transactions(
    conn: Connection,
    account_id: int,
    rows: list[dict[str, Any]],
    previous: Mapping[int, Row[Any]],
) -> None:
    """Applies per-row changes; each dict holds ``target_id`` and every updatable column.

    ``previous`` holds each target as read in this database transaction: the
    stored export text is rendered from it with the changes applied, which
    spares reading every changed row back (uploads change tens of thousands).
    """
    if not rows:
        return
    renderer = renderer_for(_network_zone(conn, account_id))
    parameters = [
        {**changes, **renderer.stored_text_of_row(previous[changes["target_id"]], changes)}
        for changes in rows
    ]
    statement = (
        update(transactions)
        .where(transactions.c.account_id == account_id, transactions.c.id == bindparam("target_id"))
        .values(
            status=bindparam("status"),
            turnover_minor=bindparam("turnover_minor"),
            commission_minor=bindparam("commission_minor"),
            cancel_reason=bindparam("cancel_reason"),
            status_change_date=bindparam("status_change_date"),
            last_change=bindparam("last_change"),
            export_head=bindparam("export_head"),
            export_tail=bindparam("export_tail"),
            publisher_head=bindparam("publisher_head"),
            publisher_tail=bindparam("publisher_tail"),
            export_key=bindparam("export_key"),
        )
    )
    conn.execute(statement, parameters)


def pay_out(
    conn: Connection,
    account_id: int,
    publisher_id: int,
    confirmed: int,
    paid: int,
    salary_id: int,
    now: datetime,
) -> int:
    """Marks a publisher's confirmed transactions paid; returns how many."""
    result = conn.execute(
        update(transactions)
        .where(
            transactions.c.account_id == account_id,
            transactions.c.publisher_id == publisher_id,
            transactions.c.status == confirmed,
        )
        .values(
            status=paid,
            salary_id=salary_id,
            payoutdate=now,
            status_change_date=now,
            last_change=now,
        )
        .returning(transactions.c.id)
    )
    paid_ids = list(result.scalars())
    refresh_export_text(conn, account_id, paid_ids)
    return len(paid_ids)


@dataclass(frozen=True, slots=True)
class TransactionQuery:
    """Filters of an export; empty tuples mean "no restriction"."""

    account_id: int
    start: datetime
    end: datetime
    time_column: str
    statuses: tuple[int, ...] = ()
    campaigns: tuple[int, ...] = ()
    publishers: tuple[int, ...] = ()
    advertisers: tuple[int, ...] = ()
    projects: tuple[int, ...] = ()


def _raw(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A timestamp column read as the driver's raw value, skipping per-value conversion.

    Exports turn millions of timestamps into local text (``LocalClock.raw_text``);
    building an aware datetime for each first would cost more than the rest of a row.
    """
    return type_coerce(column, NullType()).label(column.key)


_JOINED_COLUMNS: dict[str, ColumnElement[Any]] = {
    "campaign_title": campaigns.c.title.label("campaign_title"),
    "prename": publishers.c.prename,
    "surname": publishers.c.surname,
    "searchtitle": publishers.c.searchtitle,
}
"""Export fields that come from the transaction's campaign and publisher."""


def _export_column(name: str) -> ColumnElement[Any]:
    if name in _JOINED_COLUMNS:
        return _JOINED_COLUMNS[name]
    column = transactions.c[name]
    return _raw(column) if name in TIMESTAMP_FIELDS else column


EXPORT_COLUMNS = tuple(_export_column(name) for name in EXPORT_FIELDS)
"""``export_lines.EXPORT_FIELDS``, selected in their order."""
PUBLISHER_EXPORT_COLUMNS = tuple(
    projects.c.title.label("project_title")
    if name == "project_title"
    else _raw(transactions.c[name])
    if name in PUBLISHER_TIMESTAMP_FIELDS
    else _export_column(name)
    for name in PUBLISHER_FIELDS
)
"""``export_lines.PUBLISHER_FIELDS``, selected in their order."""
STORED_LINE_COLUMNS = (
    transactions.c.export_head,
    campaigns.c.title,
    transactions.c.advertiser_id,
    transactions.c.publisher_id,
    publishers.c.prename,
    publishers.c.surname,
    publishers.c.searchtitle,
    transactions.c.export_tail,
)
"""A transaction's stored CSV text and, between its head and tail, the joined fields
(``export_lines.JOINED_FIELDS``)."""
STORED_PUBLISHER_LINE_COLUMNS = (
    transactions.c.publisher_head,
    transactions.c.advertiser_id,
    campaigns.c.title,
    transactions.c.campaign_id,
    transactions.c.project_id,
    projects.c.title,
    transactions.c.publisher_tail,
)
"""A transaction's stored publisher CSV text and, between its head and tail, the joined
fields (``export_lines.PUBLISHER_JOINED_FIELDS``)."""


def transaction_filters(
    query: TransactionQuery, with_status: bool = True
) -> list[ColumnElement[bool]]:
    """Account, period, campaigns, publishers, advertisers, projects and (unless
    ``with_status`` is False) statuses of ``query`` as conditions on transactions."""
    column = transactions.c[query.time_column]
    conditions: list[ColumnElement[bool]] = [
        transactions.c.account_id == query.account_id,
        column >= query.start,
        column < query.end,
    ]
    for values, target in (
        (query.statuses if with_status else (), transactions.c.status),
        (query.campaigns, transactions.c.campaign_id),
        (query.publishers, transactions.c.publisher_id),
        (query.advertisers, transactions.c.advertiser_id),
        (query.projects, transactions.c.project_id),
    ):
        if values:
            conditions.append(target.in_(values))
    return conditions


def _transactions_with_campaign_and_publisher() -> Join:
    """Transactions joined to their campaign and publisher, within the same account."""
    return transactions.join(
        campaigns,
        and_(
            campaigns.c.account_id == transactions.c.account_id,
            campaigns.c.id == transactions.c.campaign_id,
        ),
    ).join(
        publishers,
        and_(
            publishers.c.account_id == transactions.c.account_id,
            publishers.c.id == transactions.c.publisher_id,
        ),
    )


def _streamed_filters(conn: Connection, query: TransactionQuery) -> list[ColumnElement[bool]]:
    """The filters of a streamed read in id order, narrowed to the period's id span.

    A period of creation dates is found in the (account, created_at, id) index,
    but reading the rows in that index's order would mean sorting them all by
    id before the first one is sent. The lowest and highest id of the period,
    read from the same index alone, bound a walk along the primary key instead,
    which is already in id order; the period's own conditions still apply, so a
    row outside the period is never included, whatever its id.
    """
    conditions = transaction_filters(query)
    if query.time_column != "created_at":
        return conditions
    low, high = conn.execute(
        select(func.min(transactions.c.id), func.max(transactions.c.id)).where(
            transactions.c.account_id == query.account_id,
            transactions.c.created_at >= query.start,
            transactions.c.created_at < query.end,
        )
    ).one()
    if low is None:
        return [*conditions, false()]
    return [*conditions, transactions.c.id >= low, transactions.c.id <= high]


def _export_select(conn: Connection, query: TransactionQuery) -> Select[Any]:
    return (
        select(*EXPORT_COLUMNS)
        .select_from(_transactions_with_campaign_and_publisher())
        .where(*_streamed_filters(conn, query))
        .order_by(transactions.c.id)
    )


def count_transactions(conn: Connection, query: TransactionQuery) -> int:
    count: int = conn.execute(
        select(func.count()).select_from(transactions).where(*transaction_filters(query))
    ).scalar_one()
    return count


def stream_transactions(conn: Connection, query: TransactionQuery) -> Iterator[Row[Any]]:
    """The matching transactions in id order, fetched in batches (server-side on PostgreSQL)."""
    result = conn.execution_options(yield_per=STREAM_BATCH).execute(_export_select(conn, query))
    yield from result


def stream_publisher_transactions(conn: Connection, query: TransactionQuery) -> Iterator[Row[Any]]:
    """The matching transactions as ``PUBLISHER_EXPORT_COLUMNS`` in id order, streamed."""
    result = conn.execution_options(yield_per=STREAM_BATCH).execute(
        _publisher_select(conn, query, PUBLISHER_EXPORT_COLUMNS)
    )
    yield from result


def stream_stored_publisher_lines(conn: Connection, query: TransactionQuery) -> Iterator[Row[Any]]:
    """Each matching transaction's ``STORED_PUBLISHER_LINE_COLUMNS``, in id order, streamed;
    the CSV line is finished by ``export_lines.StoredPublisherLines``."""
    result = conn.execution_options(yield_per=STREAM_BATCH).execute(
        _publisher_select(conn, query, STORED_PUBLISHER_LINE_COLUMNS)
    )
    yield from result


def _publisher_select(
    conn: Connection, query: TransactionQuery, columns: Sequence[ColumnElement[Any]]
) -> Select[Any]:
    """A publisher link's read in id order; the project's title comes from an outer join
    (a transaction without a project has none)."""
    joined = _transactions_with_campaign_and_publisher().outerjoin(
        projects,
        and_(
            projects.c.account_id == transactions.c.account_id,
            projects.c.id == transactions.c.project_id,
        ),
    )
    return (
        select(*columns)
        .select_from(joined)
        .where(*_streamed_filters(conn, query))
        .order_by(transactions.c.id)
    )


def stream_summary_rows(conn: Connection, query: TransactionQuery) -> Iterator[Row[Any]]:
    """What the aggregate reports need per transaction, in id order, streamed."""
    statement = (
        select(
            transactions.c[query.time_column].label("moment"),
            transactions.c.status,
            transactions.c.campaign_id,
            campaigns.c.title.label("campaign_title"),
            transactions.c.publisher_id,
            publishers.c.prename,
            publishers.c.surname,
            publishers.c.searchtitle,
            transactions.c.currency,
            transactions.c.turnover_minor,
            transactions.c.commission_minor,
        )
        .select_from(_transactions_with_campaign_and_publisher())
        .where(*_streamed_filters(conn, query))
        .order_by(transactions.c.id)
    )
    result: Result[Any] = conn.execution_options(yield_per=STREAM_BATCH).execute(statement)
    yield from result


def stream_stored_lines(conn: Connection, query: TransactionQuery) -> Iterator[Row[Any]]:
    """Each matching transaction's ``STORED_LINE_COLUMNS``, in id order, streamed; the
    CSV line is finished by ``export_lines.StoredLines``."""
    statement = _export_select(conn, query).with_only_columns(*STORED_LINE_COLUMNS)
    result: Result[Any] = conn.execution_options(yield_per=STREAM_BATCH).execute(statement)
    yield from result
