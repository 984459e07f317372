"""Each school's plan as an iCalendar feed behind a secret URL the principal can renew or revoke.

The secret is 256 random bits, shown once and stored as its SHA-256, so a database leak does not
reveal a working URL; renewing replaces it (the old URL is a 404 at once), revoking deletes it.

The feed lists expanded occurrences (one VEVENT each, DTSTART with TZID and the zone's VTIMEZONE)
rather than one VEVENT with RRULE/RDATE/EXDATE per schedule version: Outlook has long ignored
RDATE, Google applies an EXDATE only when its time matches exactly, and a series split by a change
would need several overlapping rules. Single events render the same in every client, carry each
occurrence's own time, and keep a stable UID per plan and day, so a re-fetch updates in place.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import icalendar
from sqlalchemy import select

from server.audit import service as audit
from server.auth.models import User
from server.db import db, utcnow
from server.plans import recurrence
from server.plans.models import PlanFeed
from server.plans.service import plans_of
from server.schools.models import Location, School

PAST_DAYS = 120
FUTURE_DAYS = 400
KIND_WORDS = {
    "plc": "PLC", "data_team": "Data team", "grade_department_meeting": "Grade/department meeting",
    "post_observation_conference": "Post-observation conference", "learning_walk_debrief": "Learning-walk debrief",
    "coaching_session": "Coaching session", "planning_session": "Planning session",
}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(school: School) -> PlanFeed | None:
    return db.session.get(PlanFeed, school.id)


def renew(actor: User, school: School) -> str:
    """A new secret for the school's feed (any earlier URL stops working); returned once, stored hashed."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(school)
    if feed is None:
        feed = PlanFeed(school_id=school.id)
        db.session.add(feed)
    feed.token_hash = token_hash(token)
    feed.created_at = utcnow()
    feed.created_by_id = actor.id
    db.session.flush()
    audit.record("plan_feed.renewed", actor_id=actor.id, school_id=school.id, district_id=school.district_id,
                 object_type="school", object_id=school.id)
    return token


def revoke(actor: User, school: School) -> None:
    feed = feed_of(school)
    if feed is not None:
        db.session.delete(feed)
        db.session.flush()
        audit.record("plan_feed.revoked", actor_id=actor.id, school_id=school.id, district_id=school.district_id,
                     object_type="school", object_id=school.id)


def school_for_token(token: str) -> School | None:
    if not 20 <= len(token) <= 100:
        return None
    school_id = db.session.scalar(select(PlanFeed.school_id).where(PlanFeed.token_hash == token_hash(token)))
    return db.session.get(School, school_id) if school_id is not None else None


def calendar_of(school: School, host: str, now: datetime | None = None) -> bytes:
    """The school's occurrences from PAST_DAYS ago to FUTURE_DAYS ahead, as an RFC 5545 calendar."""
    now = now or utcnow()
    start, end = now - timedelta(days=PAST_DAYS), now + timedelta(days=FUTURE_DAYS)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Hallway Pulse//Planned conversations//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{school.name}: planned conversations")
    calendar.add("x-wr-timezone", school.timezone)
    places = dict(db.session.execute(select(Location.id, Location.name).where(Location.school_id == school.id)).all())
    for plan in plans_of(school):
        description = "\n".join(line for line in (
            f"Purpose: {plan.purpose}", f"Strategy: {plan.strategy}" if plan.strategy else "",
            f"Who: {plan.participants}" if plan.participants else "", KIND_WORDS.get(plan.kind.value, ""),
        ) if line)
        for occurrence in recurrence.occurrences(plan, school.timezone, start, end):
            event = icalendar.Event()
            event.add("uid", f"plan-{plan.id}-{occurrence.day:%Y%m%d}@{host}")
            event.add("dtstamp", plan.updated_at or now)
            event.add("summary", plan.name)
            event.add("dtstart", occurrence.local_start)
            event.add("dtend", occurrence.local_end)
            event.add("description", description)
            if plan.location_id in places:
                event.add("location", places[plan.location_id])
            calendar.add_component(event)
    calendar.add_missing_timezones(first_date=(start - timedelta(days=366)).date(),
                                   last_date=(end + timedelta(days=366)).date())
    return calendar.to_ical()
