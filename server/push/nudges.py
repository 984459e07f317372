"""The optional weekly nudge: "no walks logged this week", once a week, to observers who have logged none.

Off unless a school turns it on; it goes at the school's chosen local weekday and hour, to those
who can log there (principals and observers, not district staff), on every device they allowed.
"""
from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

from server.auth.models import Membership, User
from server.db import db
from server.enums import Role
from server.observations.models import Observation
from server.push.models import PushSubscription, ReminderKind, ReminderStatus, WeeklyNudge
from server.schools.models import School
from server.walks.models import Walk

NUDGE_TTL = 6 * 3600
ICON = "/icons/icon-192.png"


def week_and_moment(now: datetime, zone: ZoneInfo, weekday: int, hour: int) -> tuple[datetime, datetime, str]:
    """(start of the school-local ISO week, the nudge moment in it, "YYYY-Www"), the datetimes in UTC terms."""
    local = now.astimezone(zone)
    monday: date = local.date() - timedelta(days=local.weekday())
    week_start = datetime.combine(monday, time(0), tzinfo=zone)
    moment = datetime.combine(monday + timedelta(days=weekday), time(hour), tzinfo=zone)
    year, week, _day = monday.isocalendar()
    return week_start, moment, f"{year}-W{week:02d}"


def nudge_payload(school_id: int) -> bytes:
    return json.dumps({
        "v": 1, "kind": "weekly_nudge", "title": "No walks logged this week",
        "body": "A short walk before the week ends? Every conversation you hear counts.", "icon": ICON,
        "tag": f"weekly-nudge-{school_id}", "url": "/walk", "school_id": school_id,
    }, separators=(",", ":")).encode()


def due_nudge_rows(now: datetime, lookback: timedelta) -> list[dict]:
    """Reminder rows for this week's nudges that fell due (within lookback) and are not yet made."""
    rows = []
    settings = db.session.execute(
        select(WeeklyNudge.school_id, WeeklyNudge.weekday, WeeklyNudge.hour, School.timezone)
        .join(School, School.id == WeeklyNudge.school_id).where(WeeklyNudge.enabled.is_(True))
    ).all()
    for school_id, weekday, hour, zone_name in settings:
        week_start, moment, week = week_and_moment(now, ZoneInfo(zone_name), weekday, hour)
        if not moment <= now < moment + lookback:
            continue
        walked = exists().where(Walk.school_id == school_id, Walk.observer_id == Membership.user_id,
                                Walk.deleted_at.is_(None), Walk.started_at >= week_start)
        observed = exists().where(Observation.school_id == school_id, Observation.observer_id == Membership.user_id,
                                  Observation.deleted_at.is_(None), Observation.observed_at >= week_start)
        devices = db.session.execute(
            select(Membership.user_id, PushSubscription.id)
            .join(User, User.id == Membership.user_id)
            .join(PushSubscription, PushSubscription.user_id == Membership.user_id)
            .where(Membership.school_id == school_id, Membership.role.in_([Role.PRINCIPAL, Role.OBSERVER]),
                   User.active.is_(True), ~walked, ~observed)
        ).all()
        rows += [
            {"kind": ReminderKind.WEEKLY_NUDGE, "dedupe_key": f"weekly_nudge:{school_id}:{week}:{subscription_id}",
             "school_id": school_id, "user_id": user_id, "follow_up_id": None, "subscription_id": subscription_id,
             "due_at": moment, "next_attempt_at": moment, "status": ReminderStatus.PENDING, "attempts": 0, "created_at": now}
            for user_id, subscription_id in devices
        ]
    return rows
