"""heatmap rollups: pre-aggregated tables per school and local day

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 08:40:00

The tables start empty; `hallpulse heatmaps rebuild` fills them from existing observations
(until then the heatmaps read the raw tables, correct but slower).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _school_id(table):
    return sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f(f'fk_{table}_school_id_school'), ondelete='CASCADE')


def upgrade():
    op.create_table('heatmap_trait_day',
    sa.Column('facet', sa.String(length=8), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('trait_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=140), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('heard', sa.Integer(), nullable=False),
    sa.Column('strong', sa.Integer(), nullable=False),
    sa.Column('walked', sa.Integer(), nullable=False),
    _school_id('heatmap_trait_day'),
    sa.PrimaryKeyConstraint('facet', 'school_id', 'local_date', 'trait_id', 'value', name=op.f('pk_heatmap_trait_day')),
    sqlite_with_rowid=False,
    )
    op.create_table('heatmap_trait_week',
    sa.Column('facet', sa.String(length=8), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('trait_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=140), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('heard', sa.Integer(), nullable=False),
    sa.Column('strong', sa.Integer(), nullable=False),
    sa.Column('walked', sa.Integer(), nullable=False),
    _school_id('heatmap_trait_week'),
    sa.PrimaryKeyConstraint('facet', 'school_id', 'week', 'trait_id', 'value', name=op.f('pk_heatmap_trait_week')),
    sqlite_with_rowid=False,
    )
    op.create_table('heatmap_place_day',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('conversations', sa.Integer(), nullable=False),
    sa.Column('walked', sa.Integer(), nullable=False),
    sa.Column('listening_seconds', sa.Float(), nullable=False),
    _school_id('heatmap_place_day'),
    sa.PrimaryKeyConstraint('school_id', 'local_date', 'location_id', 'slot', name=op.f('pk_heatmap_place_day')),
    sqlite_with_rowid=False,
    )
    op.create_table('heatmap_school_day',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('conversations', sa.Integer(), nullable=False),
    sa.Column('walked', sa.Integer(), nullable=False),
    sa.Column('listening_seconds', sa.Float(), nullable=False),
    _school_id('heatmap_school_day'),
    sa.PrimaryKeyConstraint('school_id', 'local_date', name=op.f('pk_heatmap_school_day')),
    sqlite_with_rowid=False,
    )
    op.create_table('heatmap_state',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('schedule_key', sa.String(length=64), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    _school_id('heatmap_state'),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_heatmap_state')),
    )


def downgrade():
    for table in ('heatmap_state', 'heatmap_school_day', 'heatmap_place_day', 'heatmap_trait_week', 'heatmap_trait_day'):
        op.drop_table(table)
