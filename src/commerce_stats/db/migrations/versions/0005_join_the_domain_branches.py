"""Join the three domain branches (video, affiliate, promotions) into one history.

Each domain's first migration branched from 0001; from here on migrations form
one line again. The join changes no table.

Revision ID: 0005
Revises: 0002, 0003, 0004
Create Date: 2026-11-24 12:02:27
"""

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = ("0002", "0003", "0004")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: the join only orders the history."""


def downgrade() -> None:
    """Nothing to change: the join only orders the history."""
