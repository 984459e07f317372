"""push reminders: one row per message to one device, the log of every attempt, weekly nudge settings

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 08:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('follow_up', 'weekly_nudge', name='reminderkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('dedupe_key', sa.String(length=160), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('follow_up_id', sa.Uuid(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'gone', 'cancelled', 'failed', name='reminderstatus', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attempts', sa.SmallInteger(), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['follow_up_id'], ['follow_up.id'], name=op.f('fk_reminder_follow_up_id_follow_up'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_reminder_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscription_id'], ['push_subscription.id'], name=op.f('fk_reminder_subscription_id_push_subscription'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_reminder_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_reminder_dedupe_key'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_follow_up_id'), ['follow_up_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminder_user_id'), ['user_id'], unique=False)
        batch_op.create_index('ix_reminder_status_next_attempt', ['status', 'next_attempt_at'], unique=False)

    op.create_table('reminder_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('worker', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('status_code', sa.SmallInteger(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('detail', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminder.id'], name=op.f('fk_reminder_attempt_reminder_id_reminder'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_attempt'))
    )
    with op.batch_alter_table('reminder_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_attempt_reminder_id'), ['reminder_id'], unique=False)

    op.create_table('weekly_nudge',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('hour', sa.SmallInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_weekly_nudge_weekday')),
    sa.CheckConstraint('hour BETWEEN 0 AND 23', name=op.f('ck_weekly_nudge_hour')),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_weekly_nudge_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_weekly_nudge'))
    )


def downgrade():
    op.drop_table('weekly_nudge')
    with op.batch_alter_table('reminder_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_attempt_reminder_id'))
    op.drop_table('reminder_attempt')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_status_next_attempt')
        batch_op.drop_index(batch_op.f('ix_reminder_user_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_subscription_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_school_id'))
        batch_op.drop_index(batch_op.f('ix_reminder_follow_up_id'))
    op.drop_table('reminder')
