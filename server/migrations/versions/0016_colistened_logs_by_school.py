"""co-listened logs by school: a partial index of the few logs that belong to a co-listen, per school

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-05 22:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_school_colisten', ['school_id', 'colisten_id'], unique=False,
                              postgresql_where=sa.text('colisten_id IS NOT NULL'),
                              sqlite_where=sa.text('colisten_id IS NOT NULL'))


def downgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_school_colisten', postgresql_where=sa.text('colisten_id IS NOT NULL'),
                            sqlite_where=sa.text('colisten_id IS NOT NULL'))
