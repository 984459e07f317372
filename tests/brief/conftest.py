"""A hand-built school for the brief, its figures worked out by hand in the tests.

Zone America/Chicago, minimum n 3. The brief's period is 16–29 Nov 2026 (14 days); the period before,
2–15 Nov. Ten conversations in each period, all PLCs of team "Grade 7", plus two hallway chats of
team "Art" in the period (under the minimum n: hidden in the staff version):
  Evidence      heard in 2 of 10 before, 8 of 12 now: +47 points, Newcombe 95% interval +5 to +71: a clear rise
  Substantive   heard in 6 of 10 before, 5 of 12 now: no clear change
One follow-up done on 20 Nov with an outcome note (leadership version only); one walk by the observer.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.enums import ConversationKind, FollowUpStatus
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.schools.models import Location
from server.walks.models import Walk
from tests import factories

START, END = "2026-11-16", "2026-11-29"
NOTE = "QX7NOTE the team re-taught the lesson with exit tickets"
OBSERVER_NAME = "Quentin Observerson"


def local(school, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(school.timezone)).astimezone(timezone.utc)


def conversation(db, school, observer, kind, team, levels, when, walk=None):
    rubric = factories.default_rubric()
    place = db.session.scalar(select(Location.id).where(Location.school_id == school.id).order_by(Location.id).limit(1))
    at = local(school, when)
    observation = Observation(
        id=uuid.uuid4(), school_id=school.id, observer_id=observer.id, rubric_id=rubric.id, location_id=place,
        observed_at=at, local_date=at.astimezone(ZoneInfo(school.timezone)).date(), setting=kind.setting,
        conversation_kind=kind, team=team, walk_id=walk.id if walk else None,
        trait_levels=[ObservationTraitLevel(trait_id=t.id, level=levels.get(t.key, 0)) for t in rubric.traits])
    db.session.add(observation)
    return observation


@pytest.fixture()
def brief_school(db, school):
    school.min_cell_n = 3
    observer = factories.create_user(role="observer", school=school, name=OBSERVER_NAME)
    walk = Walk(id=uuid.uuid4(), school_id=school.id, observer_id=observer.id,
                started_at=local(school, "2026-11-17 09:30"), ended_at=local(school, "2026-11-17 10:30"))
    db.session.add(walk)
    db.session.flush()
    for day in range(10):
        before, now = f"2026-11-{3 + day:02d} 10:00", f"2026-11-{17 + day % 10:02d} 10:{day:02d}"
        conversation(db, school, observer, ConversationKind.PLC, "Grade 7",
                     {"evidence": int(day < 2), "substantive": int(day < 6)}, before)
        conversation(db, school, observer, ConversationKind.PLC, "Grade 7",
                     {"evidence": int(day < 8), "substantive": int(day < 5)}, now, walk if day == 0 else None)
    art = [conversation(db, school, observer, ConversationKind.HALLWAY_CHAT, "Art", {"people": 1}, f"2026-11-2{n} 12:00")
           for n in (3, 4)]
    db.session.flush()
    db.session.add(FollowUp(
        id=uuid.uuid4(), school_id=school.id, observation_id=art[0].id, owner_id=observer.id, created_by_id=observer.id,
        action="Look at the exit tickets together", due_at=local(school, "2026-11-20 15:00"),
        status=FollowUpStatus.DONE, completed_at=local(school, "2026-11-20 14:00"), changed_practice=True,
        outcome_note=NOTE, created_at=local(school, "2026-11-17 12:00")))
    db.session.commit()
    return school


def yesterday() -> str:
    return (datetime.now(timezone.utc) - timedelta(days=1)).date().isoformat()
