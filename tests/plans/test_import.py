"""Importing a calendar's repeating meetings as plans: preview, then confirm; bad files are 4xx, nothing stored.

calendars/google-export.ics and calendars/outlook-export.ics were written by hand to RFC 5545 in the
shape Google Calendar and Outlook 16 export (their PRODIDs, VTIMEZONE blocks, quoted Windows TZIDs,
UID styles, escaped commas): no export from either program was at hand.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from server.db import db as database
from server.plans.models import PlannedConversation
from server.schools.models import Location
from tests import factories
from tests.plans.helpers import starts

CALENDARS = Path(__file__).parent / "calendars"


def plan_count() -> int:
    return database.session.scalar(select(func.count()).select_from(PlannedConversation))


def send(client, school_id, text, confirm=False):
    return client.post(f"/api/v1/schools/{school_id}/plans/import", json={"calendar": text, "confirm": confirm})


def test_a_google_export_previews_its_repeating_meetings_and_says_what_it_leaves_out(login_as, school):
    client, _ = login_as("principal")

    answer = send(client, school.id, (CALENDARS / "google-export.ics").read_text())

    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["created"] is False and plan_count() == 0
    lounge = database.session.scalar(select(Location.id).where(Location.school_id == school.id,
                                                               Location.name == "Staff lounge"))
    plc, data_team, debrief = body["plans"]
    assert (plc["name"], plc["kind"], plc["location_id"], plc["rrule"], plc["purpose"]) == (
        "Grade 7 PLC", "plc", lounge, "FREQ=WEEKLY;BYDAY=TU", "Using data to see where practice falls short")
    assert {k: plc["recurrence"][k] for k in ("starts_at", "ends_at", "first_day", "last_day", "cancelled_dates")} == {
        "starts_at": "15:00", "ends_at": "16:00", "first_day": "2026-10-20", "last_day": "2026-11-17",
        "cancelled_dates": ["2026-11-10"]}
    assert (data_team["kind"], data_team["rrule"], data_team["location_id"], data_team["recurrence"]["added_dates"]) == (
        "data_team", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", None, ["2026-10-13"])
    assert (debrief["kind"], debrief["rrule"]) == ("learning_walk_debrief", "FREQ=MONTHLY;BYDAY=1MO")
    assert [(s["summary"], s["reason"].split(":")[0]) for s in body["skipped"]] == [
        ("Coffee with new teachers", "It repeats forever"), ("PD day", "It is an all-day event"),
        ("Board visit", "It happens once")]


def test_confirming_creates_the_plans_with_their_dates(login_as, school):
    client, _ = login_as("principal")

    answer = send(client, school.id, (CALENDARS / "google-export.ics").read_text(), confirm=True)

    assert answer.status_code == 200 and answer.get_json()["created"] is True
    plc = answer.get_json()["plans"][0]
    assert starts(client, plc["id"], "2026-10-01", "2026-11-30", "local_start") == [
        "2026-10-20T15:00:00-05:00", "2026-10-27T15:00:00-05:00", "2026-11-03T15:00:00-06:00",
        "2026-11-17T15:00:00-06:00"]
    assert plan_count() == 3


def test_an_outlook_export_in_a_windows_zone_lands_in_the_schools_zone(login_as, db):
    far_west = factories.create_school(name="Pacific Middle", timezone="America/Los_Angeles")
    client, _ = login_as("principal", target_school=far_west)

    answer = send(client, far_west.id, (CALENDARS / "outlook-export.ics").read_text(), confirm=True)

    assert answer.status_code == 200, answer.get_data(as_text=True)
    (plan,) = answer.get_json()["plans"]
    assert (plan["kind"], plan["recurrence"]["first_day"], plan["recurrence"]["last_day"]) == (
        "post_observation_conference", "2027-03-02", "2027-03-23")
    assert starts(client, plan["id"], "2027-03-01", "2027-03-31") == [  # DST begins Sunday 14 March
        "2027-03-02T23:00:00+00:00", "2027-03-09T23:00:00+00:00", "2027-03-16T22:00:00+00:00",
        "2027-03-23T22:00:00+00:00"]


def event(rule: str, start: str = "20261020T150000") -> str:
    return "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:x@test",
                        "DTSTAMP:20261204T000000Z", f"DTSTART;TZID=America/Chicago:{start}",
                        "DTEND;TZID=America/Chicago:20261020T160000", f"RRULE:{rule}", "SUMMARY:Meeting",
                        "END:VEVENT", "END:VCALENDAR", ""])


MANY_EVENTS = "BEGIN:VCALENDAR\r\n" + "BEGIN:VEVENT\r\nEND:VEVENT\r\n" * 100_000 + "END:VCALENDAR\r\n"
BAD_FILES = {
    "not a calendar": ("Hello, this is a memo.", 422),
    "a truncated calendar": ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART:2026", 422),
    "a vcard": ("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Someone\r\nEND:VCARD\r\n", 422),
    "a repeat that never ends": (event("FREQ=WEEKLY;BYDAY=TU"), 422),
    "thousands of meetings a year": (event("FREQ=HOURLY;COUNT=5000"), 422),
    "daily for a year": (event("FREQ=DAILY;UNTIL=20271020T000000Z"), 422),
    "an end before the start": (event("FREQ=WEEKLY;BYDAY=TU;UNTIL=20260101T000000Z"), 422),
    "a count past the limit": (event("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;COUNT=300"), 422),
    "100k events": (MANY_EVENTS, 413),
    "a 10 MB file": ("BEGIN:VCALENDAR\r\n" + "X-PAD:" + "a" * 10_000_000 + "\r\nEND:VCALENDAR\r\n", 413),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_a_bad_calendar_is_a_clear_4xx_and_nothing_is_stored(login_as, school, case):
    client, _ = login_as("principal")
    text, status = BAD_FILES[case]

    answer = send(client, school.id, text, confirm=True)

    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/problem+json" and answer.get_json()["detail"]
    assert plan_count() == 0


def test_too_many_events_under_the_size_limit_are_refused_before_reading(login_as, school):
    client, _ = login_as("principal")
    text = "BEGIN:VCALENDAR\r\n" + "BEGIN:VEVENT\r\nEND:VEVENT\r\n" * 501 + "END:VCALENDAR\r\n"

    answer = send(client, school.id, text, confirm=True)

    assert answer.status_code == 422 and "more than 500 events" in answer.get_json()["detail"]


@pytest.mark.parametrize("role", ["viewer", "observer"])
def test_only_principals_and_district_admins_import(login_as, school, role):
    client, _ = login_as(role)
    assert send(client, school.id, (CALENDARS / "google-export.ics").read_text()).status_code == 403
