"""calibration month counts: the calibration summary counted per school, rubric, month, trait and pattern

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 05:30:00

A district's year is ~175,000 summary rows but ~20,000 month counts, so the calibration figures read whole
months from here (server/calibration/summary.py keeps both in the sync's transaction). Filled here from
the summary; `hallpulse heatmaps rebuild` recomputes it with the summary.
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

KEYS = ['school_id', 'rubric_id', 'month', 'trait_id', 'c0', 'c1', 'c2', 'pair_level']
BACKFILL = """
INSERT INTO calibration_month (school_id, rubric_id, month, trait_id, c0, c1, c2, pair_level, conversations)
SELECT school_id, rubric_id, month, trait_id, c0, c1, c2, COALESCE(pair_level, -1), count(*)
FROM calibration_conversation
GROUP BY school_id, rubric_id, month, trait_id, c0, c1, c2, COALESCE(pair_level, -1)
"""


def upgrade():
    op.create_table('calibration_month',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('trait_id', sa.Integer(), nullable=False),
    sa.Column('c0', sa.SmallInteger(), nullable=False),
    sa.Column('c1', sa.SmallInteger(), nullable=False),
    sa.Column('c2', sa.SmallInteger(), nullable=False),
    sa.Column('pair_level', sa.SmallInteger(), nullable=False),
    sa.Column('conversations', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_calibration_month_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint(*KEYS, name=op.f('pk_calibration_month')),
    )
    op.execute(BACKFILL)


def downgrade():
    op.drop_table('calibration_month')
