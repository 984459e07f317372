"""school.min_listening_hours: the least walk time behind a heatmap rate before it can be read (1 hour)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 22:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_listening_hours', sa.Float(), nullable=False, server_default='1.0'))


def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('min_listening_hours')
