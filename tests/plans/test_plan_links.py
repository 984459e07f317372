"""A log linked to a planned occurrence (issue 16): the link travels in the sync record, validated like every field."""
from __future__ import annotations

import pytest

from tests.plans.helpers import create_plan
from tests.sync.conftest import observation_record, stored_observation, sync

TUESDAYS = {"first_day": "2026-11-03", "last_day": "2026-12-15"}  # 2026-11-24 is a Tuesday


@pytest.fixture()
def plan(login_as, school):
    principal, _ = login_as("principal")
    return create_plan(principal, school.id, **TUESDAYS)


@pytest.fixture()
def observer(login_as):
    return login_as("observer")


def test_a_log_linked_to_a_real_occurrence_is_stored_with_its_link(db, observer, school, plan):
    client, _ = observer
    record = observation_record(school, plan_id=plan["id"], plan_day="2026-11-24")
    [result] = sync(client, school.id, record).get_json()["results"]
    assert result["status"] == "stored"
    row = stored_observation(db, record["id"])
    assert (row.plan_id, row.plan_day.isoformat()) == (plan["id"], "2026-11-24")
    [pulled] = client.get("/api/v1/observations", query_string={"school_id": school.id}).get_json()["items"]
    assert (pulled["plan_id"], pulled["plan_day"]) == (plan["id"], "2026-11-24")


def test_an_old_client_without_the_fields_still_syncs_unlinked(db, observer, school, plan):
    client, _ = observer
    record = observation_record(school)
    assert "plan_id" not in record
    assert sync(client, school.id, record).get_json()["results"][0]["status"] == "stored"
    assert stored_observation(db, record["id"]).plan_id is None


def test_a_day_the_plan_does_not_meet_is_invalid_and_nothing_is_stored(db, observer, school, plan):
    client, _ = observer
    record = observation_record(school, plan_id=plan["id"], plan_day="2026-11-25")  # a Wednesday
    [result] = sync(client, school.id, record).get_json()["results"]
    assert result["status"] == "invalid"
    assert result["errors"] == {"plan_day": ["Grade 7 PLC does not meet on 2026-11-25."]}
    assert stored_observation(db, record["id"]) is None


def test_a_day_outside_the_term_is_not_an_occurrence(db, observer, school, plan):
    client, _ = observer
    record = observation_record(school, plan_id=plan["id"], plan_day="2026-12-22")  # a Tuesday after last_day
    assert sync(client, school.id, record).get_json()["results"][0]["status"] == "invalid"


def test_a_link_to_another_schools_plan_is_refused_like_a_missing_one(db, login_as, school, other_school):
    theirs, _ = login_as("principal", target_school=other_school)
    foreign = create_plan(theirs, other_school.id, **TUESDAYS)
    client, _ = login_as("observer")
    answers = []
    for plan_id in (foreign["id"], foreign["id"] + 1000):
        record = observation_record(school, plan_id=plan_id, plan_day="2026-11-24")
        [result] = sync(client, school.id, record).get_json()["results"]
        answers.append((result["status"], result["errors"]))
        assert stored_observation(db, record["id"]) is None
    assert answers[0] == answers[1] == ("invalid", {"plan_id": ["Not a planned conversation of this school."]})


@pytest.mark.parametrize("fields", [{"plan_id": 1}, {"plan_day": "2026-11-24"}, {"plan_id": 1, "plan_day": None}])
def test_half_a_link_is_invalid(db, observer, school, fields):
    client, _ = observer
    record = observation_record(school, **fields)
    [result] = sync(client, school.id, record).get_json()["results"]
    assert result["status"] == "invalid" and "plan_day" in result["errors"]


@pytest.mark.parametrize("day", ["2026-13-01", "24/11/2026", 20261124, "1999-11-24"])
def test_a_malformed_day_is_invalid(db, observer, school, plan, day):
    client, _ = observer
    [result] = sync(client, school.id, observation_record(school, plan_id=plan["id"], plan_day=day)).get_json()["results"]
    assert result["status"] == "invalid" and "plan_day" in result["errors"]


def test_an_edit_can_change_the_link_and_unlink_it(db, observer, school, plan):
    client, _ = observer
    record = observation_record(school, plan_id=plan["id"], plan_day="2026-11-24")
    sync(client, school.id, record)
    moved = {**record, "version": 2, "plan_day": "2026-12-01"}
    assert sync(client, school.id, moved).get_json()["results"][0]["status"] == "stored"
    assert stored_observation(db, record["id"]).plan_day.isoformat() == "2026-12-01"
    unlinked = {**record, "version": 3, "plan_id": None, "plan_day": None}
    assert sync(client, school.id, unlinked).get_json()["results"][0]["status"] == "stored"
    row = stored_observation(db, record["id"])
    assert (row.plan_id, row.plan_day, row.version) == (None, None, 3)


def test_a_resent_linked_log_is_unchanged_and_a_changed_link_at_the_same_version_conflicts(db, observer, school, plan):
    client, _ = observer
    record = observation_record(school, plan_id=plan["id"], plan_day="2026-11-24")
    sync(client, school.id, record)
    assert sync(client, school.id, record).get_json()["results"][0]["status"] == "unchanged"
    [result] = sync(client, school.id, {**record, "plan_day": "2026-12-01"}).get_json()["results"]
    assert result["status"] == "conflict"
    assert (result["current"]["plan_id"], result["current"]["plan_day"]) == (plan["id"], "2026-11-24")


def test_a_past_occurrence_stays_linkable_after_the_rule_changes(db, login_as, observer, school, plan):
    principal, _ = login_as("principal")
    changed = principal.patch(f"/api/v1/plans/{plan['id']}", json={"recurrence": {**TUESDAYS, "frequency": "weekly",
                              "weekdays": [3], "starts_at": "15:00", "ends_at": "16:00"}})
    assert changed.status_code == 200, changed.get_data(as_text=True)
    client, _ = observer
    record = observation_record(school, plan_id=plan["id"], plan_day="2026-11-24")
    assert sync(client, school.id, record).get_json()["results"][0]["status"] == "stored"
