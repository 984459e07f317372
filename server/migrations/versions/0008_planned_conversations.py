"""planned conversations: the plan, its schedule versions (recurrence valid over a span of instants), the school's calendar-feed secret

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-04 23:02:15

"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_feed',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_plan_feed_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_plan_feed_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_plan_feed')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_plan_feed_token_hash'))
    )
    op.create_table('planned_conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('hallway_chat', 'lounge', 'lunch', 'before_after_school', 'parking_lot', 'plc', 'data_team', 'grade_department_meeting', 'post_observation_conference', 'learning_walk_debrief', 'coaching_session', 'planning_session', name='conversationkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=True),
    sa.Column('participants', sa.String(length=200), nullable=False),
    sa.Column('participant_count', sa.SmallInteger(), nullable=True),
    sa.Column('strategy', sa.String(length=200), nullable=False),
    sa.Column('focus_traits', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_planned_conversation_location_id_location'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_planned_conversation_owner_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_planned_conversation_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_planned_conversation'))
    )
    with op.batch_alter_table('planned_conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_planned_conversation_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_conversation_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_planned_conversation_school_id'), ['school_id'], unique=False)

    op.create_table('plan_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('frequency', sa.Enum('weekly', 'biweekly', 'monthly', name='planfrequency', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=False),
    sa.Column('week_of_month', sa.SmallInteger(), nullable=True),
    sa.Column('starts_at', sa.Time(), nullable=False),
    sa.Column('ends_at', sa.Time(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('added_dates', sa.JSON(), nullable=False),
    sa.Column('cancelled_dates', sa.JSON(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_plan_schedule_times')),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_plan_schedule_term')),
    sa.ForeignKeyConstraint(['plan_id'], ['planned_conversation.id'], name=op.f('fk_plan_schedule_plan_id_planned_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_schedule'))
    )
    with op.batch_alter_table('plan_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_schedule_plan_id'), ['plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('plan_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_schedule_plan_id'))

    op.drop_table('plan_schedule')
    with op.batch_alter_table('planned_conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_planned_conversation_school_id'))
        batch_op.drop_index(batch_op.f('ix_planned_conversation_owner_id'))
        batch_op.drop_index(batch_op.f('ix_planned_conversation_location_id'))

    op.drop_table('planned_conversation')
    op.drop_table('plan_feed')
