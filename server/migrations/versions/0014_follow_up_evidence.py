"""follow_up.evidence_observation_id and follow_up.relisten: evidence of change beyond a yes/no

A closed follow-up may point at a later conversation that shows the change (the Results page then
compares the traits heard before and after); a follow-up may ask its owner to listen again where it
started when it falls due. Existing follow-ups have neither.

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-05 22:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('evidence_observation_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('relisten', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key(batch_op.f('fk_follow_up_evidence_observation_id_observation'), 'observation',
                                    ['evidence_observation_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index(batch_op.f('ix_follow_up_evidence_observation_id'), ['evidence_observation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_evidence_observation_id'))
        batch_op.drop_constraint(batch_op.f('fk_follow_up_evidence_observation_id_observation'), type_='foreignkey')
        batch_op.drop_column('relisten')
        batch_op.drop_column('evidence_observation_id')
