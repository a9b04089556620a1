"""wijken, koppels (members and wijken kept with dates), presence, offers

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 18:23:25.407541
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import persistence.types

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('koppel',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_koppel'))
    )
    with op.batch_alter_table('koppel', schema=None) as batch_op:
        batch_op.create_index('ix_koppel_name_id', ['name', 'id'], unique=False)

    op.create_table('wijk',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
    sa.Column('buurten', sa.JSON(), nullable=False),
    sa.Column('boundary', sa.JSON(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wijk')),
    sa.UniqueConstraint('code', name=op.f('uq_wijk_code'))
    )
    with op.batch_alter_table('wijk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wijk_municipality_code'), ['municipality_code'], unique=False)

    op.create_table('koppel_wijk',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('koppel_id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['koppel_id'], ['koppel.id'], name=op.f('fk_koppel_wijk_koppel_id_koppel')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_koppel_wijk_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_koppel_wijk'))
    )
    with op.batch_alter_table('koppel_wijk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_koppel_wijk_koppel_id'), ['koppel_id'], unique=False)
        batch_op.create_index('ix_koppel_wijk_wijk_id_starts_on', ['wijk_id', 'starts_on'], unique=False)

    op.create_table('offer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('provider_organisation_id', sa.Uuid(), nullable=True),
    sa.Column('volunteer_resident_id', sa.Uuid(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('municipality_code', sqlmodel.sql.sqltypes.AutoString(length=6), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('available', sa.Boolean(), nullable=False),
    sa.Column('contact_route', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('archived_at', persistence.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_offer_capacity_not_negative')),
    sa.CheckConstraint('provider_organisation_id IS NOT NULL OR volunteer_resident_id IS NOT NULL', name=op.f('ck_offer_has_provider')),
    sa.ForeignKeyConstraint(['provider_organisation_id'], ['organisation.id'], name=op.f('fk_offer_provider_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer'))
    )
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offer_municipality_code'), ['municipality_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_offer_provider_organisation_id'), ['provider_organisation_id'], unique=False)
        batch_op.create_index('ix_offer_title_id', ['title', 'id'], unique=False)

    op.create_table('presence',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('koppel_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('occurs_on', sa.Date(), nullable=True),
    sa.Column('start_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('end_time', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('sort_key', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['koppel_id'], ['koppel.id'], name=op.f('fk_presence_koppel_id_koppel')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_presence'))
    )
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.create_index('ix_presence_koppel_id_sort_key_id', ['koppel_id', 'sort_key', 'id'], unique=False)

    op.create_table('wijk_indicator',
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.Column('indicator', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_wijk_indicator_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('wijk_id', 'indicator', name=op.f('pk_wijk_indicator'))
    )
    with op.batch_alter_table('wijk_indicator', schema=None) as batch_op:
        batch_op.create_index('ix_wijk_indicator_indicator_wijk_id', ['indicator', 'wijk_id'], unique=False)

    op.create_table('koppel_member',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('koppel_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=False),
    sa.Column('koppel_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['koppel_id'], ['koppel.id'], name=op.f('fk_koppel_member_koppel_id_koppel')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_koppel_member_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_koppel_member'))
    )
    with op.batch_alter_table('koppel_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_koppel_member_koppel_id'), ['koppel_id'], unique=False)
        batch_op.create_index('ix_koppel_member_user_id_joined_on', ['user_id', 'joined_on'], unique=False)

    op.create_table('offer_category',
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_offer_category_offer_id_offer')),
    sa.PrimaryKeyConstraint('offer_id', 'category', name=op.f('pk_offer_category'))
    )
    with op.batch_alter_table('offer_category', schema=None) as batch_op:
        batch_op.create_index('ix_offer_category_category_offer_id', ['category', 'offer_id'], unique=False)

    op.create_table('offer_wijk',
    sa.Column('offer_id', sa.Uuid(), nullable=False),
    sa.Column('wijk_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offer.id'], name=op.f('fk_offer_wijk_offer_id_offer')),
    sa.ForeignKeyConstraint(['wijk_id'], ['wijk.id'], name=op.f('fk_offer_wijk_wijk_id_wijk')),
    sa.PrimaryKeyConstraint('offer_id', 'wijk_id', name=op.f('pk_offer_wijk'))
    )
    with op.batch_alter_table('offer_wijk', schema=None) as batch_op:
        batch_op.create_index('ix_offer_wijk_wijk_id_offer_id', ['wijk_id', 'offer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('offer_wijk', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_wijk_wijk_id_offer_id')

    op.drop_table('offer_wijk')
    with op.batch_alter_table('offer_category', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_category_category_offer_id')

    op.drop_table('offer_category')
    with op.batch_alter_table('koppel_member', schema=None) as batch_op:
        batch_op.drop_index('ix_koppel_member_user_id_joined_on')
        batch_op.drop_index(batch_op.f('ix_koppel_member_koppel_id'))

    op.drop_table('koppel_member')
    with op.batch_alter_table('wijk_indicator', schema=None) as batch_op:
        batch_op.drop_index('ix_wijk_indicator_indicator_wijk_id')

    op.drop_table('wijk_indicator')
    with op.batch_alter_table('presence', schema=None) as batch_op:
        batch_op.drop_index('ix_presence_koppel_id_sort_key_id')

    op.drop_table('presence')
    with op.batch_alter_table('offer', schema=None) as batch_op:
        batch_op.drop_index('ix_offer_title_id')
        batch_op.drop_index(batch_op.f('ix_offer_provider_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_offer_municipality_code'))

    op.drop_table('offer')
    with op.batch_alter_table('koppel_wijk', schema=None) as batch_op:
        batch_op.drop_index('ix_koppel_wijk_wijk_id_starts_on')
        batch_op.drop_index(batch_op.f('ix_koppel_wijk_koppel_id'))

    op.drop_table('koppel_wijk')
    with op.batch_alter_table('wijk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wijk_municipality_code'))

    op.drop_table('wijk')
    with op.batch_alter_table('koppel', schema=None) as batch_op:
        batch_op.drop_index('ix_koppel_name_id')

    op.drop_table('koppel')
