"""The planned occurrences a phone needs offline (issue 16): where to walk next, what a log may be linked to.

For each school the user can log in: the plans meeting today and on the next day any plan meets (the
school's local days: a phone that opens without signal on Monday morning still knows Monday), each with its
occurrences' local times, and its state: heard or checked this week (by anyone: the leadership team
shares the walking), else whether it was heard at all this term. Only what the phone shows is sent, as
parallel lists (one entry per plan) rather than an object per plan: the bootstrap must stay small
(docs/performance.md).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from server.db import db
from server.observations.models import Observation
from server.plans.checks import PlanCheck
from server.plans.models import PlannedConversation
from server.plans.recurrence import occurrences

LOOK_AHEAD_DAYS = 14  # how far to look for the next day a plan meets (a holiday week or two)


def _window(today: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(today, time.min, tzinfo=zone).astimezone(timezone.utc)
    end = datetime.combine(today + timedelta(days=LOOK_AHEAD_DAYS + 1), time.min, tzinfo=zone).astimezone(timezone.utc)
    return start, end


def _today_and_next_day(found: dict, today: date) -> dict:
    """Keep today's occurrences and those of the first later day with any."""
    later = [o.day for occurrences_ in found.values() for o in occurrences_ if o.day > today]
    days = {today, min(later)} if later else {today}
    kept = {plan: [o for o in occurrences_ if o.day in days] for plan, occurrences_ in found.items()}
    return {plan: occurrences_ for plan, occurrences_ in kept.items() if occurrences_}


def _latest_days(column_plan, column_day, deleted, school_id: int, upto: date) -> dict[int, date]:
    """plan id → its latest linked day up to `upto` (not deleted), in one grouped query."""
    model = column_plan.class_
    rows = db.session.execute(
        select(column_plan, func.max(column_day)).where(model.school_id == school_id, column_plan.is_not(None),
                                                        deleted.is_(None), column_day <= upto).group_by(column_plan))
    return dict(rows.all())


NEVER_HEARD, NOT_YET, DONE = 0, 1, 2  # a plan's state on the phone (schemas/bootstrap.py)
EMPTY = {"id": [], "name": [], "location_id": [], "state": [], "occurrences": []}


def _state(last_heard: date | None, last_checked: date | None, week_start: date, term_start: date) -> int:
    """DONE: heard or checked in the week of `week_start`; NEVER_HEARD: not this term; else NOT_YET."""
    if any(day is not None and day >= week_start for day in (last_heard, last_checked)):
        return DONE
    return NOT_YET if last_heard is not None and last_heard >= term_start else NEVER_HEARD


def _occurrence(occurrence) -> str:
    """"2026-12-08T15:00/PT60M": the local start and how long on the clock (ISO 8601 start/duration)."""
    start, end = occurrence.local_start, occurrence.local_end
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return f"{occurrence.day.isoformat()}T{start:%H:%M}/PT{minutes}M"


def school_plans(school, now: datetime) -> dict[str, list]:
    """The school's plans that meet in the window, soonest first, with their state in the week they next meet:
    a plan meeting only next week (Friday's look at Monday) is never done yet."""
    zone = ZoneInfo(school.timezone)
    today = now.astimezone(zone).date()
    week_start = today - timedelta(days=today.weekday())
    week_end = week_start + timedelta(days=6)
    start, end = _window(today, zone)
    plans = db.session.scalars(select(PlannedConversation).options(selectinload(PlannedConversation.schedules))
                               .where(PlannedConversation.school_id == school.id,
                                      PlannedConversation.deleted_at.is_(None))).all()
    meeting = list(_today_and_next_day({plan: occurrences(plan, school.timezone, start, end) for plan in plans},
                                       today).items())
    if not meeting:
        return EMPTY
    heard = _latest_days(Observation.plan_id, Observation.plan_day, Observation.deleted_at, school.id, week_end)
    checked = _latest_days(PlanCheck.plan_id, PlanCheck.day, PlanCheck.deleted_at, school.id, week_end)
    meeting.sort(key=lambda pair: (pair[1][0].utc_start, pair[0].name))
    columns = {name: [] for name in EMPTY}
    for plan, found in meeting:
        its_week = max(week_start, found[0].day - timedelta(days=found[0].day.weekday()))
        columns["id"].append(plan.id)
        columns["name"].append(plan.name)
        columns["location_id"].append(plan.location_id)
        columns["state"].append(_state(heard.get(plan.id), checked.get(plan.id), its_week, plan.current.first_day))
        columns["occurrences"].append([_occurrence(o) for o in found])
    return columns
