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


STATES = {0: "never_heard", 1: "not_yet", 2: "done"}


def plans_in_bootstrap(client) -> list[dict]:
    """The bootstrap's parallel lists, one dict per plan (as the phone zips them in pwa/js/plans.js)."""
    [school] = client.get("/api/v1/bootstrap").get_json()["schools"]
    columns = school["plans"]
    assert len({len(values) for values in columns.values()}) == 1, columns
    plans = [dict(zip(columns, values)) for values in zip(*columns.values())]
    return [{**plan, "state": STATES[plan["state"]]} for plan in plans]


def test_today_and_the_next_meeting_day_are_listed_soonest_first(db, login_as, school, at_tuesday_morning):
    principal, _ = login_as("principal")
    late = create_plan(principal, school.id, **TUESDAYS)
    early = create_plan(principal, school.id, **TUESDAYS, weekdays=[1, 2], starts_at="08:30", ends_at="09:15")
    create_plan(principal, school.id, first_day="2026-11-02", last_day="2026-12-14", weekdays=[0])  # Mondays: not next
    client, _ = login_as("observer")
    plans = plans_in_bootstrap(client)
    assert [(p["id"], p["occurrences"]) for p in plans] == [
        (early["id"], ["2026-11-24T08:30/PT45M", "2026-11-25T08:30/PT45M"]),
        (late["id"], ["2026-11-24T15:00/PT60M"]),
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


FRIDAY_MORNING = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)  # 10:00 in Chicago


def test_a_plan_meeting_only_next_week_is_not_done_by_this_weeks_log(db, login_as, school, monkeypatch):
    """Friday's bootstrap carries Monday's plans for a phone that opens without signal on Monday: a plan
    heard this week is still to walk to next week, and says whether it was heard this term."""
    principal, _ = login_as("principal")
    monday = create_plan(principal, school.id, first_day="2026-11-02", last_day="2026-12-14", weekdays=[0])
    friday = create_plan(principal, school.id, first_day="2026-11-06", last_day="2026-12-18", weekdays=[4])
    client, _ = login_as("observer")
    for plan, day in ((monday, "2026-11-23"), (friday, "2026-11-27")):
        sync(client, school.id, observation_record(school, plan_id=plan["id"], plan_day=day,
                                                   observed_at=f"{day}T15:10:00-06:00"))
    monkeypatch.setattr(bootstrap_service, "utcnow", lambda: FRIDAY_MORNING)
    states = {plan["id"]: (plan["state"], plan["occurrences"]) for plan in plans_in_bootstrap(client)}
    assert states == {friday["id"]: ("done", ["2026-11-27T15:00/PT60M"]),
                      monday["id"]: ("not_yet", ["2026-11-30T15:00/PT60M"])}


def test_an_occurrence_across_a_dst_change_keeps_its_clock_length(db, login_as, school, monkeypatch):
    """The length is on the school's clock: 01:30–03:30 on the night the clocks go back is 120 minutes."""
    principal, _ = login_as("principal")
    create_plan(principal, school.id, first_day="2026-10-26", last_day="2026-11-30", weekdays=[6],
                starts_at="01:30", ends_at="03:30")
    client, _ = login_as("observer")
    monkeypatch.setattr(bootstrap_service, "utcnow", lambda: datetime(2026, 10, 31, 15, 0, tzinfo=timezone.utc))  # Saturday
    [plan] = plans_in_bootstrap(client)
    assert plan["occurrences"] == ["2026-11-01T01:30/PT120M"]
