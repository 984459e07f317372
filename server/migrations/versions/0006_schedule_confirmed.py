"""school.schedule_confirmed: whether a principal has checked the bell schedule (new schools start on a default)

Schools that already have periods count as checked, so an upgrade does not ask every principal
again; schools without any (made with `hallpulse create-school`) do not.

Revision ID: 0006
Revises: 0003
Create Date: 2026-12-04 22:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.add_column(sa.Column('schedule_confirmed', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE school SET schedule_confirmed = :yes WHERE EXISTS "
                       "(SELECT 1 FROM period WHERE period.school_id = school.id)").bindparams(yes=True))


def downgrade():
    with op.batch_alter_table('school', schema=None) as batch_op:
        batch_op.drop_column('schedule_confirmed')
