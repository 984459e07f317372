"""Change that is real (issue 18 point 3): a share or a rate rose or fell only when the change is larger than
its uncertainty. Fixtures worked by hand: a change just inside and just outside its 95 % interval.

Shares (Newcombe's hybrid score interval from two Wilson intervals):
  14/20 vs 8/20: Wilson 14/20 = 0.4810-0.8545, 8/20 = 0.2188-0.6134; low = 0.30 - sqrt(0.2190² + 0.2134²)
                 = 0.30 - 0.3058 = -0.0058: just inside, no clear change.
  14/20 vs 7/20: Wilson 7/20 = 0.1812-0.5671; low = 0.35 - sqrt(0.2190² + 0.2171²) = 0.35 - 0.3084 = +0.0416:
                 just outside, a clear rise.
Rates (exact conditional interval for the ratio; equal listening hours):
  10 vs 2: 10 of 12 events, Clopper-Pearson low 0.5159 → ratio low 0.5159/0.4841 = 1.0655: clear.
   9 vs 2:  9 of 11 events, low 0.4823 → ratio low 0.9314: no clear change.
"""
from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from server.heatmaps.change import clopper_pearson, rate_ratio, share_difference
from tests.heatmaps.conftest import add_observation


def test_newcombe_interval_matches_the_published_example():
    change = share_difference(56, 70, 48, 80)  # Newcombe (1998), Table II, method 10
    assert (change.estimate, change.low, change.high) == pytest.approx((0.2, 0.0524, 0.3339), abs=1e-4)


def test_a_share_change_just_inside_its_interval_is_no_clear_change():
    change = share_difference(14, 20, 8, 20)
    assert (change.low, change.high) == pytest.approx((-0.0058, 0.5381), abs=1e-4)
    assert not change.clear and change.direction is None


def test_a_share_change_just_outside_its_interval_is_a_rise_or_a_fall():
    rise = share_difference(14, 20, 7, 20)
    assert rise.low == pytest.approx(0.0416, abs=1e-4)
    assert rise.clear and rise.direction == "rose"
    assert share_difference(7, 20, 14, 20).direction == "fell"


def test_clopper_pearson_matches_known_values():
    assert clopper_pearson(5, 10) == pytest.approx((0.1871, 0.8129), abs=1e-4)
    assert clopper_pearson(0, 10) == pytest.approx((0.0, 0.3085), abs=1e-4)
    assert clopper_pearson(10, 12)[0] == pytest.approx(0.5159, abs=1e-4)


def test_a_rate_change_just_outside_and_just_inside_its_interval():
    outside, inside = rate_ratio(10, 1.0, 2, 1.0), rate_ratio(9, 1.0, 2, 1.0)
    assert outside.low == pytest.approx(1.0655, abs=1e-4) and outside.direction == "rose"
    assert inside.low == pytest.approx(0.9314, abs=1e-4) and not inside.clear
    halved = rate_ratio(10, 2.0, 2, 1.0)  # the same events over twice the hours: the ratio halves
    assert (halved.estimate, halved.low) == pytest.approx((2.5, 1.0655 / 2), abs=1e-4)
    assert rate_ratio(2, 1.0, 10, 1.0).direction == "fell"


def test_no_data_is_never_a_change():
    assert not share_difference(0, 0, 3, 10).clear
    assert not rate_ratio(0, 1.0, 0, 1.0).clear
    assert math.isinf(rate_ratio(4, 1.0, 0, 1.0).high)


# ---------------------------------------------------------------- the dashboard's questions, both engines

def overview(client, school) -> str:
    response = client.get(f"/schools/{school.id}/dashboard")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def conversations(db, school, day: date, count: int, heard: int, setting: str, kind: str, place: str) -> None:
    for i in range(count):
        add_observation(db, school, f"{day.isoformat()} {8 + i // 6:02d}:{(i % 6) * 10:02d}", place,
                        levels={"evidence": 1} if i < heard else {}, setting=setting, kind=kind)


@pytest.mark.parametrize(("informal_heard", "said"), [
    (8, "No clear gap between formal meetings and informal talk: the largest, Evidence is heard in 70% of formal "
        "meetings and 40% of informal talk, is within its uncertainty (95% interval -1 to +54 points)."),
    (7, "Evidence is heard in 70% of formal meetings and 35% of informal talk (hallway, lounge, lunch): 35 points "
        "more in meetings (95% interval +4 to +58 points)."),
], ids=["just inside", "just outside"])
def test_the_formal_informal_gap_is_named_only_when_clear(db, login_as, school, informal_heard, said):
    conversations(db, school, date(2026, 11, 10), 20, 14, "formal", "plc", "Room 204 (PLC)")
    conversations(db, school, date(2026, 11, 11), 20, informal_heard, "informal", "hallway_chat", "Main hallway")
    db.session.commit()
    client, _ = login_as("viewer")
    assert said in overview(client, school)


@pytest.mark.parametrize(("first_heard", "said"), [
    (8, "No clear change between the first four weeks and the last four: the largest move, Evidence from 40% to "
        "70%, is within its uncertainty (95% interval -1 to +54 points)."),
    (7, "Evidence rose from 35% in the first four weeks to 70% in the last four (95% interval +4 to +58 points)."),
], ids=["just inside", "just outside"])
def test_a_trend_says_rose_only_when_clear(db, login_as, school, first_heard, said):
    monday = date(2026, 9, 7)
    first = [first_heard // 4 + (1 if i < first_heard % 4 else 0) for i in range(4)]
    last = [4, 4, 3, 3]  # 14 of 20
    for week, heard in enumerate(first + last):
        conversations(db, school, monday + timedelta(weeks=week, days=1), 5, heard, "informal", "hallway_chat",
                      "Main hallway")
    db.session.commit()
    client, _ = login_as("viewer")
    html = overview(client, school)
    assert said in html
    assert "rose from 40%" not in html


QUIET = ("The quietest place and time with enough listening: Staff lounge, After school, 6.0 conversations per hour over "
         "1.0 hours. The busiest: Main hallway, Period 2, {busy}.0 per hour")


@pytest.mark.parametrize(("busy", "said"), [
    (16, QUIET.format(busy=16) + ": no clear difference, the gap is within its uncertainty (95% interval 0.99 to 8.32 "
                                 "times)."),
    (17, QUIET.format(busy=17) + ", 2.8 times as often (95% interval 1.07 to 8.78 times)."),
], ids=["just inside", "just outside"])
def test_the_busiest_is_called_busier_than_the_quietest_only_when_clear(db, login_as, school, busy, said):
    """One hour of listening at each: 6 in the lounge after school against 16 or 17 in the hallway in period 2.
    17 of 23: Clopper-Pearson low 0.5160 -> ratio low 0.5160/0.4840 = 1.066, clear; 16 of 22: low 0.4978 -> 0.991."""
    from tests.heatmaps.conftest import add_walk
    hall = add_walk(db, school, "2026-11-10 09:00", "2026-11-10 10:00")
    for i in range(busy):
        add_observation(db, school, f"2026-11-10 09:{2 + i * 3:02d}", "Main hallway", hall)
    lounge = add_walk(db, school, "2026-11-10 15:00", "2026-11-10 16:00")
    for i in range(6):
        add_observation(db, school, f"2026-11-10 15:{5 + i * 9:02d}", "Staff lounge", lounge)
    db.session.commit()
    client, _ = login_as("viewer")
    html = overview(client, school).replace("&#39;", "'")
    assert said in html
    assert ("times as often" in html) == (busy == 17)
