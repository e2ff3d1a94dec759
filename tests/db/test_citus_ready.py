"""The schema can be distributed by account (Citus), and no query joins two accounts' rows.

The schema rules read the SQLAlchemy metadata; the join rule reads every
statement the server issues while the demo is loaded and every surface is
used once (reports, exports, uploads, pixels, dashboard pages, promotions
orders), on the backend the suite runs on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import (
    Column,
    Engine,
    ForeignKeyConstraint,
    Table,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.sql import operators, visitors
from sqlalchemy.sql.dml import Delete, Update
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, ColumnElement
from sqlalchemy.sql.selectable import FromClause, Join, Select, Subquery
from typer.testing import CliRunner

from commerce_stats.accounts.service import Accounts
from commerce_stats.app import create_app
from commerce_stats.cli import app
from commerce_stats.config import Settings
from commerce_stats.db.distribution import (
    ACROSS_ACCOUNTS,
    REFERENCE_TABLES,
    is_reference,
    tenant_key,
)
from commerce_stats.db.engine import Database
from commerce_stats.db.models import metadata
from commerce_stats.demo import DemoInfo, load_demo
from commerce_stats.kit.demo_links import BASE_PLACEHOLDER
from commerce_stats.promotions.tables import promotion_codes, promotions
from tests.conftest import ADMIN_TOKEN
from tests.dashboard.pages import csrf

ORDERS_CSV = Path(__file__).parents[2] / "examples" / "orders.csv"
DEMO_VIDEO, DEMO_ITEM = "2d91Ee68EA84Eb8bED31", "vyP4NsKz"
TABLES: list[Table] = list(metadata.sorted_tables)


def _leads_with_tenant(table: Table, columns: list[Column[Any]]) -> bool:
    return bool(columns) and columns[0].name == tenant_key(table.name)


def _unique_keys(table: Table) -> Iterator[tuple[str, list[Column[Any]]]]:
    for constraint in table.constraints:
        if isinstance(constraint, UniqueConstraint):
            yield str(constraint.name), list(constraint.columns)
    for index in table.indexes:
        if index.unique:
            yield (
                str(index.name),
                [column for column in index.columns if isinstance(column, Column)],
            )


# --- the schema --------------------------------------------------------------------------


def test_every_reference_table_named_exists() -> None:
    unknown = sorted(set(REFERENCE_TABLES) - {table.name for table in TABLES})
    assert unknown == [], "\n".join(unknown)


def test_every_table_holds_its_account() -> None:
    missing = [table.name for table in TABLES if tenant_key(table.name) not in table.c]
    assert missing == [], "\n".join(missing)


def test_every_primary_key_of_a_distributed_table_leads_with_the_account() -> None:
    violators = [
        f"{table.name}: ({', '.join(column.name for column in table.primary_key.columns)})"
        for table in TABLES
        if not is_reference(table.name)
        and not _leads_with_tenant(table, list(table.primary_key.columns))
    ]
    assert violators == [], "\n".join(violators)


def test_every_unique_key_of_a_distributed_table_leads_with_the_account() -> None:
    violators = [
        f"{table.name}.{name}: ({', '.join(column.name for column in columns)})"
        for table in TABLES
        if not is_reference(table.name)
        for name, columns in _unique_keys(table)
        if not _leads_with_tenant(table, columns)
    ]
    assert violators == [], "\n".join(violators)


def _pairs_the_accounts(key: ForeignKeyConstraint) -> bool:
    referred = key.referred_table.name
    return any(
        element.parent.name == tenant_key(key.table.name)
        and element.column.name == tenant_key(referred)
        for element in key.elements
    )


def test_every_foreign_key_pairs_the_account_of_both_rows() -> None:
    violators = [
        f"{table.name}.{key.name} -> {key.referred_table.name}"
        for table in TABLES
        for key in table.foreign_key_constraints
        if not _pairs_the_accounts(key)
    ]
    assert violators == [], "\n".join(violators)


def test_no_reference_table_refers_to_a_distributed_table() -> None:
    violators = [
        f"{table.name} -> {key.referred_table.name}"
        for table in TABLES
        if is_reference(table.name)
        for key in table.foreign_key_constraints
        if not is_reference(key.referred_table.name)
    ]
    assert violators == [], "\n".join(violators)


# --- the joins the server issues -----------------------------------------------------------


def _is_tenant_column(column: Any) -> bool:
    """A column that holds an account id: a table's tenant key, or a column derived from one."""
    if not isinstance(column, ColumnElement):
        return False
    return any(
        isinstance(base.table, Table) and base.name == tenant_key(base.table.name)
        for base in column.base_columns
        if hasattr(base, "table")
    )


