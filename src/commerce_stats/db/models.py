"""Imports every domain's tables so that ``metadata`` knows the whole schema.

Alembic's autogenerate and ``alembic check`` read the metadata after importing
this module; a domain that adds a tables.py registers it here.
"""

from __future__ import annotations

import commerce_stats.accounts.tables
import commerce_stats.affiliate.tables
import commerce_stats.promotions.tables
import commerce_stats.video.tables  # noqa: F401
from commerce_stats.db.metadata import metadata

__all__ = ["metadata"]
