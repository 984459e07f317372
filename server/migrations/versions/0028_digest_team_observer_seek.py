"""heatmap digest: the team index seeks the observer right after the kind, PostgreSQL's observer index the kind and setting

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-07 13:30:00

The team index was (school, team, kind, setting, observer, day, …): a batch from one observer's
phone landed at the end of each team, kind and setting it held, a page apiece (175 pages a batch at
a 100k school, the most of any index). With the observer right after the kind, and the day after
the observer, the batch lands once per team and kind. A team with a kind still seeks both, and an
observer under them is sought without naming every setting.

PostgreSQL's observer index (migration 0025) was (school, observer, day, …): a phone's observer with
a kind read all the observer's rows (~35k at a 300k school) to keep the kind's. Led by the observer,
the kind and the setting, a kind is sought; a view filtered to an observer names the kinds and
settings before a filtered column (closed vocabularies, digest.hinted), so a setting or dates are
still sought in each.
"""
from alembic import op


revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

PAYLOAD = ['walked', 'rubric_id', *(f'c{i}' for i in range(12))]
TEAM_BEFORE = ['team', 'kind', 'setting', 'observer_id', 'local_date', 'location_id', 'slot']
TEAM_AFTER = ['team', 'kind', 'observer_id', 'local_date', 'setting', 'location_id', 'slot']
OBSERVER_BEFORE = ['observer_id', 'local_date', 'location_id', 'slot', 'setting', 'kind', 'team']
OBSERVER_AFTER = ['observer_id', 'kind', 'setting', 'local_date', 'team', 'location_id', 'slot']


def recreate(name: str, columns: list[str]) -> None:
    op.drop_index(f'ix_heatmap_conversation_{name}', table_name='heatmap_conversation')
    op.create_index(f'ix_heatmap_conversation_{name}', 'heatmap_conversation', ['school_id', *columns, *PAYLOAD],
                    unique=False)


def upgrade():
    recreate('team', TEAM_AFTER)
    if op.get_bind().dialect.name == 'postgresql':
        recreate('observer', OBSERVER_AFTER)


def downgrade():
    recreate('team', TEAM_BEFORE)
    if op.get_bind().dialect.name == 'postgresql':
        recreate('observer', OBSERVER_BEFORE)
