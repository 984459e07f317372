"""A hand-built set of follow-ups whose Results figures are worked out by hand in the tests.

School zone America/Chicago, minimum n 3. Conversations: A is a PLC (formal, team "Grade 7",
substantive strong, evidence heard); B a hallway chat (informal, no team, substantive heard).
  1  A  opened 5 Oct   due 9 Oct 15:30   done 9 Oct 17:00 (same local day: on time)  changed
  2  A  opened 6 Oct   due 9 Oct         done 12 Oct (late)                          not changed
  3  B  opened 2 Nov   due 6 Nov         done 5 Nov                                  changed
  4  B  opened 3 Nov   due 6 Nov         dropped
  5  -  opened 4 Nov   due in 30 days    open (not overdue; from no conversation)
  6  A  opened 5 Nov   due 6 Nov         open, overdue
  7  B  opened 6 Nov   due 10 Nov        done 9 Nov                                  no answer
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
from tests import factories

NOTE = "QX7NOTE Ms Diaz will re-teach fractions"


def local(school, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(school.timezone)).astimezone(timezone.utc)


def conversation(db, school, observer, kind, team, levels, when):
    rubric = factories.default_rubric()
    place = db.session.scalar(select(Location.id).where(Location.school_id == school.id).limit(1))
    at = local(school, when)
    observation = Observation(
        id=uuid.uuid4(), school_id=school.id, observer_id=observer.id, rubric_id=rubric.id, location_id=place,
        observed_at=at, local_date=at.astimezone(ZoneInfo(school.timezone)).date(), setting=kind.setting,
        conversation_kind=kind, team=team,
        trait_levels=[ObservationTraitLevel(trait_id=t.id, level=levels.get(t.key, 0)) for t in rubric.traits])
    db.session.add(observation)
    return observation


@pytest.fixture()
def results_school(db, school):
    school.min_cell_n = 3
    observer = factories.create_user(role="observer", school=school)
    a = conversation(db, school, observer, ConversationKind.PLC, "Grade 7", {"substantive": 2, "evidence": 1},
                     "2026-10-05 09:00")
    b = conversation(db, school, observer, ConversationKind.HALLWAY_CHAT, None, {"substantive": 1}, "2026-11-02 08:00")
    db.session.flush()
    now = datetime.now(timezone.utc)

    def follow_up(obs, opened, due, status, completed=None, changed=None):
        db.session.add(FollowUp(
            id=uuid.uuid4(), school_id=school.id, observation_id=obs.id if obs else None, owner_id=observer.id,
            created_by_id=observer.id, action="Look at the exit tickets together",
            due_at=due if isinstance(due, datetime) else local(school, due), status=status,
            completed_at=local(school, completed) if completed else None, changed_practice=changed,
            outcome_note=NOTE if status != FollowUpStatus.OPEN else None, created_at=local(school, opened)))

    follow_up(a, "2026-10-05 10:00", "2026-10-09 15:30", FollowUpStatus.DONE, "2026-10-09 17:00", True)
    follow_up(a, "2026-10-06 10:00", "2026-10-09 15:30", FollowUpStatus.DONE, "2026-10-12 09:00", False)
    follow_up(b, "2026-11-02 10:00", "2026-11-06 15:30", FollowUpStatus.DONE, "2026-11-05 12:00", True)
    follow_up(b, "2026-11-03 10:00", "2026-11-06 15:30", FollowUpStatus.DROPPED, "2026-11-04 12:00")
    follow_up(None, "2026-11-04 10:00", now + timedelta(days=30), FollowUpStatus.OPEN)
    follow_up(a, "2026-11-05 10:00", "2026-11-06 15:30", FollowUpStatus.OPEN)
    follow_up(b, "2026-11-06 10:00", "2026-11-10 15:30", FollowUpStatus.DONE, "2026-11-09 12:00", None)
    db.session.commit()
    return school
