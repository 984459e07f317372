"""change sequence: the own-records pull pages by a number each school's counter hands out, not by updated_at

Revision ID: 0004
Revises: 0006
Create Date: 2026-12-04 22:40:00

Rows already there all get change number 1 and each school's counter starts at 1, so the next
change of any school is numbered above them. Columns are added in place (no table is rebuilt on
SQLite: dropping a table there would cascade to its trait levels); SQLite keeps the column's
DEFAULT 1, which only a raw SQL insert would ever use (the app always sets the number).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLES = ('walk', 'observation', 'follow_up')


def upgrade():
    op.create_table('change_counter',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_change_counter_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_change_counter'))
    )
    for table in TABLES:
        op.add_column(table, sa.Column('change_seq', sa.BigInteger(), nullable=False, server_default='1'))
        if op.get_bind().dialect.name == 'postgresql':
            op.alter_column(table, 'change_seq', server_default=None)
    op.execute("INSERT INTO change_counter (school_id, last_seq) SELECT id, 1 FROM school")

    op.drop_index('ix_observation_observer_updated', table_name='observation')
    op.create_index('ix_observation_observer_change', 'observation', ['observer_id', 'school_id', 'change_seq', 'id'], unique=False)
    op.drop_index('ix_walk_observer_id', table_name='walk')
    op.create_index('ix_walk_observer_change', 'walk', ['observer_id', 'school_id', 'change_seq', 'id'], unique=False)
    op.create_index('ix_follow_up_school_change', 'follow_up', ['school_id', 'change_seq', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_follow_up_school_change', table_name='follow_up')
    op.drop_index('ix_walk_observer_change', table_name='walk')
    op.create_index('ix_walk_observer_id', 'walk', ['observer_id'], unique=False)
    op.drop_index('ix_observation_observer_change', table_name='observation')
    op.create_index('ix_observation_observer_updated', 'observation', ['observer_id', 'updated_at'], unique=False)
    for table in reversed(TABLES):
        op.drop_column(table, 'change_seq')  # in place on SQLite too (3.35+): never a rebuild
    op.drop_table('change_counter')
