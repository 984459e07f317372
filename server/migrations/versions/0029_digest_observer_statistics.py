"""heatmap digest, PostgreSQL: how many conversations each observer of a school holds, for the planner (MCV statistics)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-07 20:40:00

PostgreSQL estimates a school and an observer as independent: at a 300k-observation school it guessed
88k rows for an observer who holds 233k, planned for the smaller number, and sorted those rows on
disk. With the most common (school, observer) pairs counted, it plans for the rows there are: the
busy observer's days are read in order or hashed in parallel, not sorted. The digest's reads also
sum with room to hash (server/db.py `room_to_sum`), without which the statistic alone moved a
leader's 35k rows to a plan that sorted on disk (docs/performance.md). ANALYZE builds it, here at
once and afterwards with the table's.
"""
from alembic import op


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None

NAME = 'st_heatmap_conversation_observers'


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE STATISTICS {NAME} (mcv) ON school_id, observer_id FROM heatmap_conversation')
        op.execute('ANALYZE heatmap_conversation')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP STATISTICS {NAME}')
