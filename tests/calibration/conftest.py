"""A hand-built set of co-listened conversations whose agreement is worked out by hand in the tests.

School zone America/Chicago. Observers A (the lead: their log is the counted one), B and C.
October, A and B (only Evidence and Substantive logged):
  Evidence      A/B: 0/0, 1/1, 2/2, 0/1  → patterns (2,0,0) (0,2,0) (0,0,2) (1,1,0)
  Substantive   heard by both every time  → alpha undefined (no variation)
November, A, B and C (only Questions logged; C missed two of them):
  Questions     A/B/C: 0/0/0, 1/1/2, 2/2/–, 0/1/–  → patterns (3,0,0) (0,2,1) (0,0,2) (1,1,0)
By hand (ordinal metric, see tests/calibration/test_stats.py): Evidence alpha 0.79, exact 3/4,
quadratic kappa 0.8; Questions alpha 0.739796 (= 1 - 382.5/1470), exact 2/4, kappa: no pair of
exactly two observers enough (n 2 < 3).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from server.colisten.models import ColistenSession
from server.enums import ConversationKind
from server.observations.models import Observation, ObservationTraitLevel
from server.schools.models import Location
from tests import factories

NOTE = "QX7NOTE heard about the fractions quiz"
OCTOBER = [({"evidence": 0, "substantive": 1}, {"evidence": 0, "substantive": 1}),
           ({"evidence": 1, "substantive": 1}, {"evidence": 1, "substantive": 1}),
           ({"evidence": 2, "substantive": 1}, {"evidence": 2, "substantive": 1}),
           ({"evidence": 0, "substantive": 1}, {"evidence": 1, "substantive": 1})]
NOVEMBER = [({"questions": 0}, {"questions": 0}, {"questions": 0}),
            ({"questions": 1}, {"questions": 1}, {"questions": 2}),
            ({"questions": 2}, {"questions": 2}, None),
            ({"questions": 0}, {"questions": 1}, None)]


def co_listen(db, school, observers, levels_each, when: datetime, code: str = "ABC234", deleted: tuple[int, ...] = ()):
    """One co-listened conversation: a session and one log per observer (None: that observer did not log it;
    a trait left out of a log's levels is a missing rating)."""
    rubric = factories.default_rubric()
    traits = {t.key: t for t in rubric.traits}
    place = db.session.scalar(select(Location.id).where(Location.school_id == school.id).limit(1))
    session = ColistenSession(id=uuid.uuid4(), school_id=school.id, code=code, lead_observer_id=observers[0].id,
                              started_at=when, expires_at=when + timedelta(hours=2))
    db.session.add(session)
    logs = []
    for index, (observer, levels) in enumerate(zip(observers, levels_each)):
        if levels is None:
            continue
        observation = Observation(
            id=uuid.uuid4(), school_id=school.id, observer_id=observer.id, rubric_id=rubric.id, location_id=place,
            observed_at=when, local_date=when.astimezone(ZoneInfo(school.timezone)).date(),
            conversation_kind=ConversationKind.HALLWAY_CHAT, note=NOTE, colisten_code=code, colisten_id=session.id,
            counted=index == 0, deleted_at=when if index in deleted else None,
            trait_levels=[ObservationTraitLevel(trait_id=traits[key].id, level=level) for key, level in levels.items()])
        db.session.add(observation)
        logs.append(observation)
    db.session.flush()
    return session, logs


def local(school, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(school.timezone)).astimezone(timezone.utc)


@pytest.fixture()
def observers(db, school):
    return [factories.create_user("observer", school, name=f"Observer {letter}") for letter in "ABC"]


@pytest.fixture()
def calibration_school(db, school, observers):
    school.min_cell_n = 3
    for day, levels in enumerate(OCTOBER, start=5):
        co_listen(db, school, observers[:2], levels, local(school, f"2025-10-{day:02d} 09:30"))
    for day, levels in enumerate(NOVEMBER, start=3):
        co_listen(db, school, observers, levels, local(school, f"2025-11-{day:02d} 10:00"))
    db.session.commit()
    return school
