"""heatmap digest: one row per live conversation and each walk's listening time, for filtered views

Revision ID: 0012
Revises: 0016
Create Date: 2026-12-05 22:10:00

Both tables start empty and are filled by a school's rollup rebuild, so every school's rollup is
marked unbuilt here: its views read the raw tables (exact, slower) until `hallpulse heatmaps
rebuild` runs, or its next sync rebuilds it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0016'
branch_labels = None
depends_on = None

LANES = [f'c{i}' for i in range(12)]
PAYLOAD = ['walked', 'rubric_id', *LANES]
FILTERS = ['setting', 'kind', 'team', 'observer_id', 'local_date', 'location_id', 'slot']
ORDERS = {'place': ['location_id', 'slot'], 'talk': ['setting', 'kind'], 'team': ['team'],
          'date': ['local_date', 'location_id', 'slot']}


def upgrade():
    op.create_table('heatmap_conversation',
    sa.Column('observation_id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('setting', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('team', sa.String(length=140), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=True),
    sa.Column('walked', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    *(sa.Column(lane, sa.BigInteger(), nullable=False) for lane in LANES),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_heatmap_conversation_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['observer_id'], ['user.id'], name=op.f('fk_heatmap_conversation_observer_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('observation_id', name=op.f('pk_heatmap_conversation')),
    )
    for name, leading in ORDERS.items():
        keys = ['school_id', *leading, *(column for column in FILTERS if column not in leading)]
        op.create_index(f'ix_heatmap_conversation_{name}', 'heatmap_conversation', [*keys, *PAYLOAD], unique=False)
    op.create_table('heatmap_walk_time',
    sa.Column('walk_id', sa.Uuid(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('observer_id', sa.Integer(), nullable=True),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_heatmap_walk_time_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['observer_id'], ['user.id'], name=op.f('fk_heatmap_walk_time_observer_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('walk_id', 'local_date', 'location_id', 'slot', name=op.f('pk_heatmap_walk_time')),
    )
    op.create_index('ix_heatmap_walk_time_observer', 'heatmap_walk_time',
                    ['school_id', 'observer_id', 'local_date', 'location_id', 'slot', 'seconds'], unique=False)
    op.execute('DELETE FROM heatmap_state')  # the digest is empty: no school's rollup is complete until rebuilt


def downgrade():
    op.drop_index('ix_heatmap_walk_time_observer', table_name='heatmap_walk_time')
    op.drop_table('heatmap_walk_time')
    for name in ORDERS:
        op.drop_index(f'ix_heatmap_conversation_{name}', table_name='heatmap_conversation')
    op.drop_table('heatmap_conversation')
