"""The rebuild looks a conversation's slot up in a table of slot boundaries; it must equal slot_at everywhere."""
from __future__ import annotations

from bisect import bisect_right
from datetime import datetime, time, timedelta, timezone

import pytest

from server.heatmaps.exposure import PeriodSpan, Schedule
from server.heatmaps.rebuild import slot_tiles

PERIODS = [PeriodSpan(1, "Night shift", time(0, 30), time(1, 45)), PeriodSpan(2, "Early", time(2, 15), time(3, 0)),
           PeriodSpan(3, "Period 1", time(7, 45), time(8, 40)), PeriodSpan(4, "Period 2", time(8, 45), time(9, 40)),
           PeriodSpan(5, "Late", time(23, 0), time(23, 59, 59))]


@pytest.mark.parametrize("zone_name, first, last", [
    ("America/New_York", datetime(2026, 11, 1, 3, tzinfo=timezone.utc), datetime(2026, 11, 2, 12, tzinfo=timezone.utc)),
    ("America/New_York", datetime(2027, 3, 14, 3, tzinfo=timezone.utc), datetime(2027, 3, 15, 12, tzinfo=timezone.utc)),
    ("America/Santiago", datetime(2026, 9, 5, 0, tzinfo=timezone.utc), datetime(2026, 9, 7, 0, tzinfo=timezone.utc)),
    ("Australia/Lord_Howe", datetime(2026, 10, 3, 0, tzinfo=timezone.utc), datetime(2026, 10, 5, 0, tzinfo=timezone.utc)),
])
def test_slot_boundaries_give_slot_at_across_offset_changes(zone_name, first, last):
    schedule = Schedule(zone_name, PERIODS)
    tiles = slot_tiles(schedule, first, last)
    starts = [tile["starts_at"] for tile in tiles]
    moment = first
    while moment <= last:
        for nudge in (timedelta(0), timedelta(seconds=-1), timedelta(seconds=1)):
            probe = moment + nudge
            found = tiles[bisect_right(starts, probe) - 1]["slot"]
            assert found == schedule.slot_at(probe), probe
        moment += timedelta(minutes=5)
