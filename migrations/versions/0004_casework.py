"""casework: signals, interventions, agenda items (with their change log), goals and reviews

Revision ID: 0004
Revises: 0002 (a branch beside the residents migration; both heads are applied)
Create Date: 2026-11-21 18:39:46.892739
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = '0004'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agenda_item_change',
    sa.Column('change_seq', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agenda_item_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('addressee_kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('addressee_organisation_id', sa.Uuid(), nullable=True),
    sa.Column('item_version', sa.Integer(), nullable=False),
    sa.Column('occurred_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('change_seq', name=op.f('pk_agenda_item_change')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('agenda_item_change', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_item_change_addressee_kind_change_seq', ['addressee_kind', 'change_seq'], unique=False)
        batch_op.create_index('ix_agenda_item_change_agenda_item_id', ['agenda_item_id'], unique=False)

    op.create_table('agenda_item',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('theme', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('priority', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('addressee_kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('addressee_organisation_id', sa.Uuid(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('addressee_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('response', sa.Text(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('raised_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('raised_by_client_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(raised_by_user_id IS NULL) <> (raised_by_client_id IS NULL)', name=op.f('ck_agenda_item_one_raised_by')),
    sa.ForeignKeyConstraint(['addressee_organisation_id'], ['organisation.id'], name=op.f('fk_agenda_item_addressee_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['raised_by_client_id'], ['api_client.id'], name=op.f('fk_agenda_item_raised_by_client_id_api_client')),
    sa.ForeignKeyConstraint(['raised_by_user_id'], ['user_account.id'], name=op.f('fk_agenda_item_raised_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_agenda_item_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_item'))
    )
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_item_addressee_kind_status', ['addressee_kind', 'status'], unique=False)
        batch_op.create_index('ix_agenda_item_wijk_id_created_at_id', ['wijk_id', 'created_at', 'id'], unique=False)

    op.create_table('goal',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('indicator', sa.Text(), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=False),
    sa.Column('target_unit', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('active_place', sa.Integer(), nullable=True),
    sa.Column('created_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_client_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(status = 'active') = (active_place IS NOT NULL)", name=op.f('ck_goal_active_has_place')),
    sa.CheckConstraint('(created_by_user_id IS NULL) <> (created_by_client_id IS NULL)', name=op.f('ck_goal_one_created_by')),
    sa.CheckConstraint('active_place IS NULL OR active_place BETWEEN 1 AND 3', name=op.f('ck_goal_active_place_range')),
    sa.ForeignKeyConstraint(['created_by_client_id'], ['api_client.id'], name=op.f('fk_goal_created_by_client_id_api_client')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], name=op.f('fk_goal_created_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_goal_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal')),
    sa.UniqueConstraint('wijk_id', 'year', 'active_place', name=op.f('uq_goal_wijk_id_year_active_place'))
    )
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.create_index('ix_goal_wijk_id_year_title_id', ['wijk_id', 'year', 'title', 'id'], unique=False)

    op.create_table('intervention',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('koppel_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('phase', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('outcome_result', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('outcome_text', sa.Text(), nullable=True),
    sa.Column('closed_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('created_by_client_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(closed_at IS NULL) = (outcome_result IS NULL)', name=op.f('ck_intervention_closed_with_outcome')),
    sa.CheckConstraint('(created_by_user_id IS NULL) <> (created_by_client_id IS NULL)', name=op.f('ck_intervention_one_created_by')),
    sa.CheckConstraint('(outcome_result IS NULL) = (outcome_text IS NULL)', name=op.f('ck_intervention_outcome_complete')),
    sa.ForeignKeyConstraint(['created_by_client_id'], ['api_client.id'], name=op.f('fk_intervention_created_by_client_id_api_client')),
    sa.ForeignKeyConstraint(['created_by_user_id'], ['user_account.id'], name=op.f('fk_intervention_created_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['koppel_id'], ['koppel.id'], name=op.f('fk_intervention_koppel_id_koppel')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_intervention_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervention'))
    )
    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.create_index('ix_intervention_koppel_id_created_at', ['koppel_id', 'created_at'], unique=False)
        batch_op.create_index('ix_intervention_wijk_id_created_at_id', ['wijk_id', 'created_at', 'id'], unique=False)

    op.create_table('signal',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('urgency', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('location_postcode', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('location_house_number', sa.Integer(), nullable=True),
    sa.Column('location_house_number_addition', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('location_latitude', sa.Float(), nullable=True),
    sa.Column('location_longitude', sa.Float(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('submitted_by_organisation_id', sa.Uuid(), nullable=False),
    sa.Column('external_reference', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('recorded_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_by_client_id', sa.Uuid(), nullable=True),
    sa.Column('first_action_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(location_latitude IS NULL) = (location_longitude IS NULL)', name=op.f('ck_signal_point_complete')),
    sa.CheckConstraint('(location_postcode IS NULL) = (location_house_number IS NULL)', name=op.f('ck_signal_address_complete')),
    sa.CheckConstraint('(recorded_by_user_id IS NULL) <> (recorded_by_client_id IS NULL)', name=op.f('ck_signal_one_recorded_by')),
    sa.ForeignKeyConstraint(['recorded_by_client_id'], ['api_client.id'], name=op.f('fk_signal_recorded_by_client_id_api_client')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_signal_recorded_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['submitted_by_organisation_id'], ['organisation.id'], name=op.f('fk_signal_submitted_by_organisation_id_organisation')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_signal_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signal')),
    sa.UniqueConstraint('submitted_by_organisation_id', 'external_reference', name=op.f('uq_signal_submitted_by_organisation_id_external_reference'))
    )
    with op.batch_alter_table('signal', schema=None) as batch_op:
        batch_op.create_index('ix_signal_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_signal_status_wijk_id', ['status', 'wijk_id'], unique=False)
        batch_op.create_index('ix_signal_submitted_by_organisation_id_created_at_id', ['submitted_by_organisation_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_signal_wijk_id_created_at_id', ['wijk_id', 'created_at', 'id'], unique=False)

    op.create_table('agenda_item_intervention',
    sa.Column('agenda_item_id', sa.Uuid(), nullable=False),
    sa.Column('intervention_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_agenda_item_intervention_agenda_item_id_agenda_item')),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], name=op.f('fk_agenda_item_intervention_intervention_id_intervention')),
    sa.PrimaryKeyConstraint('agenda_item_id', 'intervention_id', name=op.f('pk_agenda_item_intervention'))
    )
    with op.batch_alter_table('agenda_item_intervention', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_item_intervention_intervention_id', ['intervention_id'], unique=False)

    op.create_table('agenda_item_signal',
    sa.Column('agenda_item_id', sa.Uuid(), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['agenda_item_id'], ['agenda_item.id'], name=op.f('fk_agenda_item_signal_agenda_item_id_agenda_item')),
    sa.ForeignKeyConstraint(['signal_id'], ['signal.id'], name=op.f('fk_agenda_item_signal_signal_id_signal')),
    sa.PrimaryKeyConstraint('agenda_item_id', 'signal_id', name=op.f('pk_agenda_item_signal'))
    )
    with op.batch_alter_table('agenda_item_signal', schema=None) as batch_op:
        batch_op.create_index('ix_agenda_item_signal_signal_id', ['signal_id'], unique=False)

    op.create_table('goal_partner',
    sa.Column('goal_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_goal_partner_goal_id_goal')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_goal_partner_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('goal_id', 'organisation_id', name=op.f('pk_goal_partner'))
    )
    op.create_table('goal_review',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('goal_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_by_client_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(recorded_by_user_id IS NULL) <> (recorded_by_client_id IS NULL)', name=op.f('ck_goal_review_one_recorded_by')),
    sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_goal_review_quarter_range')),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_goal_review_goal_id_goal')),
    sa.ForeignKeyConstraint(['recorded_by_client_id'], ['api_client.id'], name=op.f('fk_goal_review_recorded_by_client_id_api_client')),
    sa.ForeignKeyConstraint(['recorded_by_user_id'], ['user_account.id'], name=op.f('fk_goal_review_recorded_by_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goal_review')),
    sa.UniqueConstraint('goal_id', 'year', 'quarter', name=op.f('uq_goal_review_goal_id_year_quarter'))
    )
    op.create_table('intervention_phase_change',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('intervention_id', sa.Uuid(), nullable=False),
    sa.Column('at_version', sa.Integer(), nullable=False),
    sa.Column('from_phase', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_phase', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('changed_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('changed_by_client_id', sa.Uuid(), nullable=True),
    sa.Column('changed_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(changed_by_user_id IS NULL) <> (changed_by_client_id IS NULL)', name=op.f('ck_intervention_phase_change_one_changed_by')),
    sa.ForeignKeyConstraint(['changed_by_client_id'], ['api_client.id'], name=op.f('fk_intervention_phase_change_changed_by_client_id_api_client')),
    sa.ForeignKeyConstraint(['changed_by_user_id'], ['user_account.id'], name=op.f('fk_intervention_phase_change_changed_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], name=op.f('fk_intervention_phase_change_intervention_id_intervention')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intervention_phase_change')),
    sa.UniqueConstraint('intervention_id', 'at_version', name=op.f('uq_intervention_phase_change_intervention_id_at_version'))
    )
    op.create_table('intervention_signal',
    sa.Column('intervention_id', sa.Uuid(), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['intervention_id'], ['intervention.id'], name=op.f('fk_intervention_signal_intervention_id_intervention')),
    sa.ForeignKeyConstraint(['signal_id'], ['signal.id'], name=op.f('fk_intervention_signal_signal_id_signal')),
    sa.PrimaryKeyConstraint('intervention_id', 'signal_id', name=op.f('pk_intervention_signal'))
    )
    with op.batch_alter_table('intervention_signal', schema=None) as batch_op:
        batch_op.create_index('ix_intervention_signal_signal_id', ['signal_id'], unique=False)

    op.create_table('signal_status_change',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('signal_id', sa.Uuid(), nullable=False),
    sa.Column('at_version', sa.Integer(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changed_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('changed_by_client_id', sa.Uuid(), nullable=True),
    sa.Column('changed_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(changed_by_user_id IS NULL) <> (changed_by_client_id IS NULL)', name=op.f('ck_signal_status_change_one_changed_by')),
    sa.ForeignKeyConstraint(['changed_by_client_id'], ['api_client.id'], name=op.f('fk_signal_status_change_changed_by_client_id_api_client')),
    sa.ForeignKeyConstraint(['changed_by_user_id'], ['user_account.id'], name=op.f('fk_signal_status_change_changed_by_user_id_user_account')),
    sa.ForeignKeyConstraint(['signal_id'], ['signal.id'], name=op.f('fk_signal_status_change_signal_id_signal')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signal_status_change')),
    sa.UniqueConstraint('signal_id', 'at_version', name=op.f('uq_signal_status_change_signal_id_at_version'))
    )


def downgrade() -> None:
    op.drop_table('signal_status_change')
    with op.batch_alter_table('intervention_signal', schema=None) as batch_op:
        batch_op.drop_index('ix_intervention_signal_signal_id')

    op.drop_table('intervention_signal')
    op.drop_table('intervention_phase_change')
    op.drop_table('goal_review')
    op.drop_table('goal_partner')
    with op.batch_alter_table('agenda_item_signal', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_signal_signal_id')

    op.drop_table('agenda_item_signal')
    with op.batch_alter_table('agenda_item_intervention', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_intervention_intervention_id')

    op.drop_table('agenda_item_intervention')
    with op.batch_alter_table('signal', schema=None) as batch_op:
        batch_op.drop_index('ix_signal_wijk_id_created_at_id')
        batch_op.drop_index('ix_signal_submitted_by_organisation_id_created_at_id')
        batch_op.drop_index('ix_signal_status_wijk_id')
        batch_op.drop_index('ix_signal_created_at_id')

    op.drop_table('signal')
    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.drop_index('ix_intervention_wijk_id_created_at_id')
        batch_op.drop_index('ix_intervention_koppel_id_created_at')

    op.drop_table('intervention')
    with op.batch_alter_table('goal', schema=None) as batch_op:
        batch_op.drop_index('ix_goal_wijk_id_year_title_id')

    op.drop_table('goal')
    with op.batch_alter_table('agenda_item', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_wijk_id_created_at_id')
        batch_op.drop_index('ix_agenda_item_addressee_kind_status')

    op.drop_table('agenda_item')
    with op.batch_alter_table('agenda_item_change', schema=None) as batch_op:
        batch_op.drop_index('ix_agenda_item_change_agenda_item_id')
        batch_op.drop_index('ix_agenda_item_change_addressee_kind_change_seq')

    op.drop_table('agenda_item_change')
