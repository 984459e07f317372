"""practice scenarios with a reference level per trait, and people's answers to them

Revision ID: 0009
Revises: 0005
Create Date: 2026-12-04 23:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('practice_scenario',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rubric_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('setting', sa.Enum('informal', 'formal', name='setting', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_practice_scenario_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['rubric_id'], ['rubric.id'], name=op.f('fk_practice_scenario_rubric_id_rubric'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_practice_scenario_school_id_school'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_scenario'))
    )
    with op.batch_alter_table('practice_scenario', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_scenario_rubric_id'), ['rubric_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_scenario_school_id'), ['school_id'], unique=False)

    op.create_table('practice_reference',
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('trait_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.Column('why', sa.String(length=240), nullable=False),
    sa.CheckConstraint('level BETWEEN 0 AND 2', name=op.f('ck_practice_reference_level')),
    sa.ForeignKeyConstraint(['scenario_id'], ['practice_scenario.id'], name=op.f('fk_practice_reference_scenario_id_practice_scenario'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trait_id'], ['trait.id'], name=op.f('fk_practice_reference_trait_id_trait'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('scenario_id', 'trait_id', name=op.f('pk_practice_reference'))
    )

    op.create_table('practice_answer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('scenario_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['scenario_id'], ['practice_scenario.id'], name=op.f('fk_practice_answer_scenario_id_practice_scenario'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['school.id'], name=op.f('fk_practice_answer_school_id_school'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_practice_answer_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_answer')),
    sa.UniqueConstraint('scenario_id', 'user_id', name=op.f('uq_practice_answer_scenario_id'))
    )
    with op.batch_alter_table('practice_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_answer_scenario_id'), ['scenario_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_answer_school_id'), ['school_id'], unique=False)
        batch_op.create_index('ix_practice_answer_user_answered', ['user_id', 'answered_at'], unique=False)

    op.create_table('practice_answer_level',
    sa.Column('answer_id', sa.Uuid(), nullable=False),
    sa.Column('trait_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('level BETWEEN 0 AND 2', name=op.f('ck_practice_answer_level_level')),
    sa.ForeignKeyConstraint(['answer_id'], ['practice_answer.id'], name=op.f('fk_practice_answer_level_answer_id_practice_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['trait_id'], ['trait.id'], name=op.f('fk_practice_answer_level_trait_id_trait'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'trait_id', name=op.f('pk_practice_answer_level'))
    )


def downgrade():
    op.drop_table('practice_answer_level')
    with op.batch_alter_table('practice_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_practice_answer_user_answered')
        batch_op.drop_index(batch_op.f('ix_practice_answer_school_id'))
        batch_op.drop_index(batch_op.f('ix_practice_answer_scenario_id'))
    op.drop_table('practice_answer')
    op.drop_table('practice_reference')
    with op.batch_alter_table('practice_scenario', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_scenario_school_id'))
        batch_op.drop_index(batch_op.f('ix_practice_scenario_rubric_id'))
    op.drop_table('practice_scenario')
