"""Changing a recurrence changes only what has not started: the past keeps the rule it had."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from server.audit.models import AuditEvent
from server.db import db as database
from server.plans import service
from server.plans.models import PlannedConversation
from tests.plans.helpers import create_plan


def rule(**changes) -> dict:
    base = {"frequency": "weekly", "weekdays": [1], "week_of_month": None, "starts_at": datetime(1, 1, 1, 15).time(),
            "ends_at": datetime(1, 1, 1, 16).time(), "first_day": date(2026, 10, 20), "last_day": date(2026, 11, 17),
            "added_dates": [], "cancelled_dates": []}
    return {**base, **changes}


def local_starts(plan) -> list[str]:
    return [o.local_start.isoformat() for o in service.occurrences_between(plan, date(2026, 10, 1), date(2026, 11, 30))]


def test_a_new_time_after_two_meetings_keeps_those_two_and_moves_the_rest(login_as, school):
    client, user = login_as("principal")
    plan = database.session.get(PlannedConversation, create_plan(client, school.id)["id"])
    now = datetime(2026, 10, 28, 12, tzinfo=timezone.utc)  # after the 27th's meeting

    service.update_plan(user, plan, {"recurrence": rule(weekdays=[3], starts_at=datetime(1, 1, 1, 8).time(),
                                                         ends_at=datetime(1, 1, 1, 9).time())}, now=now)
    database.session.commit()

    assert local_starts(plan) == [
        "2026-10-20T15:00:00-05:00", "2026-10-27T15:00:00-05:00",  # as they were
        "2026-10-29T08:00:00-05:00", "2026-11-05T08:00:00-06:00", "2026-11-12T08:00:00-06:00",  # Thursdays from now
    ]
    assert [s.version for s in plan.schedules] == [1, 2]
    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "plan.changed"))
    assert event.details == {"name": "Grade 7 PLC", "fields": ["recurrence"], "schedule_version": 2, "split": True}


def test_a_change_made_between_a_meetings_start_and_end_of_day_keeps_that_meeting(login_as, school):
    client, user = login_as("principal")
    plan = database.session.get(PlannedConversation, create_plan(client, school.id)["id"])
    now = datetime(2026, 11, 3, 21, 30, tzinfo=timezone.utc)  # 15:30 CST, the meeting of the 3rd under way

    service.update_plan(user, plan, {"recurrence": rule(starts_at=datetime(1, 1, 1, 14).time())}, now=now)

    assert local_starts(plan)[2:] == ["2026-11-03T15:00:00-06:00", "2026-11-10T14:00:00-06:00",
                                      "2026-11-17T14:00:00-06:00"]


def test_a_change_before_the_first_meeting_edits_the_plan_in_place(login_as, school):
    client, _ = login_as("principal")
    plan = create_plan(client, school.id, first_day="2027-09-07", last_day="2027-10-26")

    answer = client.patch(f"/api/v1/plans/{plan['id']}",
                          json={"recurrence": {**plan["recurrence"], "weekdays": [3], "version": None}})
    assert answer.status_code == 422  # the version is the server's, not the client's

    body = {k: v for k, v in plan["recurrence"].items() if k not in ("version", "valid_from")}
    answer = client.patch(f"/api/v1/plans/{plan['id']}", json={"recurrence": {**body, "weekdays": [3]}})

    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["recurrence"]["version"] == 1 and answer.get_json()["rrule"] == "FREQ=WEEKLY;BYDAY=TH"


def test_cancelling_a_past_day_is_refused_and_a_future_one_drops_that_meeting(login_as, school):
    client, user = login_as("principal")
    plan = database.session.get(PlannedConversation, create_plan(client, school.id)["id"])
    now = datetime(2026, 11, 4, 12, tzinfo=timezone.utc)

    refused = None
    try:
        service.cancel_day(user, plan, date(2026, 11, 3), now=now)
    except service.RefusedPlan as error:
        refused = str(error)
    database.session.rollback()
    service.cancel_day(user, plan, date(2026, 11, 10), now=now)
    database.session.commit()

    assert refused == "That day has passed: past meetings stay as they were."
    assert [s[:10] for s in local_starts(plan)] == ["2026-10-20", "2026-10-27", "2026-11-03", "2026-11-17"]
