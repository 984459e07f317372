""""Checked, not heard" (issue 16): a plan_check record, synced exactly once by its client UUID."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from server.plans.checks import PlanCheck
from tests.plans.helpers import create_plan
from tests.sync.conftest import deletion_record, new_id, sync

TUESDAYS = {"first_day": "2026-11-03", "last_day": "2026-12-15"}


@pytest.fixture()
def plan(login_as, school):
    principal, _ = login_as("principal")
    return create_plan(principal, school.id, **TUESDAYS)


def check_record(plan_id: int, record_id: str | None = None, version: int = 1, **fields) -> dict:
    record = {"type": "plan_check", "id": record_id or new_id(), "version": version, "plan_id": plan_id,
              "day": "2026-11-24", "outcome": "not_held", "checked_at": "2026-11-24T15:10:00-06:00",
              "note": "Room 12 dark"}
    record.update(fields)
    return record


def stored_checks(db) -> list[PlanCheck]:
    db.session.expire_all()
    return list(db.session.scalars(select(PlanCheck)))


def results(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def test_a_check_is_stored_once_however_often_it_is_sent(db, observer, school, plan):
    client, user = observer
    record = check_record(plan["id"])
    assert [r["status"] for r in results(sync(client, school.id, record, record))] == ["stored", "unchanged"]
    assert results(sync(client, school.id, record))[0]["status"] == "unchanged"
    [row] = stored_checks(db)
    assert (row.school_id, row.observer_id, row.plan_id, row.day.isoformat(), row.outcome, row.note) == (
        school.id, user.id, plan["id"], "2026-11-24", "not_held", "Room 12 dark")
    assert row.utc_offset_minutes == -360 and row.change_seq >= 1


def test_an_edit_with_a_higher_version_changes_the_outcome(db, observer, school, plan):
    client, _ = observer
    record = check_record(plan["id"])
    sync(client, school.id, record)
    assert results(sync(client, school.id, {**record, "version": 2, "outcome": "not_learning"}))[0]["status"] == "stored"
    [row] = stored_checks(db)
    assert (row.outcome, row.version) == ("not_learning", 2)


def test_the_same_version_with_other_content_is_a_conflict_carrying_the_servers_check(db, observer, school, plan):
    client, _ = observer
    record = check_record(plan["id"])
    sync(client, school.id, record)
    [result] = results(sync(client, school.id, {**record, "outcome": "cancelled"}))
    assert result["status"] == "conflict"
    current = result["current"]
    assert (current["type"], current["outcome"], current["day"], current["checked_at"]) == (
        "plan_check", "not_held", "2026-11-24", "2026-11-24T15:10:00-06:00")
    assert stored_checks(db)[0].outcome == "not_held"


def test_a_deletion_leaves_a_tombstone_without_the_note_and_editing_it_then_conflicts(db, observer, school, plan):
    client, _ = observer
    record = check_record(plan["id"])
    sync(client, school.id, record)
    assert results(sync(client, school.id, deletion_record(record["id"], 2, entity="plan_check")))[0]["status"] == "stored"
    [row] = stored_checks(db)
    assert row.deleted_at is not None and row.note is None and row.version == 2
    assert results(sync(client, school.id, {**record, "version": 3}))[0]["status"] == "conflict"
    assert results(sync(client, school.id, deletion_record(record["id"], 2, entity="plan_check")))[0]["status"] == "unchanged"


@pytest.mark.parametrize(("fields", "field"), [
    ({"day": "2026-11-25"}, "day"),                 # a Wednesday: not an occurrence
    ({"day": "2026-12-22"}, "day"),                 # after the term
    ({"outcome": "heard"}, "outcome"),
    ({"checked_at": "2026-11-24T15:10:00"}, "checked_at"),  # no offset
    ({"note": "x" * 281}, "note"),
    ({"plan_id": True}, "plan_id"),
])
def test_bad_checks_are_invalid_and_nothing_is_stored(db, observer, school, plan, fields, field):
    client, _ = observer
    [result] = results(sync(client, school.id, {**check_record(plan["id"]), **fields}))
    assert result["status"] == "invalid" and field in result["errors"]
    assert stored_checks(db) == []


def test_a_check_of_another_schools_plan_is_refused_like_a_missing_one(db, login_as, school, other_school):
    theirs, _ = login_as("principal", target_school=other_school)
    foreign = create_plan(theirs, other_school.id, **TUESDAYS)
    client, _ = login_as("observer")
    answers = [results(sync(client, school.id, check_record(plan_id)))[0] for plan_id in (foreign["id"], foreign["id"] + 999)]
    assert [(a["status"], a["errors"]) for a in answers] == [("invalid", {"plan_id": ["Not a planned conversation of this school."]})] * 2
    assert stored_checks(db) == []


def test_another_observers_check_cannot_be_changed_or_deleted(db, login_as, school, plan):
    mine, _ = login_as("observer")
    record = check_record(plan["id"])
    sync(mine, school.id, record)
    other, _ = login_as("observer")
    for attempt in ({**record, "version": 2, "outcome": "cancelled"}, deletion_record(record["id"], 2, entity="plan_check")):
        [result] = results(sync(other, school.id, attempt))
        assert (result["status"], result["errors"]) == ("invalid", {"id": ["Not found."]})
    [row] = stored_checks(db)
    assert (row.outcome, row.deleted_at) == ("not_held", None)


def test_own_checks_are_pulled_back_with_tombstones_and_a_cursor(db, observer, login_as, school, plan):
    client, _ = observer
    kept, deleted = check_record(plan["id"]), check_record(plan["id"], day="2026-12-01", outcome="cancelled")
    sync(client, school.id, kept, deleted)
    sync(client, school.id, deletion_record(deleted["id"], 2, entity="plan_check"))
    other, _ = login_as("observer")
    sync(other, school.id, check_record(plan["id"]))
    page = client.get("/api/v1/plan-checks", query_string={"school_id": school.id, "limit": 1}).get_json()
    assert [item["id"] for item in page["items"]] == [kept["id"]] and page["has_more"]
    rest = client.get("/api/v1/plan-checks", query_string={"school_id": school.id, "since": page["next_cursor"]}).get_json()
    [tomb] = rest["items"]
    assert (tomb["id"], tomb["version"], tomb["note"]) == (deleted["id"], 2, None) and tomb["deleted_at"]
    assert not rest["has_more"]


def test_another_schools_checks_are_not_listed(db, login_as, school, other_school):
    client, _ = login_as("observer")
    assert client.get("/api/v1/plan-checks", query_string={"school_id": other_school.id}).status_code == 404


def test_checks_and_observations_in_one_batch_each_get_their_result(db, observer, school, plan):
    from tests.sync.conftest import observation_record
    client, _ = observer
    batch = [check_record(plan["id"]), observation_record(school, plan_id=plan["id"], plan_day="2026-12-01"),
             {**check_record(plan["id"]), "plan_id": plan["id"] + 5}]
    assert [r["status"] for r in results(sync(client, school.id, *batch))] == ["stored", "stored", "invalid"]
    assert db.session.scalar(select(func.count()).select_from(PlanCheck)) == 1
    assert uuid.UUID(batch[0]["id"]) == stored_checks(db)[0].id
