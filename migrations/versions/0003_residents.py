"""residents: identity, notes with their revisions, consents, and the append-only audit trail

Revision ID: 0003
Revises: 0002 (a branch beside the casework migration; both heads are applied)
Create Date: 2026-11-21 18:40:21.018769
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit trail is append-only also below the API. PostgreSQL (production) refuses UPDATE and
# DELETE on it; SQLite refuses UPDATE (its test databases are emptied between tests with DELETE).
PG_FUNCTION = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$
"""
PG_TRIGGER = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
)
SQLITE_TRIGGER = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END"
)


def upgrade() -> None:
    op.create_table('resident',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('given_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('family_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('search_name', sqlmodel.sql.sqltypes.AutoString(length=210), nullable=True),
    sa.Column('postcode', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('huisnummer', sa.Integer(), nullable=True),
    sa.Column('toevoeging', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('nummeraanduiding_id', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('birth_decade', sa.Integer(), nullable=True),
    sa.Column('is_key_figure', sa.Boolean(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('last_activity_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('anonymised_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('anonymised_reason', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('anonymised_at IS NULL OR (given_name IS NULL AND family_name IS NULL AND search_name IS NULL AND postcode IS NULL AND huisnummer IS NULL AND toevoeging IS NULL AND nummeraanduiding_id IS NULL AND phone IS NULL AND email IS NULL AND birth_year IS NULL)', name=op.f('ck_resident_anonymised_is_empty')),
    sa.CheckConstraint('huisnummer IS NULL OR (huisnummer >= 1 AND huisnummer <= 99999)', name=op.f('ck_resident_huisnummer_range')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_resident_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident'))
    )
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.create_index('ix_resident_anonymised_at_last_activity_at', ['anonymised_at', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_resident_postcode_huisnummer', ['postcode', 'huisnummer'], unique=False)
        batch_op.create_index('ix_resident_wijk_id_created_at_id', ['wijk_id', 'created_at', 'id'], unique=False)

    op.create_table('resident_note',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=False),
    sa.Column('author_organisation_id', sa.Uuid(), nullable=False),
    sa.Column('author_role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('retracted_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_resident_note_author_id_user_account')),
    sa.ForeignKeyConstraint(['author_organisation_id'], ['organisation.id'], name=op.f('fk_resident_note_author_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_note_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_note'))
    )
    with op.batch_alter_table('resident_note', schema=None) as batch_op:
        batch_op.create_index('ix_resident_note_resident_id_created_at_id', ['resident_id', 'created_at', 'id'], unique=False)

    op.create_table('resident_note_revision',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('note_id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('visibility', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('written_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('replaced_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['resident_note.id'], name=op.f('fk_resident_note_revision_note_id_resident_note')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_note_revision_resident_id_resident')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_note_revision')),
    sa.UniqueConstraint('note_id', 'revision', name=op.f('uq_resident_note_revision_note_id_revision'))
    )
    with op.batch_alter_table('resident_note_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resident_note_revision_resident_id'), ['resident_id'], unique=False)

    op.create_table('resident_consent',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('given_how', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('given_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Uuid(), nullable=False),
    sa.Column('recorded_by_organisation_id', sa.Uuid(), nullable=False),
    sa.Column('withdrawn_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_resident_consent_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_resident_consent_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['recorded_by_organisation_id'], ['organisation.id'], name=op.f('fk_resident_consent_recorded_by_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_resident_consent_resident_id_resident')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'], name=op.f('fk_resident_consent_withdrawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_consent'))
    )
    with op.batch_alter_table('resident_consent', schema=None) as batch_op:
        batch_op.create_index('ix_resident_consent_resident_id_given_at_id', ['resident_id', 'given_at', 'id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('occurred_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('actor_organisation_id', sa.Uuid(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.Column('record_kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('record_id', sa.Uuid(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('request_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_actor_id_occurred_at_id', ['actor_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_audit_event_occurred_at_id', ['occurred_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_audit_event_resident_id_occurred_at_id', ['resident_id', 'occurred_at', 'id'], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only")
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_event_resident_id_occurred_at_id')
        batch_op.drop_index(batch_op.f('ix_audit_event_request_id'))
        batch_op.drop_index('ix_audit_event_occurred_at_id')
        batch_op.drop_index('ix_audit_event_actor_id_occurred_at_id')

    op.drop_table('audit_event')
    with op.batch_alter_table('resident_consent', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_consent_resident_id_given_at_id')

    op.drop_table('resident_consent')
    with op.batch_alter_table('resident_note_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resident_note_revision_resident_id'))

    op.drop_table('resident_note_revision')
    with op.batch_alter_table('resident_note', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_note_resident_id_created_at_id')

    op.drop_table('resident_note')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_index('ix_resident_wijk_id_created_at_id')
        batch_op.drop_index('ix_resident_postcode_huisnummer')
        batch_op.drop_index('ix_resident_anonymised_at_last_activity_at')

    op.drop_table('resident')
