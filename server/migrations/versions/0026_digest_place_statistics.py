"""heatmap digest, PostgreSQL: how many places a school has, for the planner (extended statistics)

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 21:30:00

PostgreSQL estimates the groups of a GROUP BY school, place as the product of the two columns'
distinct counts, as if every school had every place of the district: ~27,000 groups where a school
has a dozen. At a 300k-observation school, quality by place for its busiest observer (233k rows)
then sorted them by place instead of hashing 12 groups, and the sort spilled to disk (324 ms, 24 MB
with the default work_mem); with the statistics, a parallel hash of the observer index's rows: 74-93
ms. ANALYZE builds them (0.36 s on a 1.2M-row digest), here at once and afterwards with the table's.
Row estimates are untouched: statistics of the observer's dependence on the school fixed the same
cell but moved the plans of narrow filters, slower in as many cells (docs/performance.md).
"""
from alembic import op


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

NAME = 'st_heatmap_conversation_places'


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE STATISTICS {NAME} (ndistinct) ON school_id, location_id, slot FROM heatmap_conversation')
        op.execute('ANALYZE heatmap_conversation')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP STATISTICS {NAME}')
