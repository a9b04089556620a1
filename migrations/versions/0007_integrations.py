"""integrations: stored idempotency keys, the wijken an organisation serves, wijk postcode ranges, the
signals' change log (backfilled with one entry per existing signal) and, on the agenda items' change log,
which changes the addressee sees (backfilled; a submission is recorded as `submitted`)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 20:51:24.305426
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('idempotency_key',
    sa.Column('principal_subject', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('request_method', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('request_path', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('request_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('response_status', sa.Integer(), nullable=True),
    sa.Column('response_body', sa.LargeBinary(), nullable=True),
    sa.Column('response_headers', sa.JSON(), nullable=True),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('principal_subject', 'idempotency_key', name=op.f('pk_idempotency_key'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_key_expires_at', ['expires_at'], unique=False)

    op.create_table('service_area',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=True),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(wijk_id IS NULL) <> (municipality_code IS NULL)', name=op.f('ck_service_area_wijk_or_municipality')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_service_area_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_service_area_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_area')),
    sa.UniqueConstraint('organisation_id', 'municipality_code', name=op.f('uq_service_area_organisation_id_municipality_code')),
    sa.UniqueConstraint('organisation_id', 'wijk_id', name=op.f('uq_service_area_organisation_id_wijk_id'))
    )
    with op.batch_alter_table('service_area', schema=None) as batch_op:
        batch_op.create_index('ix_service_area_organisation_id', ['organisation_id'], unique=False)

    op.create_table('signal_change',
    sa.Column('change_seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('signal_version', sa.Integer(), nullable=False),
    sa.Column('occurred_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['signal_id'], ['signal.id'], name=op.f('fk_signal_change_signal_id_signal')),
    sa.PrimaryKeyConstraint('change_seq', name=op.f('pk_signal_change')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('signal_change', schema=None) as batch_op:
        batch_op.create_index('ix_signal_change_organisation_id_change_seq', ['organisation_id', 'change_seq'], unique=False)
        batch_op.create_index('ix_signal_change_signal_id', ['signal_id'], unique=False)

    with op.batch_alter_table('agenda_item_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('wijk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('postcode_ranges', sa.JSON(), nullable=True))

    # The first change that put an item on the agenda is its submission; from then on (a withdrawal of
    # a submitted item included) the addressee sees the item's changes in its feed.
    op.execute(
        "UPDATE agenda_item_change SET kind = 'submitted' WHERE kind = 'updated' AND status = 'geagendeerd' "
        "AND change_seq = (SELECT MIN(first.change_seq) FROM agenda_item_change AS first "
        "WHERE first.agenda_item_id = agenda_item_change.agenda_item_id AND first.status = 'geagendeerd')"
    )
    op.execute(
        "UPDATE agenda_item_change SET submitted = (status <> 'concept' AND EXISTS (SELECT 1 FROM "
        "agenda_item_change AS earlier WHERE earlier.agenda_item_id = agenda_item_change.agenda_item_id "
        "AND earlier.kind = 'submitted' AND earlier.change_seq <= agenda_item_change.change_seq))"
    )
    # Existing signals enter the status feed once each, oldest first, with the state they have now.
    op.execute(
        "INSERT INTO signal_change (signal_id, organisation_id, kind, status, signal_version, occurred_at) "
        "SELECT id, submitted_by_organisation_id, 'created', status, version, updated_at FROM signal "
        "ORDER BY created_at, id"
    )



def downgrade() -> None:
    op.execute("UPDATE agenda_item_change SET kind = 'updated' WHERE kind = 'submitted'")
    with op.batch_alter_table('wijk', schema=None) as batch_op:
        batch_op.drop_column('postcode_ranges')

    with op.batch_alter_table('agenda_item_change', schema=None) as batch_op:
        batch_op.drop_column('submitted')

    with op.batch_alter_table('signal_change', schema=None) as batch_op:
        batch_op.drop_index('ix_signal_change_signal_id')
        batch_op.drop_index('ix_signal_change_organisation_id_change_seq')

    op.drop_table('signal_change')
    with op.batch_alter_table('service_area', schema=None) as batch_op:
        batch_op.drop_index('ix_service_area_organisation_id')

    op.drop_table('service_area')
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_key_expires_at')

    op.drop_table('idempotency_key')
