"""The calibration summary (server/calibration/summary.py): figures read from it equal the raw query's, the
migration's backfill equals a rebuild, and the JSON the service prepares equals its schemas' own dump.
Its upkeep on every sync is proven in tests/heatmaps/test_rollup_consistency.py."""
from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update

from server import changes
from server.calibration import queries, summary
from server.heatmaps import rollup
from server.observations.models import Observation
from tests.calibration.conftest import co_listen, local

RANGES = [{}, {"date_to": "2025-10-30"}, {"date_from": "2025-10-31"}, {"date_from": "2025-10-06", "date_to": "2025-10-30"},
          {"date_from": "2025-10-31", "date_to": "2025-11-04"}, {"date_from": "2025-10-30", "date_to": "2025-10-31"},
          {"date_from": "2025-10-01", "date_to": "2025-11-30"}, {"date_from": "2025-09-15", "date_to": "2025-12-01"}]


@pytest.fixture()
def past_midnight(db, calibration_school, observers):
    """A co-listen late on 30 October whose third log is dated 31 October: a range may cut it in two."""
    _session, logs = co_listen(db, calibration_school, observers, ({"evidence": 2, "action": 1}, {"evidence": 1, "action": 1},
                                                                   {"evidence": 1, "action": 0}),
                               local(calibration_school, "2025-10-30 23:50"))
    db.session.execute(update(Observation).where(Observation.id == logs[2].id, Observation.school_id == calibration_school.id)
                       .values(observed_at=logs[2].observed_at + timedelta(minutes=20),
                               local_date=logs[2].local_date + timedelta(days=1),
                               change_seq=changes.take(db.session.connection(), calibration_school.id)))
    db.session.commit()
    return calibration_school


def bodies(admin, school) -> list:
    found = []
    for query in RANGES:
        queries.forget()
        found.append(admin.get(f"/api/v1/calibration/schools/{school.id}", query_string=query).get_json())
        queries.forget()
        found.append(admin.get(f"/api/v1/calibration/districts/{school.district_id}", query_string=query).get_json())
    queries.forget()
    found.append(admin.get(f"/schools/{school.id}/dashboard/quality").get_data(as_text=True).split("observers agree", 1)[1].split("</ul>")[0])
    return found


def test_figures_read_from_the_summary_equal_the_raw_figures(db, login_as, past_midnight):
    admin, _ = login_as("district_admin")
    raw = bodies(admin, past_midnight)
    rollup.rebuild(past_midnight.id)
    db.session.commit()
    assert db.session.scalar(select(summary.C.school_id).where(summary.C.last_date > summary.C.local_date)) == past_midnight.id
    assert bodies(admin, past_midnight) == raw
    # Whole, the late conversation has three ratings; cut at midnight, its 30 October side has two and counts.
    assert [raw[i]["conversations"] for i in (0, 2, 4)] == [5, 5, 4]
    assert {t["key"]: t["exact_agreement"]["n"] for t in raw[2]["traits"]}["action"] == 1


def test_the_migration_backfill_equals_a_rebuild(db, past_midnight):
    rollup.rebuild(past_midnight.id)
    rebuilt = sorted(db.session.execute(select(*summary.SUMMARY.c)).all())
    migration = importlib.import_module("server.migrations.versions.0017_calibration_conversation")
    db.session.execute(delete(summary.SUMMARY))
    postgresql = db.session.get_bind().dialect.name == "postgresql"
    db.session.execute(text(migration.BACKFILL.format(
        month="CAST(date_trunc('month', local_date) AS date)" if postgresql else "date(local_date, 'start of month')")))
    assert len(rebuilt) == 12 + 2 and sorted(db.session.execute(select(*summary.SUMMARY.c)).all()) == rebuilt


def test_the_month_counts_backfill_equals_a_rebuild(db, past_midnight):
    rollup.rebuild(past_midnight.id)
    rebuilt = sorted(db.session.execute(select(*summary.MONTHS.c)).all())
    migration = importlib.import_module("server.migrations.versions.0023_calibration_month")
    db.session.execute(delete(summary.MONTHS))
    db.session.execute(text(migration.BACKFILL))
    assert rebuilt and sorted(db.session.execute(select(*summary.MONTHS.c)).all()) == rebuilt
    assert sum(row.conversations for row in rebuilt) == len(db.session.execute(select(*summary.SUMMARY.c)).all())


def test_the_prepared_lists_equal_their_schemas_dump(login_as, calibration_school):
    from schemas.calibration import MonthSchema, SchoolAgreementSchema, TraitAgreementSchema

    admin, _ = login_as("district_admin")
    body = admin.get(f"/api/v1/calibration/districts/{calibration_school.district_id}").get_json()
    assert body["traits"] and body["months"] and body["schools"]
    assert TraitAgreementSchema(many=True).dump(body["traits"]) == body["traits"]
    assert MonthSchema(many=True).dump(body["months"]) == body["months"]
    assert SchoolAgreementSchema(many=True).dump(body["schools"]) == body["schools"]
