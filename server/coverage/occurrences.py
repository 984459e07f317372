"""A plan's occurrences over a range of local days, cancelled days included, each once per version.

Expansion goes through server/plans/recurrence.py (RFC 5545 rules on the school's wall clock) with a
version's cancelled days put back, so a day taken off the schedule shows as cancelled where it would
have met. Expanding is pure and the same for the same version, so it is cached: a coverage page of 40
plans then costs no rule arithmetic after its first view.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from server.plans import recurrence

EVER = (datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))


@dataclass(frozen=True)
class PlannedDay:
    day: date                     # local day in the school's zone
    local_start: datetime         # aware, in the school's zone
    utc_start: datetime
    cancelled: bool               # taken off the schedule (a snow day, a holiday)


@lru_cache(maxsize=8192)
def _expand(zone_name: str, values: tuple) -> tuple[PlannedDay, ...]:
    (frequency, weekdays, week_of_month, starts_at, ends_at, first_day, last_day, added, cancelled,
     valid_from, valid_until) = values
    version = SimpleNamespace(frequency=frequency, weekdays=list(weekdays), week_of_month=week_of_month,
                              starts_at=starts_at, ends_at=ends_at, first_day=first_day, last_day=last_day,
                              added_dates=list(added), cancelled_dates=[], valid_from=valid_from,
                              valid_until=valid_until, version=0)
    off = set(cancelled)
    return tuple(PlannedDay(o.day, o.local_start, o.utc_start, o.day.isoformat() in off)
                 for o in recurrence.schedule_occurrences(0, version, ZoneInfo(zone_name), *EVER))


def version_key(schedule) -> tuple:
    return (schedule.frequency, tuple(schedule.weekdays), schedule.week_of_month, schedule.starts_at, schedule.ends_at,
            schedule.first_day, schedule.last_day, tuple(schedule.added_dates), tuple(schedule.cancelled_dates),
            aware(schedule.valid_from), aware(schedule.valid_until))


def aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)  # SQLite hands UTC back naive


def planned_days(plan, zone_name: str, start: date, end: date) -> list[PlannedDay]:
    """The plan's occurrences (and cancelled days) whose local day is in [start, end], in time order."""
    found = [day for schedule in plan.schedules for day in _expand(zone_name, version_key(schedule))
             if start <= day.day <= end]
    return sorted(found, key=lambda day: day.utc_start)
