"""Follow-ups and observations made directly in the database, and follow-up sync records."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from server.db import db
from server.enums import ConversationKind
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.schools.models import Location
from tests import factories


def now() -> datetime:
    return datetime.now(timezone.utc)


def create_follow_up(school, owner, creator=None, due_in: timedelta = timedelta(minutes=-5), **values) -> FollowUp:
    follow_up = FollowUp(
        id=values.pop("id", None) or uuid.uuid4(), school_id=school.id, owner_id=owner.id,
        created_by_id=(creator or owner).id, action=values.pop("action", "Ask the 7th-grade team about Friday's quiz data"),
        due_at=values.pop("due_at", None) or now() + due_in, version=values.pop("version", 1), **values,
    )
    db.session.add(follow_up)
    db.session.commit()
    return follow_up


def create_observation(school, observer, trait_levels: dict[str, int] | None = None,
                       kind: ConversationKind = ConversationKind.PLC, note: str | None = None) -> Observation:
    rubric = factories.default_rubric()
    place = db.session.scalar(select(Location.id).where(Location.school_id == school.id).limit(1))
    observed = now() - timedelta(days=1)
    levels = trait_levels or {}
    observation = Observation(
        id=uuid.uuid4(), school_id=school.id, observer_id=observer.id, rubric_id=rubric.id, location_id=place,
        observed_at=observed, local_date=observed.date(), setting=kind.setting, conversation_kind=kind, note=note,
        trait_levels=[ObservationTraitLevel(trait_id=t.id, level=levels.get(t.key, 0)) for t in rubric.traits],
    )
    db.session.add(observation)
    db.session.commit()
    return observation


def local_iso(moment: datetime, offset_hours: int = -6) -> str:
    """The moment as a device in the school's zone (here UTC-6) writes it."""
    return moment.astimezone(timezone(timedelta(hours=offset_hours))).isoformat(timespec="seconds")


def record(owner_id: int, version: int = 1, **values) -> dict:
    """A follow-up record as the app sends it in a sync batch."""
    body = {
        "type": "follow_up", "id": str(values.pop("id", None) or uuid.uuid4()), "version": version,
        "owner_id": owner_id, "action": "Ask the 7th-grade team about Friday's quiz data",
        "due_at": local_iso(now() + timedelta(days=3)), "observation_id": None,
    }
    body.update(values)
    return body


def completed(record_body: dict, changed: bool = True, note: str | None = "Team now reteaches from exit tickets") -> dict:
    return {**record_body, "version": record_body["version"] + 1, "status": "done", "changed_practice": changed,
            "outcome_note": note, "completed_at": local_iso(now() - timedelta(minutes=10))}

