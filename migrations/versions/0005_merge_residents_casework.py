"""merge residents and casework branches

The residents (0003) and casework (0004) tables were added side by side from 0002; this joins the
two branches so later migrations have a single parent. No schema change of its own.

Revision ID: 0005
Revises: 0003, 0004
Create Date: 2026-11-21 19:26:21.156656
"""

from collections.abc import Sequence

revision: str = '0005'
down_revision: str | None = ('0003', '0004')
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
