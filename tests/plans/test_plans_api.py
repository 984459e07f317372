"""The plans API: who may read and write, what it refuses (each a 4xx with nothing stored), what it records."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.db import db as database
from server.plans.models import PlannedConversation, PlanSchedule
from server.schools.models import Location
from tests import factories
from tests.plans.helpers import create_plan, plan_body


def stored_plans() -> tuple[int, int]:
    return (database.session.scalar(select(func.count()).select_from(PlannedConversation)),
            database.session.scalar(select(func.count()).select_from(PlanSchedule)))


def test_a_principal_plans_a_conversation_and_the_school_reads_it(login_as, school):
    principal, _ = login_as("principal")
    place = database.session.scalar(select(Location).where(Location.school_id == school.id))
    body = {**plan_body(), "location_id": place.id}

    created = principal.post(f"/api/v1/schools/{school.id}/plans", json=body)

    assert created.status_code == 201, created.get_data(as_text=True)
    plan = created.get_json()
    assert (plan["setting"], plan["kind"], plan["location_id"], plan["rrule"]) == ("formal", "plc", place.id,
                                                                                     "FREQ=WEEKLY;BYDAY=TU")
    assert plan["recurrence"]["version"] == 1 and plan["recurrence"]["valid_from"] is None
    for role in ("viewer", "observer"):
        reader, _ = login_as(role)
        assert [p["name"] for p in reader.get(f"/api/v1/schools/{school.id}/plans").get_json()] == ["Grade 7 PLC"]
        assert reader.get(f"/api/v1/plans/{plan['id']}").status_code == 200


@pytest.mark.parametrize("role", ["viewer", "observer"])
def test_viewers_and_observers_may_not_change_plans(login_as, school, role):
    principal, _ = login_as("principal")
    plan = create_plan(principal, school.id)
    client, _ = login_as(role)

    assert client.post(f"/api/v1/schools/{school.id}/plans", json=plan_body()).status_code == 403
    assert client.patch(f"/api/v1/plans/{plan['id']}", json={"name": "Renamed"}).status_code == 403
    assert client.delete(f"/api/v1/plans/{plan['id']}").status_code == 403
    assert client.post(f"/api/v1/plans/{plan['id']}/cancellations", json={"day": "2026-11-10"}).status_code == 403
    assert client.post(f"/api/v1/schools/{school.id}/plan-feed", json={}).status_code == 403
    assert stored_plans() == (1, 1)


def test_a_district_admin_plans_for_a_school_of_the_district(login_as, school):
    admin, _ = login_as("district_admin")
    assert create_plan(admin, school.id)["name"] == "Grade 7 PLC"


NEVER_ENDS = {k: v for k, v in plan_body()["recurrence"].items() if k != "last_day"}
BAD_RULES = {
    "a recurrence that never ends": ({"recurrence": NEVER_ENDS}, "last_day"),
    "a term longer than 400 days": ({"last_day": "2027-12-01"}, "last_day"),
    "a term ending before it starts": ({"last_day": "2026-10-01"}, "last_day"),
    "an end time before the start": ({"starts_at": "16:00", "ends_at": "15:00"}, "ends_at"),
    "no weekday": ({"weekdays": []}, "weekdays"),
    "a weekday named twice": ({"weekdays": [1, 1]}, "weekdays"),
    "a weekday out of range": ({"weekdays": [7]}, "weekdays"),
    "monthly without its week": ({"frequency": "monthly"}, "week_of_month"),
    "a week of the month on a weekly plan": ({"week_of_month": 1}, "week_of_month"),
    "an added day outside the term": ({"added_dates": ["2027-01-05"]}, "added_dates"),
    "a malformed day": ({"first_day": "20261020"}, "first_day"),
    "a day in year 9999": ({"last_day": "9999-12-31"}, "last_day"),
    "an unknown frequency": ({"frequency": "hourly"}, "frequency"),
}


@pytest.mark.parametrize("case", list(BAD_RULES), ids=list(BAD_RULES))
def test_a_bad_recurrence_is_a_422_naming_the_field_and_nothing_is_stored(login_as, school, case):
    client, _ = login_as("principal")
    changes, field = BAD_RULES[case]
    body = plan_body()
    body["recurrence"] = changes.get("recurrence") or {**body["recurrence"], **changes}

    answer = client.post(f"/api/v1/schools/{school.id}/plans", json=body)

    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    assert field in answer.get_json()["errors"]["json"]["recurrence"]
    assert stored_plans() == (0, 0)


def test_a_rule_meeting_too_often_is_refused(login_as, school):
    client, _ = login_as("principal")
    body = plan_body(weekdays=[0, 1, 2, 3, 4, 5, 6], first_day="2026-08-01", last_day="2027-08-15")

    answer = client.post(f"/api/v1/schools/{school.id}/plans", json=body)

    assert answer.status_code == 422
    assert answer.get_json()["detail"] == ("This would meet 380 times; a plan meets at most 260 times "
                                          "(split it, or choose fewer days).")
    assert stored_plans() == (0, 0)


def test_a_rule_that_never_meets_is_refused(login_as, school):
    client, _ = login_as("principal")
    body = plan_body(weekdays=[5], first_day="2026-10-20", last_day="2026-10-23")  # Tue–Fri, Saturdays only

    answer = client.post(f"/api/v1/schools/{school.id}/plans", json=body)

    assert answer.status_code == 422 and "never meets" in answer.get_json()["detail"]


def links_elsewhere(other_school) -> dict:
    foreign_place = database.session.scalar(select(Location.id).where(Location.school_id == other_school.id))
    foreign_person = factories.create_user("principal", other_school)
    return {"another school's place": ({"location_id": foreign_place}, "location_id"),
            "a missing place": ({"location_id": 987654}, "location_id"),
            "another school's colleague as owner": ({"owner_id": foreign_person.id}, "owner_id"),
            "a trait the rubric lacks": ({"focus_traits": ["charisma"]}, "focus_traits")}


def test_links_to_another_schools_objects_are_refused_and_nothing_is_stored(login_as, school, other_school):
    client, _ = login_as("principal")
    plan = create_plan(client, school.id)
    for case, (fields, field) in links_elsewhere(other_school).items():
        created = client.post(f"/api/v1/schools/{school.id}/plans", json={**plan_body(), **fields})
        changed = client.patch(f"/api/v1/plans/{plan['id']}", json=fields)
        for answer in (created, changed):
            assert answer.status_code == 422, case
            assert field in answer.get_json()["errors"]["json"], case
    assert stored_plans() == (1, 1)
    assert client.get(f"/api/v1/plans/{plan['id']}").get_json() == plan


def test_an_owner_with_a_role_in_the_school_is_kept(login_as, school):
    client, _ = login_as("principal")
    coach = factories.create_user("observer", school)
    answer = client.post(f"/api/v1/schools/{school.id}/plans", json={**plan_body(), "owner_id": coach.id})
    assert answer.status_code == 201 and answer.get_json()["owner_id"] == coach.id


@pytest.mark.parametrize(("query", "field"), [
    ({"from": "2026-01-01", "to": "2027-06-01"}, "to"),
    ({"from": "2026-10-02", "to": "2026-10-01"}, "to"),
    ({"from": "2026-10-01"}, "to"),
])
def test_an_occurrence_window_too_long_or_backwards_is_a_422(login_as, school, query, field):
    client, _ = login_as("principal")
    plan = create_plan(client, school.id)
    answer = client.get(f"/api/v1/plans/{plan['id']}/occurrences", query_string=query)
    assert answer.status_code == 422 and field in answer.get_json()["errors"]["query"]


def test_another_schools_plan_answers_like_a_missing_one(login_as, school, other_school):
    stranger, _ = login_as("principal", target_school=other_school)
    theirs = create_plan(stranger, other_school.id)
    client, _ = login_as("principal")

    for method, path, body in [("GET", "", None), ("PATCH", "", {"name": "Hijacked"}), ("DELETE", "", None),
                               ("GET", "/occurrences?from=2026-10-01&to=2026-11-30", None),
                               ("POST", "/cancellations", {"day": "2026-11-10"})]:
        foreign = client.open(f"/api/v1/plans/{theirs['id']}{path}", method=method, json=body)
        missing = client.open(f"/api/v1/plans/987654{path}", method=method, json=body)
        assert foreign.status_code == missing.status_code == 404, (method, path)
    assert client.get(f"/api/v1/schools/{other_school.id}/plans").status_code == 404
    assert client.get(f"/api/v1/schools/{school.id}/plans").get_json() == []
    assert stranger.get(f"/api/v1/plans/{theirs['id']}").get_json()["name"] == "Grade 7 PLC"


def test_plan_changes_are_in_the_audit_log_without_their_content(login_as, school):
    client, user = login_as("principal")
    plan = create_plan(client, school.id)
    client.patch(f"/api/v1/plans/{plan['id']}", json={"name": "Grade 7 data team", "kind": "data_team"})
    assert client.delete(f"/api/v1/plans/{plan['id']}").status_code == 204

    events = database.session.execute(select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.object_id,
                                             AuditEvent.details).order_by(AuditEvent.id)).all()
    plan_events = [e for e in events if e.action.startswith("plan.")]
    assert [(e.action, e.actor_id, e.object_id) for e in plan_events] == [
        ("plan.created", user.id, str(plan["id"])), ("plan.changed", user.id, str(plan["id"])),
        ("plan.deleted", user.id, str(plan["id"]))]
    assert plan_events[1].details == {"name": "Grade 7 data team", "fields": ["kind", "name"], "schedule_version": 1,
                                      "split": False}
    assert plan_events[2].details == {"name": "Grade 7 data team"}
    assert client.get(f"/api/v1/plans/{plan['id']}").status_code == 404


def test_the_audit_page_says_plan_changes_and_calendar_links_in_words(login_as, school):
    from tests.privacy.test_audit_words import named, page_rows

    client, principal = login_as("principal")
    named(database, principal, "Dana Reyes")
    plan = create_plan(client, school.id)
    client.patch(f"/api/v1/plans/{plan['id']}", json={"strategy": "Writing across subjects"})
    client.post(f"/api/v1/schools/{school.id}/plan-feed", json={})
    client.delete(f"/api/v1/schools/{school.id}/plan-feed")
    client.delete(f"/api/v1/plans/{plan['id']}")

    assert page_rows(client, school)[:5] == [
        "Dana Reyes deleted the planned conversation “Grade 7 PLC”",
        "Dana Reyes turned off the plans' calendar link", "Dana Reyes made a new calendar link for the plans",
        "Dana Reyes changed the planned conversation “Grade 7 PLC” (strategy)",
        "Dana Reyes planned the conversation “Grade 7 PLC”"]


@pytest.mark.parametrize("field, value, message", [
    ("first_day", "20261020", "Not a valid date: write it as YYYY-MM-DD."),
    ("first_day", "2026-02-30", "Not a valid date: write it as YYYY-MM-DD."),
    ("last_day", "9999-12-31", "Must be a day from 2000-01-01 to 2099-12-31."),
    ("cancelled_dates", ["2026-1-5"], {"0": ["Not a valid date: write it as YYYY-MM-DD."]}),
])
def test_a_bad_day_in_a_recurrence_says_how_to_write_one(login_as, school, field, value, message):
    """The plan's days are the same day field as every filter's (schemas.base.Day), with its messages."""
    client, _ = login_as("principal")
    body = plan_body()
    body["recurrence"] = {**body["recurrence"], field: value}

    answer = client.post(f"/api/v1/schools/{school.id}/plans", json=body)

    assert answer.status_code == 422
    assert answer.get_json()["errors"]["json"]["recurrence"][field] == (message if isinstance(message, dict) else [message])
    assert stored_plans() == (0, 0)
