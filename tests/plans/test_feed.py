"""The school's calendar feed: a secret URL (stored hashed) that renews and revokes, parsed with icalendar."""
from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
from sqlalchemy import select

from server.audit.models import AuditEvent
from server.db import db as database
from server.plans.models import PlanFeed
from tests.plans.helpers import create_plan


def feed_path(client, school_id: int) -> str:
    answer = client.post(f"/api/v1/schools/{school_id}/plan-feed", json={})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    return urlsplit(answer.get_json()["url"]).path


@pytest.fixture()
def planned(login_as, school):
    """A principal's client and the school's plan: Tuesdays at 15:00, 2026-10-20 … 2026-11-17."""
    client, _ = login_as("principal")
    create_plan(client, school.id)
    return client


def test_the_feed_is_a_calendar_of_the_schools_occurrences_in_its_zone(planned, school, app):
    path = feed_path(planned, school.id)
    app.test_client_class = None
    anyone = app.test_client()  # a calendar service has no session

    answer = anyone.get(path)

    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(answer.data)
    events = calendar.walk("VEVENT")
    starts = [event.decoded("dtstart") for event in events]
    chicago = ZoneInfo("America/Chicago")
    assert [s.astimezone(chicago).replace(tzinfo=None) for s in starts] == [
        datetime(2026, 10, 20, 15), datetime(2026, 10, 27, 15), datetime(2026, 11, 3, 15),
        datetime(2026, 11, 10, 15), datetime(2026, 11, 17, 15)]
    assert [s.utcoffset().total_seconds() / 3600 for s in starts] == [-5, -5, -6, -6, -6]
    assert events[0]["dtstart"].params["TZID"] == "America/Chicago"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    assert {str(event["summary"]) for event in events} == {"Grade 7 PLC"}
    assert len({str(event["uid"]) for event in events}) == 5
    assert "Purpose: Using data to see where practice falls short" in str(events[0]["description"])


def test_the_secret_is_long_stored_only_as_its_hash_and_shown_once(planned, school):
    path = feed_path(planned, school.id)
    token = path.rsplit("/", 1)[1].removesuffix(".ics")

    stored = database.session.get(PlanFeed, school.id)

    assert len(token) >= 43  # 32 random bytes, base64url: 256 bits
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert planned.get(f"/api/v1/schools/{school.id}/plan-feed").get_json()["url"] is None


def test_renewing_retires_the_old_url_and_revoking_makes_it_a_404(planned, school):
    first = feed_path(planned, school.id)
    second = feed_path(planned, school.id)

    assert planned.get(first).status_code == 404
    assert planned.get(second).status_code == 200
    off = {"active": False, "created_at": None, "url": None}
    assert planned.delete(f"/api/v1/schools/{school.id}/plan-feed").get_json() == off
    assert planned.get(second).status_code == 404
    assert planned.get(f"/api/v1/schools/{school.id}/plan-feed").get_json() == off
    actions = database.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("plan_feed.%"))
                                       .order_by(AuditEvent.id)).all()
    assert actions == ["plan_feed.renewed", "plan_feed.renewed", "plan_feed.revoked"]


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "A" * 500, "%00" * 30])
def test_an_unknown_secret_is_a_404(client, token):
    assert client.get(f"/plans/feed/{token}.ics").status_code == 404


def test_a_feed_never_shows_another_schools_plans(planned, school, other_school, login_as):
    stranger, _ = login_as("principal", target_school=other_school)
    theirs = create_plan(stranger, other_school.id)
    stranger.patch(f"/api/v1/plans/{theirs['id']}", json={"name": "Riverside secret PLC"})

    ours = planned.get(feed_path(planned, school.id)).get_data(as_text=True)
    their_feed = stranger.get(feed_path(stranger, other_school.id)).get_data(as_text=True)

    assert "Riverside secret PLC" not in ours and "Riverside secret PLC" in their_feed
    assert planned.post(f"/api/v1/schools/{other_school.id}/plan-feed", json={}).status_code == 404
    assert planned.delete(f"/api/v1/schools/{other_school.id}/plan-feed").status_code == 404
    assert stranger.get(feed_path(stranger, other_school.id)).status_code == 200
