"""planned_conversation.deleted_at: deleting a plan removes it from the plan, the feed and the phone but keeps
its history (its checks, the logs' links, past coverage and exports)

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-06 01:30:00

Existing rows are live plans: the column starts empty.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('planned_conversation') as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('planned_conversation') as batch_op:
        batch_op.drop_column('deleted_at')
