"""heatmap digest: the talk index leads with the kind, the team index with the team then the kind

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-06 02:05:00

A kind filter (without its setting) could seek only the school in the talk index, which led with the
setting, and a team with a kind found one of the two: a narrow pair read the whole school's rows. The
same two indexes, their columns reordered: no index more for the sync to write.
"""
from alembic import op


revision = '0022'
down_revision = '0019'
branch_labels = None
depends_on = None

PAYLOAD = ['walked', 'rubric_id', *(f'c{i}' for i in range(12))]
REST = ['observer_id', 'local_date', 'location_id', 'slot']
BEFORE = {'talk': ['setting', 'kind', 'team'], 'team': ['team', 'setting', 'kind']}
AFTER = {'talk': ['kind', 'setting', 'team'], 'team': ['team', 'kind', 'setting']}


def recreate(orders: dict) -> None:
    for name, leading in orders.items():
        op.drop_index(f'ix_heatmap_conversation_{name}', table_name='heatmap_conversation')
        op.create_index(f'ix_heatmap_conversation_{name}', 'heatmap_conversation',
                        ['school_id', *leading, *REST, *PAYLOAD], unique=False)


def upgrade():
    recreate(AFTER)


def downgrade():
    recreate(BEFORE)
