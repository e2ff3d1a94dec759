"""The video daily counters in a ClickHouse cluster: all of the domain's ClickHouse SQL.

Each shard holds a local ``SummingMergeTree`` table; a ``Distributed`` table over them
answers account-wide reports. A counter row lives on the shard chosen by
``halfMD5('<account_id>/<content_key>') % shards``, computed here in Python the same
way the Distributed table computes it, so a one-video report is sent to the owning
shard's local table alone (ClickHouse 18.16 has no ``optimize_skip_unused_shards``).

Table, database and cluster names are this module's constants or names checked against
``_NAME``; every value goes in as a driver parameter (hence the S608 waivers).

Merges are eventual, so every read sums: ``sum(...) ... GROUP BY`` the counter key.

The local tables are ``ReplicatedSummingMergeTree`` (one replica per shard for now):
ClickHouse then remembers the checksum of each inserted block in ZooKeeper and drops a
block inserted again, which is what makes re-sending an outbox batch harmless. Each
row carries its ``batch_id`` (not summed, not in the key) so two different batches
with the same counts are never taken for one another.

The SQL sticks to what runs on ClickHouse 18.16 and on a current ClickHouse alike:
client-side ``%(name)s`` parameters, no ``WITH`` subqueries, no ``LowCardinality``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from clickhouse_driver import Client
from clickhouse_driver.errors import Error as DriverError

from commerce_stats.video.errors import ShardUnavailableError

LOCAL_TABLE = "video_counters_local"
DISTRIBUTED_TABLE = "video_counters"
KEY_COLUMNS = ("account_id", "content_key", "day", "device_type", "ecommerce_key")
COUNT_COLUMNS = ("viewed", "clicked", "hidden", "bar_shown", "bar_hidden")
INSERT_COLUMNS = (*KEY_COLUMNS, *COUNT_COLUMNS, "batch_id")
DEDUPLICATION_WINDOW = 10_000
"""Inserted blocks per shard whose checksums are remembered (a re-sent batch older than
this many later inserts would no longer be recognised; a batch is re-sent only after a
crash between its insert and the outbox delete, i.e. at the next flush)."""
SHARD_CACHE_SIZE = 200_000
"""Videos whose hash is remembered (hashing every counter row was a sixth of a flush)."""
DEFAULT_DATABASE = "commerce_stats"
DEFAULT_PORT = 9000
CONNECT_TIMEOUT_SECONDS = 2.0
SEND_RECEIVE_TIMEOUT_SECONDS = 30.0

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

ReportRow = tuple[str, str, str, str, int, int, int, int, int]
"""Same shape as ``repository.ReportRow``: content_key, day as text, device, item, counts."""


@dataclass(frozen=True)
class ClickHouseAddress:
    """Where the cluster is: one (host, port) per shard in shard order, database, cluster."""

    shards: tuple[tuple[str, int], ...]
    database: str
    cluster: str


def parse_clickhouse_url(url: str, cluster: str) -> ClickHouseAddress:
    """``clickhouse://h1:9000,h2:9000/db`` → its address; ValueError names what is wrong
    (never the password, which this setting does not take)."""
    parts = urlsplit(url)
    if parts.scheme != "clickhouse":
        raise ValueError("COMMERCE_STATS_CLICKHOUSE_URL must start with clickhouse://")
    shards: list[tuple[str, int]] = []
    for host_port in parts.netloc.split(","):
        host, _, port = host_port.strip().rpartition(":")
        if not host:
            host, port = port, str(DEFAULT_PORT)
        if not host or not port.isdigit():
            raise ValueError(f"COMMERCE_STATS_CLICKHOUSE_URL: bad host:port {host_port!r}")
        shards.append((host, int(port)))
    database = parts.path.strip("/") or DEFAULT_DATABASE
    for what, name in (("database", database), ("cluster", cluster)):
        if not _NAME.fullmatch(name):
            raise ValueError(f"ClickHouse {what} name {name!r} must be a plain identifier")
    return ClickHouseAddress(shards=tuple(shards), database=database, cluster=cluster)


@functools.lru_cache(maxsize=SHARD_CACHE_SIZE)
def shard_hash(account_id: int, content_key: str) -> int:
    """Python's twin of the Distributed table's sharding key (``SHARDING_EXPRESSION``)."""
    digest = hashlib.md5(f"{account_id}/{content_key}".encode(), usedforsecurity=False)
    return int.from_bytes(digest.digest()[:8], "big")


SHARDING_EXPRESSION = "halfMD5(concat(toString(account_id), '/', content_key))"


# DDL ----------------------------------------------------------------------------------------


def local_table_ddl(database: str, engine: str, on_cluster: str = "") -> str:
    """The local counter table. ``engine`` is the full ENGINE clause (replicated on the
    cluster, plain ``SummingMergeTree`` where there is no ZooKeeper, e.g. chDB)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {database}.{LOCAL_TABLE}{on_cluster} ("
        "account_id UInt64, content_key String, day Date, device_type String, "
        "ecommerce_key String, viewed UInt64, clicked UInt64, hidden UInt64, "
        "bar_shown UInt64, bar_hidden UInt64, batch_id UInt64"
        f") ENGINE = {engine} "
        "PARTITION BY toYYYYMM(day) "
        f"ORDER BY ({', '.join(KEY_COLUMNS)})"
    )


