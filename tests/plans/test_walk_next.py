"""The bootstrap's planned occurrences (issue 16): where to walk next, offline."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from server.observations import bootstrap as bootstrap_service
from tests.plans.helpers import create_plan
from tests.sync.conftest import new_id, observation_record, sync

TUESDAYS = {"first_day": "2026-11-03", "last_day": "2026-12-15"}
TUESDAY_MORNING = datetime(2026, 11, 24, 16, 0, tzinfo=timezone.utc)  # 10:00 in Chicago


@pytest.fixture()
def at_tuesday_morning(monkeypatch):
    monkeypatch.setattr(bootstrap_service, "utcnow", lambda: TUESDAY_MORNING)


def plans_in_bootstrap(client) -> list[dict]:
    [school] = client.get("/api/v1/bootstrap").get_json()["schools"]
    return school["plans"]


def test_today_and_the_next_meeting_day_are_listed_soonest_first(db, login_as, school, at_tuesday_morning):
    principal, _ = login_as("principal")
    late = create_plan(principal, school.id, **TUESDAYS)
    early = create_plan(principal, school.id, **TUESDAYS, weekdays=[1, 2], starts_at="08:30", ends_at="09:15")
    create_plan(principal, school.id, first_day="2026-11-02", last_day="2026-12-14", weekdays=[0])  # Mondays: not next
    client, _ = login_as("observer")
    plans = plans_in_bootstrap(client)
    assert [(p["id"], p["occurrences"]) for p in plans] == [
        (early["id"], ["2026-11-24T08:30/09:15", "2026-11-25T08:30/09:15"]),
        (late["id"], ["2026-11-24T15:00/16:00"]),
    ]
    assert plans[0]["name"] == "Grade 7 PLC" and plans[0]["state"] == "never_heard"


def test_state_follows_logs_and_checks(db, login_as, school, at_tuesday_morning):
    principal, _ = login_as("principal")
    plan = create_plan(principal, school.id, **TUESDAYS)
    client, _ = login_as("observer")
    assert plans_in_bootstrap(client)[0]["state"] == "never_heard"
    sync(client, school.id, observation_record(school, plan_id=plan["id"], plan_day="2026-11-17",
                                               observed_at="2026-11-17T15:10:00-06:00"))
    assert plans_in_bootstrap(client)[0]["state"] == "not_yet"
    colleague, _ = login_as("observer")
    check = {"type": "plan_check", "id": new_id(), "version": 1, "plan_id": plan["id"], "day": "2026-11-24",
             "outcome": "cancelled", "checked_at": "2026-11-24T09:00:00-06:00", "note": None}
    assert sync(colleague, school.id, check).get_json()["results"][0]["status"] == "stored"
    assert plans_in_bootstrap(client)[0]["state"] == "done"  # checked by anyone in the school counts


def test_viewers_and_other_schools_get_no_plans(db, login_as, school, other_school, at_tuesday_morning):
    principal, _ = login_as("principal")
    create_plan(principal, school.id, **TUESDAYS)
    viewer, _ = login_as("viewer")
    assert plans_in_bootstrap(viewer) == []
    stranger, _ = login_as("observer", target_school=other_school)
    assert plans_in_bootstrap(stranger) == []
