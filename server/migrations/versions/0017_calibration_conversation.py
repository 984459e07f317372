"""calibration summary: one row per co-listened conversation and trait, for the calibration figures

Revision ID: 0017
Revises: 0012
Create Date: 2026-12-06 01:30:00

Filled here from the raw rows (the same aggregate as server/calibration/summary.py), so every school's
figures can be read from it at once; `hallpulse heatmaps rebuild` recomputes it with the rollup.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0012'
branch_labels = None
depends_on = None

PATTERN_KEYS = ['school_id', 'rubric_id', 'month', 'trait_id', 'c0', 'c1', 'c2', 'pair_level', 'local_date', 'last_date']
BACKFILL = """
INSERT INTO calibration_conversation (colisten_id, rubric_id, trait_id, school_id, month, local_date, last_date,
                                      c0, c1, c2, pair_level)
SELECT colisten_id, rubric_id, trait_id, school_id, {month}, local_date, last_date, c0, c1, c2,
       CASE WHEN c0 + c1 + c2 = 2 THEN counted_level END
FROM (SELECT s.id AS colisten_id, o.rubric_id, l.trait_id, s.school_id,
             min(o.local_date) AS local_date, max(o.local_date) AS last_date,
             sum(CASE WHEN l.level = 0 THEN 1 ELSE 0 END) AS c0, sum(CASE WHEN l.level = 1 THEN 1 ELSE 0 END) AS c1,
             sum(CASE WHEN l.level = 2 THEN 1 ELSE 0 END) AS c2,
             max(CASE WHEN o.counted THEN l.level END) AS counted_level
      FROM observation o
      JOIN colisten_session s ON s.id = o.colisten_id AND s.school_id = o.school_id
      JOIN observation_trait_level l ON l.observation_id = o.id
      WHERE o.colisten_id IS NOT NULL AND o.deleted_at IS NULL AND s.deleted_at IS NULL
      GROUP BY s.id, o.rubric_id, l.trait_id, s.school_id
      HAVING count(*) >= 2) AS per_conversation
"""


def upgrade():
    op.create_table('calibration_conversation',
    sa.Column('colisten_id', sa.Uuid(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('trait_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('last_date', sa.Date(), nullable=False),
    sa.Column('c0', sa.SmallInteger(), nullable=False),
    sa.Column('c1', sa.SmallInteger(), nullable=False),
    sa.Column('c2', sa.SmallInteger(), nullable=False),
    sa.Column('pair_level', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_calibration_conversation_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('colisten_id', 'rubric_id', 'trait_id', name=op.f('pk_calibration_conversation')),
    )
    op.create_index('ix_calibration_conversation_patterns', 'calibration_conversation', PATTERN_KEYS, unique=False)
    op.create_index('ix_calibration_conversation_span', 'calibration_conversation',
                    ['school_id', 'rubric_id', 'local_date', 'last_date'], unique=False,
                    postgresql_where=sa.text('last_date > local_date'), sqlite_where=sa.text('last_date > local_date'))
    postgresql = op.get_bind().dialect.name == 'postgresql'
    month = "CAST(date_trunc('month', local_date) AS date)" if postgresql else "date(local_date, 'start of month')"
    op.execute(BACKFILL.format(month=month))


def downgrade():
    op.drop_index('ix_calibration_conversation_span', table_name='calibration_conversation',
                  postgresql_where=sa.text('last_date > local_date'), sqlite_where=sa.text('last_date > local_date'))
    op.drop_index('ix_calibration_conversation_patterns', table_name='calibration_conversation')
    op.drop_table('calibration_conversation')