def summing_engine(replicated_path: str | None) -> str:
    """The ENGINE clause: replicated (with block deduplication) when a ZooKeeper path is
    given, plain otherwise; both sum only the five counts."""
    counts = f"({', '.join(COUNT_COLUMNS)})"
    if replicated_path is None:
        return f"SummingMergeTree({counts})"
    return f"ReplicatedSummingMergeTree('{replicated_path}', '{{replica}}', {counts})"


def _cluster_ddl(address: ClickHouseAddress) -> list[str]:
    db, on = address.database, f" ON CLUSTER {address.cluster}"
    path = f"/clickhouse/tables/{{shard}}/{db}/{LOCAL_TABLE}"
    return [
        f"CREATE DATABASE IF NOT EXISTS {db}{on}",
        local_table_ddl(db, summing_engine(path), on)
        + f" SETTINGS replicated_deduplication_window = {DEDUPLICATION_WINDOW}",
        f"CREATE TABLE IF NOT EXISTS {db}.{DISTRIBUTED_TABLE}{on} AS {db}.{LOCAL_TABLE} "
        f"ENGINE = Distributed({address.cluster}, {db}, {LOCAL_TABLE}, {SHARDING_EXPRESSION})",
    ]


# Report SQL (shared with the chDB check in the tests) --------------------------------------


def report_filter(content_key: str | None) -> str:
    condition = "account_id = %(account_id)s AND day >= %(first)s AND day <= %(last)s"
    if content_key is not None:
        condition += " AND content_key = %(content_key)s"
    return condition


def report_rows_sql(table: str, content_key: str | None) -> str:
    """The report's counters summed per key, in the seed's order (newest day first)."""
    sums = ", ".join(f"sum({name})" for name in COUNT_COLUMNS)
    return (
        f"SELECT content_key, toString(day), device_type, ecommerce_key, {sums} "  # noqa: S608
        f"FROM {table} WHERE {report_filter(content_key)} "
        "GROUP BY content_key, day, device_type, ecommerce_key "
        "ORDER BY content_key, day DESC, device_type, ecommerce_key"
    )


def distinct_keys_sql(table: str, column: str, content_key: str | None) -> str:
    return (
        f"SELECT DISTINCT {column} FROM {table} WHERE {report_filter(content_key)} "  # noqa: S608
        f"ORDER BY {column}"
    )


def report_params(
    account_id: int, first: date, last: date, content_key: str | None
) -> dict[str, Any]:
    params: dict[str, Any] = {"account_id": account_id, "first": first, "last": last}
    if content_key is not None:
        params["content_key"] = content_key
    return params


# The store ----------------------------------------------------------------------------------


class _Pool:
    """Idle native-protocol clients of one server (a client serves one query at a time)."""

    def __init__(self, host: str, port: int, database: str) -> None:
        self.host, self.port, self.database = host, port, database
        self._idle: list[Client] = []
        self._lock = threading.Lock()

    @contextmanager
    def client(self) -> Iterator[Client]:
        with self._lock:
            client = self._idle.pop() if self._idle else None
        if client is None:
            client = Client(
                host=self.host,
                port=self.port,
                database=self.database,
                connect_timeout=CONNECT_TIMEOUT_SECONDS,
                send_receive_timeout=SEND_RECEIVE_TIMEOUT_SECONDS,
            )
        try:
            yield client
        except BaseException:
            client.disconnect()
            raise
        with self._lock:
            self._idle.append(client)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for client in idle:
            client.disconnect()


