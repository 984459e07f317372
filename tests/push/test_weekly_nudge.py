"""The optional weekly nudge: off by default; when on, once a week to observers who logged no walk."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from server.db import db as database
from server.push.models import WeeklyNudge
from server.push.nudges import week_and_moment
from server.walks.models import Walk
from tests import factories
from tests.followups.helpers import now
from tests.push.conftest import add_device

THURSDAY, TWO_PM = 3, 14


@pytest.fixture()
def observer(school, receiver):
    user = factories.create_user("observer", school)
    add_device(user, receiver.subscription(f"observer-{user.id}"))
    return user


def turn_on(school) -> datetime:
    """Turn the nudge on for Thursdays at 14:00 school time; this week's nudge moment."""
    database.session.add(WeeklyNudge(school_id=school.id, enabled=True, weekday=THURSDAY, hour=TWO_PM))
    database.session.commit()
    return week_and_moment(now(), ZoneInfo(school.timezone), THURSDAY, TWO_PM)[1]


def test_the_nudge_is_off_by_default(dispatcher, receiver, school, observer):
    moment = week_and_moment(now(), ZoneInfo(school.timezone), THURSDAY, TWO_PM)[1]

    dispatcher.run_pass(now=moment + timedelta(minutes=1))

    assert receiver.requests == 0


def test_an_observer_with_no_walk_this_week_is_nudged_once_at_the_schools_hour(dispatcher, receiver, school, observer):
    moment = turn_on(school)

    dispatcher.run_pass(now=moment - timedelta(minutes=1))
    before = len(receiver.deliveries)
    dispatcher.run_pass(now=moment + timedelta(minutes=1))
    dispatcher.run_pass(now=moment + timedelta(hours=2))

    assert before == 0
    (delivery,) = receiver.deliveries
    assert delivery.payload["kind"] == "weekly_nudge" and delivery.payload["url"] == "/walk"
    assert moment.astimezone(ZoneInfo("America/Chicago")).hour == TWO_PM


def test_an_observer_who_walked_this_week_is_not_nudged(dispatcher, receiver, school, observer):
    moment = turn_on(school)
    database.session.add(Walk(id=uuid.uuid4(), school_id=school.id, observer_id=observer.id,
                              started_at=moment - timedelta(days=1), ended_at=moment - timedelta(days=1) + timedelta(minutes=30)))
    database.session.commit()

    dispatcher.run_pass(now=moment + timedelta(minutes=1))

    assert receiver.requests == 0


def test_viewers_are_not_nudged(dispatcher, receiver, school):
    viewer = factories.create_user("viewer", school)
    add_device(viewer, receiver.subscription("viewer"))
    moment = turn_on(school)

    dispatcher.run_pass(now=moment + timedelta(minutes=1))

    assert receiver.requests == 0


def test_a_principal_turns_the_nudge_on(login_as, school):
    client, _principal = login_as("principal")
    before = client.get(f"/api/v1/schools/{school.id}/weekly-nudge").get_json()

    response = client.put(f"/api/v1/schools/{school.id}/weekly-nudge", json={"enabled": True, "weekday": 4, "hour": 9})

    assert before["enabled"] is False
    assert response.status_code == 200 and response.get_json() == {"enabled": True, "weekday": 4, "hour": 9}
    assert database.session.get(WeeklyNudge, school.id).enabled is True


@pytest.mark.parametrize("role", ["observer", "viewer"])
def test_only_those_who_manage_the_school_change_the_nudge(login_as, school, role):
    client, _user = login_as(role)

    response = client.put(f"/api/v1/schools/{school.id}/weekly-nudge", json={"enabled": True, "weekday": 4, "hour": 9})

    assert response.status_code == 403
    assert database.session.get(WeeklyNudge, school.id) is None


@pytest.mark.parametrize("body", [{"enabled": "yes", "weekday": 4, "hour": 9}, {"enabled": True, "weekday": 7, "hour": 9},
                                  {"enabled": True, "weekday": 4, "hour": 24}, {"enabled": True}])
def test_a_bad_nudge_setting_is_refused(login_as, school, body):
    client, _principal = login_as("principal")

    assert client.put(f"/api/v1/schools/{school.id}/weekly-nudge", json=body).status_code == 422
