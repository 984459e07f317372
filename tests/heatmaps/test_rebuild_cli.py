"""`hallpulse heatmaps rebuild`: a district's rebuild is one transaction per school and can resume."""
from __future__ import annotations

from sqlalchemy import select

from server.heatmaps.models import HeatmapState
from tests import factories


def built(db) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(HeatmapState.school_id)))


def test_an_interrupted_rebuild_resumes_from_a_school(runner, db):
    district = factories.create_district()
    schools = [factories.create_school(name=f"Rebuild {n}", district=district) for n in range(3)]
    db.session.commit()

    resumed = runner.invoke(args=["heatmaps", "rebuild", "--from-school-id", str(schools[1].id)])

    assert resumed.exit_code == 0, resumed.output
    assert built(db) >= {schools[1].id, schools[2].id} and schools[0].id not in built(db)
    assert f"School {schools[2].id} rebuilt" in resumed.output

    whole = runner.invoke(args=["heatmaps", "rebuild"])

    assert whole.exit_code == 0, whole.output
    assert built(db) >= {school.id for school in schools}
