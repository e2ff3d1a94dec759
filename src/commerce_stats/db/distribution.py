"""How the schema spreads over a distributed PostgreSQL (Citus): one place that says it.

Every table is *distributed* by its tenant column, ``account_id``: a tenant's
rows of every table live on the same shard, so a query scoped by one account
runs on one node and a join of two tables on their account column never
leaves it. ``tests/db/test_citus_ready.py`` holds the schema and the
repositories' joins to that rule.

A few tables are *reference tables* instead: Citus keeps a whole copy of
each on every node. A table earns that when it is small, rarely written and
read before the account is known (a credential, a token or a tracking link
finding its account), because a distributed table can only be searched by
another column on every shard at once. A unique index of such a table may
then span accounts, which a distributed table cannot enforce. A reference
table may refer to another reference table but never to a distributed one
(Citus refuses such a foreign key); distributed tables may refer to
reference tables.

The mapping to Citus itself, when a deployment moves there::

    SELECT create_reference_table('accounts');                       -- each of REFERENCE_TABLES
    SELECT create_distributed_table('video_counters', 'account_id');  -- each of the others

(tables distributed by columns of the same type are co-located by default).
"""

from __future__ import annotations

from collections.abc import Mapping

TENANT_COLUMN = "account_id"
"""The distribution column of every distributed table."""

TENANT_KEYS: Mapping[str, str] = {"accounts": "id"}
"""Tables whose tenant column has another name: an account's own row is keyed by its id."""

REFERENCE_TABLES: Mapping[str, str] = {
    "accounts": (
        "one row per tenant, read by nearly every request (enabled, features, time zone) "
        "and joined by the credential and token look-ups; written only by the operator"
    ),
    "account_credentials": (
        "a handful of rows per tenant; a key or login id finds its account by hash before "
        "the account is known, so (name, secret_hash) and (name, public_id) are unique "
        "server-wide; written only on creation and rotation"
    ),
    "dashboard_logins": (
        "one row per tenant; a dashboard sign-in finds its account by username, which is "
        "unique server-wide"
    ),
    "promo_tokens": (
        "the live promotions bearer tokens (expired ones are deleted); every promotions "
        "request finds its account by the token's hash, which is unique server-wide; one "
        "write per sign-in. A separate hash-to-account directory would hold every column "
        "of the row again, so the table itself is the directory"
    ),
    "affiliate_publishers": (
        "a network's publishers (thousands, not millions); a publisher's export link finds "
        "its account by the token's hash, unique server-wide; joined into every transaction "
        "export, which a copy on every node serves locally"
    ),
    "affiliate_campaign_directory": (
        "campaign id to account: tracking links name a campaign and nothing else, so a click "
        "finds its account here (two integers a campaign) and then reads the campaign, a "
        "distributed row, on its account's shard; its primary key makes campaign ids "
        "unique server-wide"
    ),
}
"""Tables replicated to every node, each with the reason it is one."""


ACROSS_ACCOUNTS: Mapping[str, str] = {
    "DELETE video_seen_events": (
        "the prune of the dedupe window forgets every account's expired event ids at once; "
        "Citus runs it on every shard in parallel, and it is sent every five minutes, not per "
        "request"
    ),
}
"""Statements on distributed tables that are not scoped by one account, and why."""


def tenant_key(table_name: str) -> str:
    """The column holding the owning account's id in ``table_name``."""
    return TENANT_KEYS.get(table_name, TENANT_COLUMN)


def is_reference(table_name: str) -> bool:
    return table_name in REFERENCE_TABLES
