"""Honest rates: an exact Poisson interval on every rate, cells too thin to read kept out of the colour
scale and the questions, a scale that one outlier cannot stretch, and rates under a setting, kind or
team filter that say what they count. Hand-computed, on both engines and both sources."""
from __future__ import annotations

import html as markup
import re

import pytest

from server.enums import LocationKind
from server.heatmaps.cells import Axis, Heatmap, colour, rate_cell, scale_top
from server.heatmaps.rates import poisson_bounds, too_wide
from server.schools.models import Location
from tests.heatmaps.conftest import add_observation, add_walk, get_json, table_cell

HALL, LOUNGE, ROOM, CAFE = "Main hallway", "Staff lounge", "Room 204 (PLC)", "Cafeteria"
DAYS = ("2026-11-09", "2026-11-10", "2026-11-11", "2026-11-12")
BURST = 38.5 / 3600  # hours the cafeteria is listened to: start of the walk to the midpoint 08:00:28–08:00:49


@pytest.fixture()
def week(db, school, settle, source):
    """A Chicago week, Monday 9 to Thursday 12 November 2026 (periods from tests/factories.py).

    Hallway, Period 2: a 09:00–10:00 walk each day, 3 logs each: 12 in 4 h, 3.0 an hour.
    Lounge, After school: a 15:00–16:00 walk each day, 2 logs each: 8 in 4 h, 2.0 an hour.
    Room 204, After school: one 16:00–17:00 walk on Tuesday, 5 formal Grade 7 PLC logs: 5 in 1 h,
    5.0 an hour, its interval [1.62, 11.67] more than twice the rate wide: too thin to read.
    Cafeteria, Period 1: Tuesday's 08:00–08:30 walk starts with five logs 7 s apart (08:00:00–08:00:28),
    then a hallway log at 08:00:49: the cafeteria gets 38.5 s, 5 / 0.010694 h = 467.5 an hour; the
    hallway the remaining 29 min 21.5 s.
    Whole school, all day: 31 conversations in 9.5 hours.
    """
    db.session.add(Location(school_id=school.id, name=CAFE, kind=LocationKind.CAFETERIA))
    db.session.flush()
    for day in DAYS:
        walk = add_walk(db, school, f"{day} 09:00", f"{day} 10:00")
        for minute in (10, 30, 50):
            add_observation(db, school, f"{day} 09:{minute}", HALL, walk)
        walk = add_walk(db, school, f"{day} 15:00", f"{day} 16:00")
        for minute in (20, 40):
            add_observation(db, school, f"{day} 15:{minute}", LOUNGE, walk)
    walk = add_walk(db, school, "2026-11-10 16:00", "2026-11-10 17:00")
    for minute in (5, 15, 25, 35, 45):
        add_observation(db, school, f"2026-11-10 16:{minute:02d}", ROOM, walk, setting="formal", kind="plc",
                        team="Grade 7")
    walk = add_walk(db, school, "2026-11-10 08:00", "2026-11-10 08:30")
    for second in (0, 7, 14, 21, 28):
        add_observation(db, school, f"2026-11-10 08:00:{second:02d}", CAFE, walk, setting="informal", kind="lunch")
    add_observation(db, school, "2026-11-10 08:00:49", HALL, walk)
    settle()
    return school


def frequency(client, school, **params) -> dict:
    return get_json(client, f"/api/v1/heatmaps/schools/{school.id}/frequency", **params)


