"""the wijk + instant indexes carry the column the statistics count by, so counting a wijk's year reads
the index alone (an index-only scan) instead of a heap page per row

Signals also carry first_action_at (the response-time median), referrals their follow-up columns (the
overdue count). PostgreSQL only: INCLUDE has no SQLite counterpart, where the indexes stay as they were.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21 22:05:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, key columns, included columns)
COVERING = (
    ("ix_signal_wijk_id_created_at_id", "signal", ["wijk_id", "created_at", "id"], ["category", "first_action_at"]),
    ("ix_contact_moment_wijk_id_occurred_at_id", "contact_moment", ["wijk_id", "occurred_at", "id"], ["kind"]),
    ("ix_intervention_wijk_id_created_at_id", "intervention", ["wijk_id", "created_at", "id"], ["phase"]),
    ("ix_referral_wijk_id_created_at_id", "referral", ["wijk_id", "created_at", "id"],
     ["status", "follow_up_on", "followed_up_on"]),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, columns, included in COVERING:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False, postgresql_include=included)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, columns, _ in COVERING:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)
