"""db.insert_rows: what it writes reads back exactly as SQLAlchemy's own insert of the same rows, on both engines."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import func, insert, select

from server.db import insert_rows, sqlite_values
from server.heatmaps.digest import D, DIGEST
from server.heatmaps.models import HeatmapWalkTime
from server.observations.models import Observation
from tests.factories import create_school, create_user
from tests.query_plans import query_plan, statements_run

WALK_TIME = HeatmapWalkTime.__table__


def test_rows_inserted_in_bulk_read_back_as_the_orms_own_insert_of_the_same_rows(db):
    school = create_school()
    observer = create_user(school=school)
    db.session.commit()

    def rows(seconds: float) -> list[dict]:
        return [{"walk_id": uuid.uuid4(), "local_date": date(2026, 10, day), "location_id": place, "slot": slot,
                 "school_id": school.id, "observer_id": observer.id if slot else None, "seconds": seconds}
                for day in (5, 6) for place in (1, 2) for slot in (0, 3)]

    fast, plain = rows(61.5), rows(61.5)
    insert_rows(WALK_TIME, fast)
    db.session.execute(insert(WALK_TIME), plain)
    db.session.commit()
    stored = {row.walk_id: row for row in db.session.scalars(select(HeatmapWalkTime))}
    for mine, theirs in zip(fast, plain):
        ours, its = stored[mine["walk_id"]], stored[theirs["walk_id"]]
        assert (ours.local_date, ours.location_id, ours.slot, ours.observer_id, ours.seconds) == \
               (its.local_date, its.location_id, its.slot, its.observer_id, its.seconds)
    # and the queries that filter by the converted columns find them
    found = db.session.scalars(select(HeatmapWalkTime.walk_id).where(
        HeatmapWalkTime.local_date == date(2026, 10, 5), HeatmapWalkTime.walk_id.in_([r["walk_id"] for r in fast])))
    assert len(list(found)) == 4


def test_a_column_it_cannot_bind_plainly_is_refused_rather_than_stored_in_another_form():
    with pytest.raises(TypeError, match="observed_at"):
        sqlite_values(Observation.__table__, ("id", "observed_at"))


def test_an_index_hint_reaches_sqlite_and_is_left_out_elsewhere(db):
    """`with_hint(…, "sqlite")` must be rendered after the table's name on SQLite (SQLAlchemy's own SQLite
    compiler drops it) and nowhere on PostgreSQL; SQLite then reads the named index."""
    statement = (select(D.team, func.count()).where(D.school_id == 1).group_by(D.team)
                 .with_hint(DIGEST, "INDEXED BY ix_heatmap_conversation_team", "sqlite"))
    with statements_run(db, lambda _statement, _executemany: True) as sent:
        db.session.execute(statement).all()
    sqlite = db.engine.dialect.name == "sqlite"
    assert ("heatmap_conversation INDEXED BY ix_heatmap_conversation_team" in sent[0][0]) is sqlite
    if sqlite:
        assert "ix_heatmap_conversation_team" in " ".join(query_plan(db, *sent[0]))