def page(client, url: str, **params) -> str:
    response = client.get(url, query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return markup.unescape(response.get_data(as_text=True))


# ---------------------------------------------------------------- the interval and the thin rule

@pytest.mark.parametrize("count, low, high", [
    (0, 0.0, 3.6889), (1, 0.0253, 5.5716), (5, 1.6235, 11.6683), (10, 4.7954, 18.3904), (30, 20.2409, 42.8269),
])
def test_poisson_bounds_are_the_exact_garwood_interval(count, low, high):
    assert poisson_bounds(count) == (pytest.approx(low, abs=1e-4), pytest.approx(high, abs=1e-4))


def test_an_interval_more_than_twice_the_rate_wide_is_too_wide_from_five_conversations_down():
    assert [count for count in range(0, 12) if too_wide(count)] == [1, 2, 3, 4, 5]


def test_five_logs_in_38_seconds_are_a_thin_rate_with_its_interval(login_as, week):
    client, _ = login_as("principal")
    cafeteria = table_cell(frequency(client, week), CAFE, "Period 1")

    assert (cafeteria["n"], cafeteria["hours"]) == (5, pytest.approx(BURST))
    assert cafeteria["value"] == pytest.approx(467.53, abs=0.01)
    assert (cafeteria["interval_low"], cafeteria["interval_high"]) == (
        pytest.approx(1.6235 / BURST, rel=1e-4), pytest.approx(11.6683 / BURST, rel=1e-4))
    assert (cafeteria["thin"], cafeteria["step"]) == (True, None)


def test_enough_listening_and_conversations_make_a_readable_rate(login_as, week):
    client, _ = login_as("principal")
    body = frequency(client, week)

    hallway = table_cell(body, HALL, "Period 2")
    assert (hallway["value"], hallway["thin"], hallway["step"] is not None) == (3.0, False, True)
    assert (hallway["interval_low"], hallway["interval_high"]) == (
        pytest.approx(6.2006 / 4, abs=1e-4), pytest.approx(20.9617 / 4, abs=1e-4))
    plc = table_cell(body, ROOM, "After school")
    assert (plc["value"], plc["hours"], plc["thin"], plc["step"]) == (5.0, pytest.approx(1.0), True, None)
    assert body["min_hours"] == 1.0


def test_the_schools_own_least_listening_time_decides_what_is_thin(db, login_as, week):
    week.min_listening_hours = 5
    db.session.commit()
    client, _ = login_as("principal")
    body = frequency(client, week)

    assert (body["min_hours"], table_cell(body, HALL, "Period 2")["thin"]) == (5, True)
    assert table_cell(body, "Whole school", "All day")["thin"] is False  # 9.5 hours


# ---------------------------------------------------------------- the colour scale

def test_a_thin_cell_sets_no_part_of_the_colour_scale(login_as, week):
    client, _ = login_as("principal")
    body = frequency(client, week)

    assert body["legend"][-1]["label"] == "2.8–3.3"
    assert body["scale_max"] == pytest.approx(31 / 9.5)  # the whole school's rate, the largest readable one
    assert table_cell(body, HALL, "Period 2")["step"] == 6  # 3.0 of 3.26: the darkest step, not washed out
    assert table_cell(body, LOUNGE, "After school")["step"] == 4  # 2.0 of 3.26


def test_the_page_shows_a_thin_cell_as_too_little_listening_outside_the_legend(login_as, week):
    client, _ = login_as("viewer")
    html = page(client, f"/schools/{week.id}/dashboard/frequency")

    cafeteria = re.search(r'<td class="hm-cell ([^"]*)" title="Cafeteria · Period 1: ([^"]*)">(.*?)</td>', html, re.S)
    assert "hm-thin" in cafeteria.group(1) and "hm-step" not in cafeteria.group(1)
    assert "too little listening to read" in cafeteria.group(3)
    assert "95% interval 151.8–1091.1" in cafeteria.group(2)
    assert "Too little listening to read (under a minute, under the school's 1 hour)" in cafeteria.group(2)
    legend = re.search(r'<ol class="legend__scale">(.*?)</ol>', html, re.S).group(1)
    assert "467" not in legend and "2.8–3.3" in legend
    assert "Too little listening to read (under 1 hour" in html


def test_one_readable_outlier_is_shown_at_least_the_fence_not_as_the_whole_scale():
    heatmap = Heatmap(view="frequency", caption="", row_title="Place", measure="rate", min_n=5)
    heatmap.columns = [Axis("p", "Period")]
    rates = {"a": (8, 4), "b": (10, 4), "c": (12, 4), "d": (8, 2), "e": (120, 4)}  # 2, 2.5, 3, 4 and 30 an hour
    for row, (count, hours) in rates.items():
        heatmap.rows.append(Axis(row, row))
        heatmap.cells[(row, "p")] = rate_cell(count, count, hours * 3600, 5, "rate", 1.0)
    colour(heatmap)

    assert scale_top([2, 2.5, 3, 4, 30]) == pytest.approx(4 + 1.5 * (4 - 2.5))  # Q3 + 1.5 IQR
    assert (heatmap.scale_max, heatmap.capped) == (pytest.approx(6.25), True)
    assert heatmap.legend()[-1][1] == "≥ 5.4"
    assert [heatmap.cell(row, "p").step for row in rates] == [2, 2, 3, 4, 6]


# ---------------------------------------------------------------- questions worth discussing

def test_questions_never_cite_a_thin_rate(login_as, week):
    client, _ = login_as("principal")
    html = page(client, f"/schools/{week.id}/dashboard")
    questions = re.search(r'<section class="card questions".*?</section>', html, re.S).group(0)

    assert "The quietest place and time with enough listening: Staff lounge, After school, 2.0" in questions
    assert "The busiest: Main hallway, Period 2, 3.0 per hour" in questions
    assert CAFE not in questions and "5.0 per hour" not in questions


# ---------------------------------------------------------------- rates under a setting, kind or team filter

@pytest.mark.parametrize("filters, subject", [
    ({"setting": "formal"}, "Formal"),
    ({"setting": "formal", "team": "Grade 7"}, "Formal · Grade 7"),
    ({"conversation_kind": "plc"}, "PLC"),
])
def test_a_filtered_rate_says_it_counts_part_of_the_talk_over_all_the_listening(login_as, week, filters, subject):
    client, _ = login_as("principal")
    body = frequency(client, week, **filters)

    assert body["rate_filter"] == subject
    assert body["caption"].startswith(f"{subject} conversations heard per hour of all listening")
    assert any("listening time can't be split by setting, kind of conversation or team" in n for n in body["notes"])
    whole = table_cell(body, "Whole school", "All day")
    assert (whole["walked"], whole["hours"]) == (5, pytest.approx(9.5))


def test_an_unfiltered_or_date_filtered_rate_carries_no_such_explanation(login_as, week):
    client, _ = login_as("principal")
    body = frequency(client, week, date_from="2026-11-10")

    assert body["rate_filter"] is None
    assert not any("can't be split" in note for note in body["notes"])


def test_the_overview_under_a_setting_and_team_filter_explains_its_rate_and_compares_no_rates(login_as, week):
    client, _ = login_as("principal")
    html = page(client, f"/schools/{week.id}/dashboard", setting="formal", team="Grade 7")

    assert "Formal · Grade 7 conversations per hour of all listening" in html
    assert "These rates count only Formal · Grade 7 conversations, per hour of all listening: listening time " \
           "can't be split by setting, kind of conversation or team." in html
    questions = re.search(r'<section class="card questions".*?</section>', html, re.S).group(0)
    assert "per hour" not in questions and "quietest" not in questions


def test_the_frequency_page_under_a_filter_says_what_its_rate_means(login_as, week):
    client, _ = login_as("viewer")
    html = page(client, f"/schools/{week.id}/dashboard/frequency", setting="formal", team="Grade 7")

    assert '<p class="legend__title">Formal · Grade 7 conversations per hour of all listening</p>' in html
    above_the_table = html[:html.index("<table")]
    assert "listening time can't be split by setting, kind of conversation or team" in above_the_table
    assert html.count("listening time can't be split") == 1


def test_the_csv_carries_the_interval_the_hours_and_the_thin_flag(login_as, week):
    import csv
    import io

    client, _ = login_as("principal")
    response = client.get(f"/schools/{week.id}/dashboard/frequency.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, cafeteria = rows[1], next(row for row in rows if row[0] == CAFE)
    at = header.index("Period 1")
    assert header[at:at + 5] == ["Period 1", "Period 1 (n)", "Period 1 (95% low)", "Period 1 (95% high)",
                                 "Period 1 (hours)"]
    assert cafeteria[at:at + 2] == ["467.5 (too little listening to read)", "5"]
    assert [float(text) for text in cafeteria[at + 2:at + 5]] == [
        pytest.approx(1.6235 / BURST, rel=1e-4), pytest.approx(11.6683 / BURST, rel=1e-4), pytest.approx(BURST, abs=1e-4)]
    assert any("too little listening to read" in row[0] for row in rows[-2:])
