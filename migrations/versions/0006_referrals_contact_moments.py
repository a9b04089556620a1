"""contact moments, needs and referrals (vraag ↔ aanbod) with their residents and status history

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 19:31:48.398753
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contact_moment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('koppel_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('occurred_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('redacted_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_user_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['koppel_id'], ['koppel.id'], name=op.f('fk_contact_moment_koppel_id_koppel')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_contact_moment_recorded_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_contact_moment_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_moment'))
    )
    with op.batch_alter_table('contact_moment', schema=None) as batch_op:
        batch_op.create_index('ix_contact_moment_koppel_id_occurred_at', ['koppel_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_contact_moment_wijk_id_occurred_at_id', ['wijk_id', 'occurred_at', 'id'], unique=False)

    op.create_table('need',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('koppel_id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('redacted_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by_user_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['koppel_id'], ['koppel.id'], name=op.f('fk_need_koppel_id_koppel')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_need_recorded_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_need_resident_id_resident')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_need_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_need'))
    )
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.create_index('ix_need_resident_id', ['resident_id'], unique=False)
        batch_op.create_index('ix_need_wijk_id_created_at_id', ['wijk_id', 'created_at', 'id'], unique=False)

    op.create_table('contact_moment_resident',
    sa.Column('contact_moment_id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['contact_moment_id'], ['contact_moment.id'], name=op.f('fk_contact_moment_resident_contact_moment_id_contact_moment')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_contact_moment_resident_resident_id_resident')),
    sa.PrimaryKeyConstraint('contact_moment_id', 'resident_id', name=op.f('pk_contact_moment_resident'))
    )
    with op.batch_alter_table('contact_moment_resident', schema=None) as batch_op:
        batch_op.create_index('ix_contact_moment_resident_resident_id', ['resident_id'], unique=False)

    op.create_table('referral',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('need_id', sa.Uuid(), nullable=False),
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('koppel_id', sa.Uuid(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('mediation', sa.Boolean(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('rejection_reason', sa.Text(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=False),
    sa.Column('followed_up_on', sa.Date(), nullable=True),
    sa.Column('holds_place', sa.Boolean(), nullable=False),
    sa.Column('registered_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('redacted_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('proposed_by_user_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("NOT holds_place OR status IN ('aangemeld', 'in_behandeling')", name=op.f('ck_referral_place_only_while_open')),
    sa.ForeignKeyConstraint(['koppel_id'], ['koppel.id'], name=op.f('fk_referral_koppel_id_koppel')),
    sa.ForeignKeyConstraint(['need_id'], ['need.id'], name=op.f('fk_referral_need_id_need')),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_referral_offer_id_offer')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_referral_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['proposed_by_user_id'], ['user_account.id'], name=op.f('fk_referral_proposed_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_referral_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index('ix_referral_koppel_id_follow_up_on', ['koppel_id', 'follow_up_on'], unique=False)
        batch_op.create_index('ix_referral_need_id', ['need_id'], unique=False)
        batch_op.create_index('ix_referral_offer_id', ['offer_id'], unique=False)
        batch_op.create_index('ix_referral_organisation_id_created_at_id', ['organisation_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_referral_wijk_id_created_at_id', ['wijk_id', 'created_at', 'id'], unique=False)

    op.create_table('referral_resident',
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('resident_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_resident_referral_id_referral')),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_referral_resident_resident_id_resident')),
    sa.PrimaryKeyConstraint('referral_id', 'resident_id', name=op.f('pk_referral_resident'))
    )
    with op.batch_alter_table('referral_resident', schema=None) as batch_op:
        batch_op.create_index('ix_referral_resident_resident_id', ['resident_id'], unique=False)

    op.create_table('referral_status_change',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('at_version', sa.Integer(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changed_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('changed_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_user_id'], ['user_account.id'], name=op.f('fk_referral_status_change_changed_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_referral_status_change_referral_id_referral')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_status_change')),
    sa.UniqueConstraint('referral_id', 'at_version', name=op.f('uq_referral_status_change_referral_id_at_version'))
    )


def downgrade() -> None:
    op.drop_table('referral_status_change')
    with op.batch_alter_table('referral_resident', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_resident_resident_id')

    op.drop_table('referral_resident')
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_wijk_id_created_at_id')
        batch_op.drop_index('ix_referral_organisation_id_created_at_id')
        batch_op.drop_index('ix_referral_offer_id')
        batch_op.drop_index('ix_referral_need_id')
        batch_op.drop_index('ix_referral_koppel_id_follow_up_on')

    op.drop_table('referral')
    with op.batch_alter_table('contact_moment_resident', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_moment_resident_resident_id')

    op.drop_table('contact_moment_resident')
    with op.batch_alter_table('need', schema=None) as batch_op:
        batch_op.drop_index('ix_need_wijk_id_created_at_id')
        batch_op.drop_index('ix_need_resident_id')

    op.drop_table('need')
    with op.batch_alter_table('contact_moment', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_moment_wijk_id_occurred_at_id')
        batch_op.drop_index('ix_contact_moment_koppel_id_occurred_at')

    op.drop_table('contact_moment')