def _comes_from(column: Any, side: FromClause) -> bool:
    table = getattr(column, "table", None)
    return isinstance(table, FromClause) and side.is_derived_from(table)


def _tenant_equalities(condition: Any) -> list[tuple[Any, Any]]:
    """The (left, right) operands of each ``=`` between two account columns in ``condition``."""
    if condition is None:
        return []
    return [
        (element.left, element.right)
        for element in visitors.iterate(condition)
        if isinstance(element, BinaryExpression)
        and element.operator is operators.eq
        and _is_tenant_column(element.left)
        and _is_tenant_column(element.right)
    ]


def _links(condition: Any, one: FromClause, other: FromClause) -> bool:
    return any(
        (_comes_from(left, one) and _comes_from(right, other))
        or (_comes_from(left, other) and _comes_from(right, one))
        for left, right in _tenant_equalities(condition)
    )


def _implicit_join_unlinked(select: Select[Any]) -> bool:
    """A SELECT over several FROM items whose WHERE does not tie each to another's account."""
    froms = select.get_final_froms()
    return len(froms) > 1 and not all(
        any(_links(select.whereclause, one, other) for other in froms if other is not one)
        for one in froms
    )


def _elements(statement: Any) -> Iterator[Any]:
    """Every element of ``statement``, including the joins a SELECT builds from ``.join()``
    (those exist only in its final FROM list) and what is inside them."""
    seen: set[int] = set()
    pending = [statement]
    while pending:
        for element in visitors.iterate(pending.pop()):
            if id(element) in seen:
                continue
            seen.add(id(element))
            yield element
            if isinstance(element, Select):
                pending.extend(element.get_final_froms())


def _is_ours(element: Any) -> bool:
    """Whether ``element`` reads a table of the schema (not a catalog the driver reads)."""
    return any(
        isinstance(part, Table) and part.metadata is metadata for part in visitors.iterate(element)
    )


def _join_violations(statement: Any) -> list[str]:
    found = []
    for element in _elements(statement):
        if not _is_ours(element):
            continue
        if isinstance(element, Join) and not _links(element.onclause, element.left, element.right):
            found.append(f"JOIN ON {element.onclause}")
        if isinstance(element, Select) and _implicit_join_unlinked(element):
            found.append(f"FROM {', '.join(str(item) for item in element.get_final_froms())}")
    return found


def _flat(item: FromClause) -> list[FromClause]:
    if isinstance(item, Join):
        return _flat(item.left) + _flat(item.right)
    return [item]


def _onclauses(item: FromClause) -> list[Any]:
    if isinstance(item, Join):
        return [item.onclause, *_onclauses(item.left), *_onclauses(item.right)]
    return []


def _table_of(item: Any) -> Table | None:
    """The schema table ``item`` reads (itself or through an alias), if it is one."""
    table = getattr(item, "element", item)
    return table if isinstance(table, Table) and table.metadata is metadata else None


def _pinned_to_a_value(condition: Any, item: FromClause) -> bool:
    """Whether ``condition`` holds ``item``'s account column equal to one given value."""
    if condition is None:
        return False
    return any(
        isinstance(element, BinaryExpression)
        and element.operator is operators.eq
        and any(
            _is_tenant_column(column)
            and _comes_from(column, item)
            and isinstance(value, BindParameter)
            for column, value in ((element.left, element.right), (element.right, element.left))
        )
        for element in visitors.iterate(condition)
    )


def _needs_no_account(item: FromClause) -> bool:
    table = _table_of(item)
    if table is not None:
        return is_reference(table.name)
    if isinstance(item, Subquery) and isinstance(item.element, Select):
        return _unscoped_items(item.element) == []
    return True


