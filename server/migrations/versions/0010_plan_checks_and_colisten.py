"""plan checks and co-listening: plan links and co-listen links on observations, checks of planned occurrences, co-listen sessions

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-05 21:54:07

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('colisten_session',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('lead_observer_id', sa.Integer(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['lead_observer_id'], ['user.id'], name=op.f('fk_colisten_session_lead_observer_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_colisten_session_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_colisten_session'))
    )
    with op.batch_alter_table('colisten_session', schema=None) as batch_op:
        batch_op.create_index('ix_colisten_session_observer_change', ['lead_observer_id', 'school_id', 'change_seq', 'id'], unique=False)
        batch_op.create_index('ix_colisten_session_school_code', ['school_id', 'code', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_colisten_session_school_id'), ['school_id'], unique=False)

    op.create_table('plan_check',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Enum('not_held', 'cancelled', 'not_learning', name='plancheckoutcome', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('utc_offset_minutes', sa.SmallInteger(), nullable=False),
    sa.Column('note', sa.String(length=280), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('change_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['observer_id'], ['user.id'], name=op.f('fk_plan_check_observer_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['planned_conversation.id'], name=op.f('fk_plan_check_plan_id_planned_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_plan_check_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_check'))
    )
    with op.batch_alter_table('plan_check', schema=None) as batch_op:
        batch_op.create_index('ix_plan_check_observer_change', ['observer_id', 'school_id', 'change_seq', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_check_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_plan_check_school_plan_day', ['school_id', 'plan_id', 'day'], unique=False)

    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('plan_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('colisten_code', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('colisten_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('counted', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.create_index('ix_observation_colisten', ['colisten_id'], unique=False)
        batch_op.create_index('ix_observation_school_plan_day', ['school_id', 'plan_id', 'plan_day'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_observation_plan_id_planned_conversation'), 'planned_conversation', ['plan_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_observation_colisten_id_colisten_session'), 'colisten_session', ['colisten_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_observation_colisten_id_colisten_session'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_observation_plan_id_planned_conversation'), type_='foreignkey')
        batch_op.drop_index('ix_observation_school_plan_day')
        batch_op.drop_index('ix_observation_colisten')
        batch_op.drop_column('counted')
        batch_op.drop_column('colisten_id')
        batch_op.drop_column('colisten_code')
        batch_op.drop_column('plan_day')
        batch_op.drop_column('plan_id')

    with op.batch_alter_table('plan_check', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_check_school_plan_day')
        batch_op.drop_index(batch_op.f('ix_plan_check_school_id'))
        batch_op.drop_index('ix_plan_check_observer_change')

    op.drop_table('plan_check')
    with op.batch_alter_table('colisten_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_colisten_session_school_id'))
        batch_op.drop_index('ix_colisten_session_school_code')
        batch_op.drop_index('ix_colisten_session_observer_change')

    op.drop_table('colisten_session')
