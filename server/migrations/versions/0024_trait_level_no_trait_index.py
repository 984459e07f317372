"""trait levels: drop the index by trait and level, which no read uses and every edit and deletion writes

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 11:45:00

Every read of trait levels finds them by observation (the primary key leads with it). The index by
(trait, level) only served a trait's deletion, which no code path does: rubrics are built in. A
deletion or edit spread over a term removed its ~1,400 levels from as many scattered leaf pages of
this index: 756 of the 3,200 pages a batch of 200 deletions wrote to SQLite's WAL, and the batch took
28 % less time without it (edits 16 % less). A district-owned rubric that can be deleted will want
its traits retired rather than deleted, or this index back.
"""
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_trait_level_trait', table_name='observation_trait_level')


def downgrade():
    op.create_index('ix_trait_level_trait', 'observation_trait_level', ['trait_id', 'level'], unique=False)
