"""The demo's co-listened conversations: observers split on Evidence early and converge by the end."""
from __future__ import annotations

from sqlalchemy import func, select

from server.calibration import queries, service
from server.db import db as database
from server.observations.models import Observation
from server.rubrics.models import Rubric
from tests.test_demo import demo, schools_by_name  # noqa: F401 (the shared demo load)


def evidence_by_month(school):
    rubric = database.session.scalar(select(Rubric).where(Rubric.is_default.is_(True), Rubric.district_id.is_(None)))
    traits = list(rubric.traits)
    months = service._months(queries.pattern_rows((school.id,), rubric.id), traits)
    evidence = next(t.id for t in traits if t.key == "evidence")
    return [(m.traits[evidence][0], m.traits[evidence][1]) for m in months]


def test_each_demo_school_has_co_listened_conversations_counted_once(demo):  # noqa: F811
    for school in schools_by_name().values():
        rows = database.session.execute(
            select(Observation.colisten_id, func.count(), func.sum(func.cast(Observation.counted, database.Integer)))
            .where(Observation.school_id == school.id, Observation.colisten_id.is_not(None))
            .group_by(Observation.colisten_id)).all()
        assert len(rows) >= 40
        assert {(n, counted) for _session, n, counted in rows} == {(2, 1)}


def test_demo_observers_converge_on_evidence_over_the_semester(demo):  # noqa: F811
    for school in schools_by_name().values():
        months = evidence_by_month(school)
        first, last = months[0], months[-1]
        assert first[0].value + 0.2 < last[0].value  # exact agreement rises
        assert last[1].value is not None and (first[1].value is None or first[1].value < last[1].value)
