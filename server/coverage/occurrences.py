"""A plan's occurrences over a range of local days, cancelled days included, each once per version.

Expansion goes through server/plans/recurrence.py (RFC 5545 rules on the school's wall clock, cached per
schedule version) with a version's cancelled days put back, so a day taken off the schedule shows as
cancelled where it would have met.
"""
from __future__ import annotations

from datetime import date

from server.plans.recurrence import PlannedDay, expand, version_key

__all__ = ["PlannedDay", "planned_days"]


def planned_days(plan, zone_name: str, start: date, end: date) -> list[PlannedDay]:
    """The plan's occurrences (and cancelled days) whose local day is in [start, end], in time order."""
    found = [day for schedule in plan.schedules for day in expand(zone_name, version_key(schedule))
             if start <= day.day <= end]
    return sorted(found, key=lambda day: day.utc_start)
