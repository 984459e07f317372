"""Frequency: conversations per hour of listening, hand-computed, on both engines and both sources."""
from __future__ import annotations

import pytest

from tests import factories

from tests.heatmaps.conftest import add_observation, add_walk, get_json, table_cell

HALL, LOUNGE, ROOM = "Main hallway", "Staff lounge", "Room 204 (PLC)"


@pytest.fixture()
def tuesday(db, school, settle, source):
    """Tuesday 10 November 2026 at a Chicago school (UTC-6), walks as drawn in the comments.

    Walk 1, 08:30–09:30, logs the hallway at 08:40 and the lounge at 09:10 and 09:20: the hallway
    gets 08:30–08:55 (25 min, Period 1), the lounge 08:55–09:30 (5 min of Period 1, 30 of Period 2).
    Walk 2, 11:40–12:00, logs nothing: 20 minutes of Lunch at no known place.
    A PLC at 15:30 is logged outside any walk: a raw count, no rate.
    """
    walk = add_walk(db, school, "2026-11-10 08:30", "2026-11-10 09:30")
    add_observation(db, school, "2026-11-10 08:40", HALL, walk)
    add_observation(db, school, "2026-11-10 09:10", LOUNGE, walk)
    add_observation(db, school, "2026-11-10 09:20", LOUNGE, walk)
    add_walk(db, school, "2026-11-10 11:40", "2026-11-10 12:00")
    add_observation(db, school, "2026-11-10 15:30", ROOM, None, setting="formal", kind="plc")
    settle()
    return school


def frequency(client, school, **params):
    return get_json(client, f"/api/v1/heatmaps/schools/{school.id}/frequency", **params)


def test_rate_is_conversations_per_hour_walked_at_that_place_and_period(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday)

    hallway = table_cell(body, HALL, "Period 1")
    assert hallway["value"] == pytest.approx(1 / (25 / 60))
    assert (hallway["n"], hallway["hours"]) == (1, pytest.approx(25 / 60))
    assert table_cell(body, LOUNGE, "Period 2")["value"] == pytest.approx(2 / 0.5)


def test_a_walk_crossing_two_periods_counts_listening_time_in_both(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday)

    assert table_cell(body, LOUNGE, "Period 1")["hours"] == pytest.approx(5 / 60)
    assert table_cell(body, LOUNGE, "Period 2")["hours"] == pytest.approx(30 / 60)
    assert table_cell(body, "Whole school", "Period 1")["value"] == pytest.approx(1 / 0.5)


def test_listening_without_hearing_anything_is_a_zero_not_an_empty_cell(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday)

    lounge_p1 = table_cell(body, LOUNGE, "Period 1")
    assert (lounge_p1["value"], lounge_p1["empty"]) == (0, False)
    assert table_cell(body, "Whole school", "Lunch")["value"] == 0
    nobody_there = table_cell(body, HALL, "Lunch")
    assert (nobody_there["value"], nobody_there["empty"]) == (None, True)


def test_walk_time_with_nothing_logged_counts_in_the_whole_school_total(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday)

    whole = table_cell(body, "Whole school", "All day")
    assert whole["hours"] == pytest.approx(80 / 60)
    assert whole["value"] == pytest.approx(3 / (80 / 60))
    assert whole["conversations"] == 4


def test_conversations_outside_walks_fall_back_to_raw_counts_and_say_so(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday)

    plc = table_cell(body, ROOM, "After school")
    assert (plc["value"], plc["fallback"], plc["hours"]) == (1, True, 0)
    assert any("outside a walk" in note for note in body["notes"])


def test_raw_counts_are_one_parameter_away(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday, measure="count")

    assert table_cell(body, LOUNGE, "Period 2")["value"] == 2
    assert table_cell(body, "Whole school", "All day")["value"] == 4


def test_cells_under_the_minimum_n_are_marked_too_few(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday)

    assert body["min_n"] == 5
    assert table_cell(body, LOUNGE, "Period 2")["few"] is True


def test_rows_by_kind_of_place_and_columns_by_weekday(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday, rows="place_kind", columns="weekday")

    lounge = table_cell(body, "Staff lounge", "Tuesday")
    assert (lounge["walked"], lounge["hours"]) == (2, pytest.approx(35 / 60))
    assert table_cell(body, "Hallways", "Monday")["empty"] is True


@pytest.fixture()
def dst_week(db, school, settle, source):
    """Friday 30 October (CDT, UTC-5) and Monday 2 November (CST, UTC-6): 08:15–08:45 local both days."""
    for day in ("2026-10-30", "2026-11-02"):
        walk = add_walk(db, school, f"{day} 08:15", f"{day} 08:45")
        add_observation(db, school, f"{day} 08:30", HALL, walk)
    settle()
    return school