def _unscoped_items(select: Select[Any]) -> list[str]:
    """The names of the FROM items of ``select`` that no single account value reaches:
    neither held to one value themselves nor joined on the account to an item that is."""
    items = [flat for item in select.get_final_froms() for flat in _flat(item)]
    conditions = [select.whereclause] + [
        on for item in select.get_final_froms() for on in _onclauses(item)
    ]
    scoped = {
        position
        for position, item in enumerate(items)
        if _needs_no_account(item)
        or any(_pinned_to_a_value(condition, item) for condition in conditions)
    }
    grown = True
    while grown:
        grown = False
        for position, item in enumerate(items):
            if position not in scoped and any(
                _links(condition, item, items[other])
                for condition in conditions
                for other in scoped
            ):
                scoped.add(position)
                grown = True
    return [str(item) for position, item in enumerate(items) if position not in scoped]


def _unscoped(statement: Any) -> list[str]:
    """``KIND table`` of each read or change of a distributed table not held to one account."""
    found = []
    for element in _elements(statement):
        if isinstance(element, Select):
            found += [f"SELECT {name}" for name in _unscoped_items(element)]
        elif isinstance(element, Update | Delete):
            table = _table_of(element.table)
            if (
                table is not None
                and not is_reference(table.name)
                and not _pinned_to_a_value(element.whereclause, element.table)
            ):
                kind = "UPDATE" if isinstance(element, Update) else "DELETE"
                found.append(f"{kind} {table.name}")
    return found


