"""Occurrence expansion against hand-computed calendars, through the API, on both engines.

Each expected list was worked out from a paper calendar: the weekdays of each date, and the US DST
changes (Sunday 2026-11-01 back to CST, UTC-6; Sunday 2027-03-14 forward to PDT, UTC-7).
"""
from __future__ import annotations

import os
import time

import pytest

from tests import factories
from tests.plans.helpers import create_plan, starts


def test_weekly_tuesday_keeps_its_wall_clock_across_the_fall_dst_change(login_as, school):
    client, _ = login_as("principal")
    plan = create_plan(client, school.id)  # Tuesdays 15:00–16:00, 2026-10-20 … 2026-11-17, America/Chicago

    assert starts(client, plan["id"], "2026-10-01", "2026-11-30") == [
        "2026-10-20T20:00:00+00:00", "2026-10-27T20:00:00+00:00",   # CDT, UTC-5
        "2026-11-03T21:00:00+00:00", "2026-11-10T21:00:00+00:00", "2026-11-17T21:00:00+00:00",  # CST, UTC-6
    ]
    assert starts(client, plan["id"], "2026-10-01", "2026-11-30", "local_start")[2] == "2026-11-03T15:00:00-06:00"
    assert starts(client, plan["id"], "2026-11-03", "2026-11-03", "utc_end") == ["2026-11-03T22:00:00+00:00"]


def test_biweekly_counts_weeks_from_the_terms_first_week(login_as, school):
    client, _ = login_as("principal")
    plan = create_plan(client, school.id, frequency="biweekly", weekdays=[0, 3], starts_at="07:30", ends_at="08:15",
                       first_day="2026-09-09", last_day="2026-10-08")  # starts on a Wednesday

    days = [moment[:10] for moment in starts(client, plan["id"], "2026-09-01", "2026-10-31", "local_start")]

    assert days == ["2026-09-10", "2026-09-21", "2026-09-24", "2026-10-05", "2026-10-08"]


@pytest.mark.parametrize(("week", "weekday", "expected"), [
    (1, 0, ["2026-09-07", "2026-10-05", "2026-11-02", "2026-12-07"]),   # first Monday
    (-1, 4, ["2026-09-25", "2026-10-30", "2026-11-27", "2026-12-25"]),  # last Friday
])
def test_monthly_on_the_nth_weekday(login_as, school, week, weekday, expected):
    client, _ = login_as("principal")
    plan = create_plan(client, school.id, frequency="monthly", weekdays=[weekday], week_of_month=week,
                       starts_at="16:00", ends_at="17:00", first_day="2026-09-01", last_day="2026-12-31")

    assert [m[:10] for m in starts(client, plan["id"], "2026-09-01", "2026-12-31", "local_start")] == expected
    assert plan["rrule"] == f"FREQ=MONTHLY;BYDAY={week}{'MOTUWETHFRSASU'[2 * weekday:2 * weekday + 2]}"


def test_a_cancelled_snow_day_and_an_added_day(login_as, school):
    client, _ = login_as("principal")
    plan = create_plan(client, school.id, weekdays=[2], starts_at="14:00", ends_at="15:00", first_day="2027-01-06",
                       last_day="2027-01-27", cancelled_dates=["2027-01-13"], added_dates=["2027-01-15"])

    assert starts(client, plan["id"], "2027-01-01", "2027-01-31") == [
        "2027-01-06T20:00:00+00:00", "2027-01-15T20:00:00+00:00", "2027-01-20T20:00:00+00:00",
        "2027-01-27T20:00:00+00:00",
    ]


@pytest.fixture()
def server_in_tokyo():
    """The server process's own zone is neither UTC nor the school's: nothing may depend on it."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Tokyo"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ")
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_a_los_angeles_school_across_the_spring_dst_change_whatever_the_servers_zone(login_as, db, server_in_tokyo):
    far_west = factories.create_school(name="Pacific Middle", timezone="America/Los_Angeles")
    client, _ = login_as("principal", target_school=far_west)
    plan = create_plan(client, far_west.id, first_day="2027-03-01", last_day="2027-03-31")

    assert starts(client, plan["id"], "2027-03-08", "2027-03-17") == [
        "2027-03-09T23:00:00+00:00",  # PST, UTC-8
        "2027-03-16T22:00:00+00:00",  # PDT, UTC-7
    ]
    assert starts(client, plan["id"], "2027-03-16", "2027-03-16", "local_start") == ["2027-03-16T15:00:00-07:00"]


def test_a_window_is_read_in_the_schools_days(login_as, school):
    """An occurrence at 19:00 local on 2026-10-20 is 00:00 UTC on the 21st: it belongs to the 20th."""
    client, _ = login_as("principal")
    plan = create_plan(client, school.id, starts_at="19:00", ends_at="20:00")

    assert starts(client, plan["id"], "2026-10-20", "2026-10-20") == ["2026-10-21T00:00:00+00:00"]
    assert starts(client, plan["id"], "2026-10-21", "2026-10-21") == []