def test_periods_stay_at_local_time_across_a_daylight_saving_change(login_as, dst_week):
    client, _ = login_as("principal")
    body = frequency(client, dst_week)

    period_1 = table_cell(body, HALL, "Period 1")
    assert (period_1["walked"], period_1["hours"]) == (2, pytest.approx(1.0))
    assert table_cell(body, HALL, "Before school")["empty"] is True
    assert table_cell(body, HALL, "Period 2")["empty"] is True


@pytest.fixture()
def pacific_school(db):
    from tests import factories

    return factories.create_school(name="Coastal Middle School", timezone="America/Los_Angeles")


def test_a_school_in_another_zone_is_bucketed_in_its_own_local_time(db, login_as, pacific_school, settle):
    walk = add_walk(db, pacific_school, "2026-11-10 07:10", "2026-11-10 07:50")  # 15:10 UTC: after school in Chicago
    add_observation(db, pacific_school, "2026-11-10 07:30", HALL, walk)
    settle()
    client, _ = login_as("principal", target_school=pacific_school)
    body = frequency(client, pacific_school)

    before_school = table_cell(body, HALL, "Before school")
    assert (before_school["walked"], before_school["hours"]) == (1, pytest.approx(40 / 60))
    assert table_cell(body, "Whole school", "After school")["empty"] is True


def test_date_range_limits_both_conversations_and_listening(login_as, dst_week):
    client, _ = login_as("principal")
    body = frequency(client, dst_week, date_from="2026-11-01")

    period_1 = table_cell(body, HALL, "Period 1")
    assert (period_1["walked"], period_1["hours"]) == (1, pytest.approx(0.5))


def test_a_conversation_filter_narrows_the_counts_but_not_the_listening_time(login_as, tuesday):
    client, _ = login_as("principal")
    body = frequency(client, tuesday, conversation_kind="plc")

    lounge = table_cell(body, LOUNGE, "Period 2")
    assert (lounge["value"], lounge["hours"], lounge["empty"]) == (0, pytest.approx(0.5), False)
    assert table_cell(body, ROOM, "After school")["fallback"] is True


def test_an_observer_filter_narrows_the_walks_too(db, login_as, school, settle):
    client, principal = login_as("principal")
    colleague = factories.create_user("observer", school)
    walk = add_walk(db, school, "2026-11-10 08:30", "2026-11-10 09:30", observer=principal)
    add_observation(db, school, "2026-11-10 08:40", HALL, walk, observer=principal)
    other = add_walk(db, school, "2026-11-10 11:40", "2026-11-10 12:00", observer=colleague)
    add_observation(db, school, "2026-11-10 11:50", LOUNGE, other, observer=colleague)
    settle()

    body = frequency(client, school, observer_id=principal.id)
    assert table_cell(body, "Whole school", "All day")["hours"] == pytest.approx(1.0)
    assert table_cell(body, LOUNGE, "Lunch")["empty"] is True


def test_many_walks_have_their_stops_found_by_their_conditions_as_by_their_ids(db, tuesday, monkeypatch):
    """Past WALKS_BY_ID walks (a term of a school's), stops come from one join on the walks'
    conditions instead of lists of ids: the same numbers, including a walk from the evening before
    whose stop on that evening still shares the walk's time on the day asked for."""
    from datetime import date

    from server.heatmaps import queries, rollup
    from server.heatmaps.exposure import BEFORE
    from tests.heatmaps.conftest import place

    # Monday 21:00 to past midnight: the midpoint of the 23:50 hallway log and the 00:30 lounge log
    # gives the hallway Tuesday's first 10 minutes, the lounge the next 20.
    late = add_walk(db, tuesday, "2026-11-09 21:00", None)
    add_observation(db, tuesday, "2026-11-09 23:50", HALL, late)
    add_observation(db, tuesday, "2026-11-10 00:30", LOUNGE, late)
    schedule = rollup.schedule_for(tuesday.id)
    hall = place(db, tuesday, HALL).id
    for filters in (queries.Filters(), queries.Filters(date_from=date(2026, 11, 10), date_to=date(2026, 11, 10))):
        by_ids = queries.presence(tuesday.id, schedule, filters, by_date=True)
        monkeypatch.setattr(queries, "WALKS_BY_ID", 0)
        monkeypatch.setattr(queries, "walk_stops", lambda walk_ids: pytest.fail("stops looked up by id"))
        by_conditions = queries.presence(tuesday.id, schedule, filters, by_date=True)
        monkeypatch.undo()
        assert by_conditions == by_ids
        assert by_ids[(date(2026, 11, 10), hall, BEFORE)][2] == pytest.approx(10 * 60)