class StatementLog:
    """Every statement sent to the database while it is listening (compiled or raw)."""

    def __init__(self) -> None:
        self.compiled: list[Any] = []
        self.raw: list[str] = []

    def __call__(self, conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        context = args[-2]
        if context is not None and context.compiled is not None:
            self.compiled.append(context.compiled.statement)
        else:
            self.raw.append(sql)


def _path(link_target: str) -> str:
    parts = urlsplit(link_target.replace(BASE_PLACEHOLDER, "http://testserver"))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _use_every_surface(client: TestClient, info: DemoInfo) -> None:
    """Each kind of read and write once, against the demo account."""
    credentials = info.credentials
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    base = f"/admin/v1/accounts/{info.account_id}/affiliate"
    for link in info.links:
        if link.target.startswith(BASE_PLACEHOLDER + "/"):
            assert client.get(_path(link.target), follow_redirects=False).status_code < 400
    campaign = client.get(f"{base}/campaigns", headers=admin).json()["campaigns"][0]
    trigger = client.get(f"{base}/triggers", headers=admin).json()["triggers"][0]
    publisher = client.get(f"{base}/publishers", headers=admin).json()["publishers"][0]
    click = client.get(
        "/trck/eclick/",
        params={"campaign_id": campaign["id"], "publisher_id": publisher["id"]},
        follow_redirects=False,
    )
    assert click.status_code == 302
    pixel = client.get(
        "/trck/etrack/",
        params={
            "campaign_id": campaign["id"],
            "trigger_id": trigger["id"],
            "token": "CITUS-1",
            "turnover": "10.00",
            "emid": click.headers["location"].rsplit("=", 1)[1],
        },
    )
    assert pixel.status_code == 200
    token = client.post(f"{base}/publishers/{publisher['id']}/token", headers=admin).json()
    publisher_export = client.get(
        f"/api/{token['access_token']}/publisher/{publisher['id']}/get-statistic_transactions.csv"
    )
    assert publisher_export.status_code == 200
    with ORDERS_CSV.open("rb") as orders:
        upload = client.put(
            "/REST/orders/",
            data={
                "login_id": credentials["affiliate_login_id"],
                "token": credentials["affiliate_rest_token"],
                "section": "Admin",
            },
            files={"file": ("orders.csv", orders, "text/csv")},
        )
    assert upload.status_code == 200, upload.text
    events = client.post(
        "/prod/events",
        headers={"X-Ingest-Key": credentials["ingest_key"]},
        json=[
            {
                "content_key": DEMO_VIDEO,
                "ecommerce_key": DEMO_ITEM,
                "type": "ecommerce_clicked",
                "device_type": "Mobile",
            }
        ],
    )
    assert events.status_code == 200, events.text
    login = client.post(
        "/v1/login_check",
        json={
            "username": credentials["promotions_username"],
            "password": credentials["promotions_password"],
        },
    ).json()
    bearer = {"Authorization": f"Bearer {login['token']}"}
    for promotion_id in client.get("/v1/promotion", headers=bearer).json()["promotions"]:
        statistics = client.post(
            "/v1/promotion/statistics/", json={"id": promotion_id}, headers=bearer
        )
        assert statistics.status_code == 200
    order = client.post(
        "/v1/orders",
        headers=bearer,
        json={
            "order_id": "CITUS-ORDER-1",
            "products": [{"product_id": 1, "quantity": 1, "price": "10.00"}],
        },
    )
    assert order.status_code == 201, order.text
    form = client.get("/sign-in")
    signed_in = client.post(
        "/sign-in",
        data={
            "csrf_token": csrf(form.text),
            "username": credentials["dashboard_username"],
            "password": credentials["dashboard_password"],
        },
        follow_redirects=False,
    )
    assert signed_in.status_code == 303
    for page in ("/", "/video", "/affiliate", "/promotions", "/affiliate/export.csv"):
        assert client.get(page).status_code == 200, page


@pytest.fixture
def issued(settings: Settings) -> StatementLog:
    log = StatementLog()
    event.listen(Engine, "before_cursor_execute", log)
    try:
        database = Database(settings)
        try:
            info = load_demo(database, Accounts(database, cache_seconds=0))
        finally:
            database.dispose()
        with TestClient(create_app(settings)) as client:
            _use_every_surface(client, info)
        env = {"COMMERCE_STATS_DATABASE_URL": settings.database_url}
        checked = CliRunner().invoke(
            app, ["promotions", "check-counters", str(info.account_id)], env=env
        )
        assert checked.exit_code == 0, checked.output
    finally:
        event.remove(Engine, "before_cursor_execute", log)
    return log


def test_a_join_on_ids_alone_is_a_violation() -> None:
    statement = select(promotions.c.id).join(
        promotion_codes, promotion_codes.c.promotion_id == promotions.c.id
    )
    assert _join_violations(statement) == ["JOIN ON promotion_codes.promotion_id = promotions.id"]


def test_a_join_on_ids_within_the_account_is_not_a_violation() -> None:
    statement = select(promotions.c.id).join(
        promotion_codes,
        (promotion_codes.c.account_id == promotions.c.account_id)
        & (promotion_codes.c.promotion_id == promotions.c.id),
    )
    assert _join_violations(statement) == []


def test_an_implicit_join_without_the_account_is_a_violation() -> None:
    statement = select(promotions.c.id, promotion_codes.c.id).where(
        promotion_codes.c.promotion_id == promotions.c.id
    )
    assert _join_violations(statement) == ["FROM promotions, promotion_codes"]


def _joins_of_ours(statements: list[Any]) -> int:
    return sum(
        1
        for statement in statements
        for element in _elements(statement)
        if isinstance(element, Join) and _is_ours(element)
    )


def test_no_join_the_server_issues_pairs_rows_of_two_accounts(issued: StatementLog) -> None:
    violators = sorted(
        {violation for statement in issued.compiled for violation in _join_violations(statement)}
    )
    assert _joins_of_ours(issued.compiled) > 20
    assert violators == [], "\n".join(violators)


def test_every_statement_on_a_distributed_table_is_held_to_one_account(
    issued: StatementLog,
) -> None:
    """What Citus routes to one node; the exceptions are named in ``ACROSS_ACCOUNTS``."""
    unscoped = sorted(
        {found for statement in issued.compiled for found in _unscoped(statement)}
        - set(ACROSS_ACCOUNTS)
    )
    assert unscoped == [], "\n".join(unscoped)


def test_a_read_without_its_account_is_unscoped() -> None:
    statement = select(promotions.c.id).where(promotions.c.id == 5)
    assert _unscoped(statement) == ["SELECT promotions"]


def test_a_join_to_a_read_held_to_one_account_is_scoped() -> None:
    statement = (
        select(promotions.c.id)
        .join(
            promotion_codes,
            (promotion_codes.c.account_id == promotions.c.account_id)
            & (promotion_codes.c.promotion_id == promotions.c.id),
        )
        .where(promotions.c.account_id == 7)
    )
    assert _unscoped(statement) == []


def test_the_server_issues_no_raw_sql_join(issued: StatementLog) -> None:
    """Raw SQL cannot be inspected like a statement built with SQLAlchemy, so none may join."""
    assert [sql for sql in issued.raw if " JOIN " in sql.upper()] == []
