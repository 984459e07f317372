"""Expanding a plan's schedule versions into occurrences, with dateutil's RFC 5545 rules.

Rules run on the school's wall clock (naive local datetimes) and each occurrence is placed in the
school's zone afterwards, so a 15:00 meeting stays at 15:00 across a DST change, whatever zone the
server runs in. Biweekly counts weeks from the term's first day (RFC 5545 INTERVAL=2 from DTSTART).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from functools import lru_cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from dateutil import rrule

from server.enums import PlanFrequency

WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Occurrence:
    plan_id: int
    version: int
    day: date                # the school's local date
    local_start: datetime    # aware, in the school's zone
    local_end: datetime
    utc_start: datetime
    utc_end: datetime


def local_moment(day: date, clock: time, zone: ZoneInfo) -> datetime:
    """The wall-clock time in the zone; a time skipped by a spring-forward change moves past the gap."""
    return datetime.combine(day, clock, tzinfo=zone).astimezone(timezone.utc).astimezone(zone)


def base_rule(schedule) -> rrule.rrule:
    """The RFC 5545 rule of a schedule version over its term (naive local datetimes)."""
    start = datetime.combine(schedule.first_day, schedule.starts_at)
    until = datetime.combine(schedule.last_day, schedule.starts_at)
    days = sorted(set(schedule.weekdays))
    if schedule.frequency == PlanFrequency.MONTHLY:
        return rrule.rrule(rrule.MONTHLY, dtstart=start, until=until,
                           byweekday=[WEEKDAYS[d](schedule.week_of_month) for d in days])
    interval = 2 if schedule.frequency == PlanFrequency.BIWEEKLY else 1
    return rrule.rrule(rrule.WEEKLY, dtstart=start, until=until, interval=interval, wkst=rrule.MO,
                       byweekday=[WEEKDAYS[d] for d in days])


def rule_set(schedule) -> rrule.rruleset:
    """The rule with the version's added dates (RDATE) and cancelled dates (EXDATE)."""
    rules = rrule.rruleset()
    rules.rrule(base_rule(schedule))
    for day in schedule.added_dates:
        rules.rdate(datetime.combine(date.fromisoformat(day), schedule.starts_at))
    for day in schedule.cancelled_dates:
        rules.exdate(datetime.combine(date.fromisoformat(day), schedule.starts_at))
    return rules


def term_days(schedule) -> list[date]:
    """Every local day the version's rule meets on, ignoring its span of validity."""
    return [moment.date() for moment in rule_set(schedule)]


def rrule_text(schedule) -> str:
    """The version's rule as an RFC 5545 RRULE value (for documents and the calendar feed)."""
    days = sorted(set(schedule.weekdays))
    if schedule.frequency == PlanFrequency.MONTHLY:
        byday = ",".join(f"{schedule.week_of_month}{ICAL_DAYS[d]}" for d in days)
        return f"FREQ=MONTHLY;BYDAY={byday}"
    interval = ";INTERVAL=2" if schedule.frequency == PlanFrequency.BIWEEKLY else ""
    return f"FREQ=WEEKLY{interval};BYDAY={','.join(ICAL_DAYS[d] for d in days)}"


def schedule_occurrences(plan_id: int, schedule, zone: ZoneInfo, start: datetime, end: datetime) -> list[Occurrence]:
    """The version's occurrences that start in [start, end) and within its span of validity."""
    found = []
    for moment in rule_set(schedule):
        local_start = local_moment(moment.date(), schedule.starts_at, zone)
        utc_start = local_start.astimezone(timezone.utc)
        if schedule.valid_from is not None and utc_start < schedule.valid_from:
            continue
        if schedule.valid_until is not None and utc_start >= schedule.valid_until:
            continue
        if not start <= utc_start < end:
            continue
        local_end = local_moment(moment.date(), schedule.ends_at, zone)
        found.append(Occurrence(plan_id, schedule.version, moment.date(), local_start, local_end,
                                utc_start, local_end.astimezone(timezone.utc)))
    return found


def occurrences(plan, zone_name: str, start: datetime, end: datetime) -> list[Occurrence]:
    """Every occurrence of a plan starting in [start, end) (aware instants), each from the version valid then."""
    zone = ZoneInfo(zone_name)
    found = [occurrence for schedule in plan.schedules
             for occurrence in schedule_occurrences(plan.id, schedule, zone, start, end)]
    return sorted(found, key=lambda occurrence: occurrence.utc_start)


EVER = (datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc))


@dataclass(frozen=True)
class PlannedDay:
    day: date                     # local day in the school's zone
    local_start: datetime         # aware, in the school's zone
    utc_start: datetime
    cancelled: bool               # taken off the schedule (a snow day, a holiday)


@lru_cache(maxsize=8192)
def expand(zone_name: str, values: tuple) -> tuple[PlannedDay, ...]:
    """Every occurrence of a schedule version (`version_key`), its cancelled days put back and marked.
    Pure and the same for the same version, so cached: a coverage page of 40 plans, or a sync batch
    of links to check, costs no rule arithmetic after the first time."""
    (frequency, weekdays, week_of_month, starts_at, ends_at, first_day, last_day, added, cancelled,
     valid_from, valid_until) = values
    version = SimpleNamespace(frequency=frequency, weekdays=list(weekdays), week_of_month=week_of_month,
                              starts_at=starts_at, ends_at=ends_at, first_day=first_day, last_day=last_day,
                              added_dates=list(added), cancelled_dates=[], valid_from=valid_from,
                              valid_until=valid_until, version=0)
    off = set(cancelled)
    return tuple(PlannedDay(o.day, o.local_start, o.utc_start, o.day.isoformat() in off)
                 for o in schedule_occurrences(0, version, ZoneInfo(zone_name), *EVER))


def version_key(schedule) -> tuple:
    return (schedule.frequency, tuple(schedule.weekdays), schedule.week_of_month, schedule.starts_at, schedule.ends_at,
            schedule.first_day, schedule.last_day, tuple(schedule.added_dates), tuple(schedule.cancelled_dates),
            aware(schedule.valid_from), aware(schedule.valid_until))


def aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)  # SQLite hands UTC back naive


def meeting_days(plan, zone_name: str) -> set[date]:
    """The local days the plan meets on, over all its versions (cancelled days not among them)."""
    return {day.day for schedule in plan.schedules for day in expand(zone_name, version_key(schedule))
            if not day.cancelled}