class ClickHouseStore:
    """The counters of every account on the cluster at ``address``."""

    def __init__(self, address: ClickHouseAddress) -> None:
        self.address = address
        self._pools = [_Pool(host, port, "default") for host, port in address.shards]

    @property
    def shard_count(self) -> int:
        return len(self._pools)

    def shard_of(self, account_id: int, content_key: str) -> int:
        """The 0-based shard that owns a video's counters."""
        return shard_hash(account_id, content_key) % self.shard_count

    def _execute(
        self, shard: int, sql: str, params: Any = None, columnar: bool = False
    ) -> list[Any]:
        """``columnar``: ``params`` are an insert's columns, not its rows (the driver then
        skips turning rows into columns, a third of an insert's cost in Python)."""
        try:
            with self._pools[shard].client() as client:
                rows: list[Any] = client.execute(sql, params, columnar=columnar)
                return rows
        except (DriverError, OSError, EOFError) as exc:
            raise ShardUnavailableError(shard + 1) from exc

    def close(self) -> None:
        for pool in self._pools:
            pool.close()

    # schema -------------------------------------------------------------------------------

    def create_schema(self) -> None:
        """The database, the local tables and the Distributed table on every shard.

        Skipped when every shard already has both tables: ``ON CLUSTER`` DDL waits for
        every shard, so a start while one is down would hang until the DDL timeout.
        """
        if all(self._has_tables(shard) for shard in range(self.shard_count)):
            return
        for statement in _cluster_ddl(self.address):
            self._execute(0, statement)

    def _has_tables(self, shard: int) -> bool:
        try:
            found = self._execute(
                shard,
                "SELECT count() FROM system.tables WHERE database = %(db)s "
                "AND name IN (%(local)s, %(distributed)s)",
                {
                    "db": self.address.database,
                    "local": LOCAL_TABLE,
                    "distributed": DISTRIBUTED_TABLE,
                },
            )
        except ShardUnavailableError:
            return True
        return int(found[0][0]) == 2

    def drop_schema(self) -> None:
        """Everything ``create_schema`` made (tests and benches use their own database)."""
        db, on = self.address.database, f" ON CLUSTER {self.address.cluster}"
        self._execute(0, f"DROP DATABASE IF EXISTS {db}{on}")

    # writing ------------------------------------------------------------------------------

    def ping_all(self) -> None:
        """Raises ShardUnavailableError(shard) for the first shard that does not answer."""
        for shard in range(self.shard_count):
            self._execute(shard, "SELECT 1")

    def insert_part(self, shard: int, batch_id: int, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert one batch's rows of one shard as a single block.

        ``rows`` hold the key and the five counts (``KEY_COLUMNS + COUNT_COLUMNS``) in a
        fixed order: sending the same part again gives the same block, which the
        replicated table recognises and drops.
        """
        if not rows:
            return
        db = self.address.database
        sql = f"INSERT INTO {db}.{LOCAL_TABLE} ({', '.join(INSERT_COLUMNS)}) VALUES"
        columns: list[Sequence[Any]] = [*zip(*rows, strict=True), [batch_id] * len(rows)]
        self._execute(shard, sql, columns, columnar=True)

    # reading ------------------------------------------------------------------------------

    def _route(self, content_key: str | None, account_id: int) -> tuple[int, str]:
        """(shard to ask, table): one video → its shard's local table; else Distributed."""
        db = self.address.database
        if content_key is not None:
            return self.shard_of(account_id, content_key), f"{db}.{LOCAL_TABLE}"
        return 0, f"{db}.{DISTRIBUTED_TABLE}"

    def report_keys(
        self, column: str, account_id: int, first: date, last: date, content_key: str | None
    ) -> list[str]:
        """The distinct ``content_key`` or ``ecommerce_key`` values of a report's rows."""
        if column not in ("content_key", "ecommerce_key"):
            raise ValueError(f"not a key column: {column}")
        shard, table = self._route(content_key, account_id)
        sql = distinct_keys_sql(table, column, content_key)
        params = report_params(account_id, first, last, content_key)
        return [row[0] for row in self._execute(shard, sql, params)]

    def report_rows(
        self,
        account_id: int,
        first: date,
        last: date,
        content_key: str | None,
        batch_size: int = 5000,
    ) -> Iterator[list[ReportRow]]:
        """The summed counters of a report in the seed's order, ``batch_size`` at a time."""
        shard, table = self._route(content_key, account_id)
        sql = report_rows_sql(table, content_key)
        params = report_params(account_id, first, last, content_key)
        try:
            with self._pools[shard].client() as client:
                chunk: list[ReportRow] = []
                for row in client.execute_iter(sql, params):
                    chunk.append(row)
                    if len(chunk) >= batch_size:
                        yield chunk
                        chunk = []
                if chunk:
                    yield chunk
        except (DriverError, OSError, EOFError) as exc:
            raise ShardUnavailableError(shard + 1) from exc

    def local_totals(self, shard: int, account_id: int) -> tuple[int, int]:
        """(distinct counter keys, sum of all counts) of an account on one shard's local
        table: what a shard really holds, for checks and tests."""
        sums = " + ".join(f"sum({name})" for name in COUNT_COLUMNS)
        sql = (
            f"SELECT uniqExact({', '.join(KEY_COLUMNS[1:])}), {sums} "  # noqa: S608
            f"FROM {self.address.database}.{LOCAL_TABLE} WHERE account_id = %(account_id)s"
        )
        keys, total = self._execute(shard, sql, {"account_id": account_id})[0]
        return int(keys), int(total)

    def render(self, sql: str, params: dict[str, Any]) -> str:
        """``sql`` with its parameters substituted the way the driver sends them (to run
        the very same text on another engine, e.g. chDB)."""
        with self._pools[0].client() as client:
            text: str = client.substitute_params(sql, params, client.connection.context)
            return text

    def execute_on(self, shard: int, sql: str, params: Any = None) -> list[Any]:
        """Run one statement on one shard (operations: OPTIMIZE, system tables)."""
        return self._execute(shard, sql, params)


def open_store(url: str | None, cluster: str) -> ClickHouseStore | None:
    """The configured store, or None when the counters stay in the relational database."""
    if not url:
        return None
    return ClickHouseStore(parse_clickhouse_url(url, cluster))
