"""signals by status and wijk in keyset order: ix_signal_status_wijk_id (status, wijk_id) becomes
(status, wijk_id, created_at, id), so a koppel's work queue — its signals of one status, oldest first —
reads exactly its page from one index whatever the status, a common one (afgehandeld, four in five
signals) or a rare one (nieuw, one in three hundred)

The driver pool runs its statements on their generic plans (persistence.db.create_driver_pool): the
plan made once per connection, for any status. Along (wijk_id, created_at, id) that plan skipped every
signal of another status: about three thousand index entries per wijk for a page of a rare status at
scale 1 (1 to 2 ms), ten times as many at ten times the volume; along this index it skips none.

The old index served status-then-wijk lookups only; the new one serves those too, so it is replaced
rather than joined (no second index to keep on every signal a batch writes). A plain index on both
dialects: nothing is rebuilt, and the statistics' triggers (0009, 0010) stay as they are.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 21:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = ("ix_signal_status_wijk_id", ["status", "wijk_id"])
NEW = ("ix_signal_status_wijk_id_created_at_id", ["status", "wijk_id", "created_at", "id"])


def upgrade() -> None:
    op.create_index(NEW[0], "signal", NEW[1], unique=False)
    op.drop_index(OLD[0], table_name="signal")


def downgrade() -> None:
    op.create_index(OLD[0], "signal", OLD[1], unique=False)
    op.drop_index(NEW[0], table_name="signal")
