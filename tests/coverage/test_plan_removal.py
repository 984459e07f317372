"""Deleting a planned conversation keeps its history (issue 16): the plan leaves the lists, the feed and the
phones, and nothing meets after it; its checks, the logs' links, past coverage and the export stay.

The Grade 7 PLC of the hand-built term (tests/coverage/conftest.py) is deleted on Thursday 5 Nov at noon:
its occurrences of 20 Oct (heard), 27 Oct (checked, not held) and 3 Nov (heard) stay; 10 Nov (cancelled)
and 17 Nov (not checked) are no longer planned.
"""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from sqlalchemy import func, select

from server.db import db as database
from server.observations.models import Observation
from server.plans import service as plans
from server.plans.checks import PlanCheck
from server.plans.models import PlannedConversation, PlanSchedule
from tests import factories
from tests.coverage.conftest import local
from tests.sync.conftest import observation_record, stored_observation, sync

DELETED_AT = "2026-11-05 12:00"


@pytest.fixture()
def deleted_plc(coverage_school):
    school, plc, team = coverage_school
    principal = factories.create_user("principal", school)
    plans.delete_plan(principal, plc, now=local(school, DELETED_AT))
    database.session.commit()
    return school, plc, team


def history(plan_id: int) -> tuple[int, int]:
    """(checks of the plan, logs linked to it), deleted ones included: what a cascade would have destroyed."""
    checks = database.session.scalar(select(func.count()).select_from(PlanCheck).where(PlanCheck.plan_id == plan_id))
    logs = database.session.scalar(select(func.count()).select_from(Observation).where(Observation.plan_id == plan_id))
    return checks, logs


def test_deleting_a_plan_keeps_its_checks_and_the_logs_links(login_as, coverage_school):
    school, plc, _team = coverage_school
    before = history(plc.id)
    client, _ = login_as("principal")

    assert client.delete(f"/api/v1/plans/{plc.id}").status_code == 204

    database.session.expire_all()
    assert history(plc.id) == before == (2, 5)
    assert database.session.get(PlannedConversation, plc.id).deleted_at is not None


def test_a_deleted_plan_is_a_404_and_leaves_the_plan_and_the_phones(login_as, deleted_plc):
    school, plc, team = deleted_plc
    client, _ = login_as("principal")
    for method, path, body in (("get", f"/api/v1/plans/{plc.id}", None), ("patch", f"/api/v1/plans/{plc.id}", {"name": "Back"}),
                               ("delete", f"/api/v1/plans/{plc.id}", None),
                               ("get", f"/api/v1/plans/{plc.id}/occurrences?from=2026-10-01&to=2026-11-30", None),
                               ("get", f"/schools/{school.id}/plans/{plc.id}", None)):
        answer = getattr(client, method)(path, json=body) if body else getattr(client, method)(path)
        assert answer.status_code == 404, (method, path)
    assert [p["id"] for p in client.get(f"/api/v1/schools/{school.id}/plans").get_json()] == [team.id]
    assert "Grade 7 PLC" not in client.get(f"/schools/{school.id}/plans").get_data(as_text=True)


def test_past_coverage_keeps_its_occurrences_before_the_deletion_and_says_so(login_as, deleted_plc):
    school, plc, _team = deleted_plc
    client, _ = login_as("viewer")
    body = client.get(f"/api/v1/coverage/schools/{school.id}").get_json()
    first = next(p for p in body["plans"] if p["plan_id"] == plc.id)
    assert first["removed"] is True
    assert [(o["day"], o["status"]) for o in first["occurrences"]] == [
        ("2026-10-20", "heard"), ("2026-10-27", "checked"), ("2026-11-03", "heard")]
    assert (first["past"], first["checked"]["count"], first["happened"]["count"]) == (3, 3, 2)
    assert body["totals"]["checked"]["n"] == 6  # 3 of the PLC + 3 of the data team
    html = client.get(f"/schools/{school.id}/dashboard/coverage").get_data(as_text=True)
    assert "Grade 7 PLC <span class=\"cv-removed\">(deleted from the plan)</span>" in html
    assert "Tue 17 Nov: not checked" not in html
    table = client.get(f"/schools/{school.id}/dashboard/coverage.csv").get_data(as_text=True)
    plc_row = next(row for row in csv.DictReader(io.StringIO(table)) if row["planned_conversation"] == "Grade 7 PLC")
    assert plc_row["deleted_from_the_plan"] == "yes"


def test_a_range_after_the_deletion_leaves_the_plan_out(login_as, deleted_plc):
    school, plc, _team = deleted_plc
    client, _ = login_as("viewer")
    body = client.get(f"/api/v1/coverage/schools/{school.id}", query_string={"start": "2026-11-09"}).get_json()
    assert plc.id not in [p["plan_id"] for p in body["plans"]]


def test_a_phones_link_made_before_the_deletion_still_syncs_and_a_later_day_is_refused(login_as, deleted_plc):
    """A phone offline since 3 Nov still sends that day's log; a link to 17 Nov names no planned occurrence."""
    school, plc, _team = deleted_plc
    client, _ = login_as("observer")
    before = observation_record(school, plan_id=plc.id, plan_day="2026-11-03", observed_at="2026-11-03T15:20:00-06:00")
    after = observation_record(school, plan_id=plc.id, plan_day="2026-11-17", observed_at="2026-11-17T15:20:00-06:00")
    results = sync(client, school.id, before, after).get_json()["results"]
    assert [r["status"] for r in results] == ["stored", "invalid"]
    assert results[1]["errors"] == {"plan_day": ["Grade 7 PLC does not meet on 2026-11-17."]}
    assert stored_observation(database, before["id"]).plan_id == plc.id
    assert stored_observation(database, after["id"]) is None


def test_the_export_keeps_the_deleted_plan_and_says_when(login_as, deleted_plc):
    school, plc, _team = deleted_plc
    client, _ = login_as("principal")
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/schools/{school.id}/export").data))
    rows = list(csv.DictReader(io.StringIO(archive.read("plans.csv").decode("utf-8-sig"))))
    [plc_row] = [row for row in rows if row["plan_id"] == str(plc.id)]
    assert plc_row["deleted_at"].startswith("2026-11-05") and plc_row["valid_until"].startswith("2026-11-05")
    assert len(list(csv.DictReader(io.StringIO(archive.read("plan_checks.csv").decode("utf-8-sig"))))) == 6


def test_deleting_the_school_still_removes_a_deleted_plan_and_its_history(login_as, deleted_plc):
    school, plc, _team = deleted_plc
    school_id, plan_id = school.id, plc.id
    admin, _ = login_as("district_admin")
    assert admin.post(f"/api/v1/schools/{school_id}/delete", json={"confirm_name": school.name}).status_code == 200
    database.session.expire_all()
    for model, column in ((PlannedConversation, PlannedConversation.school_id), (PlanCheck, PlanCheck.school_id),
                          (Observation, Observation.school_id)):
        assert database.session.scalar(select(func.count()).select_from(model).where(column == school_id)) == 0
    assert database.session.scalar(select(func.count()).select_from(PlanSchedule).where(PlanSchedule.plan_id == plan_id)) == 0
