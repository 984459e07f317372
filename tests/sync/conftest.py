"""Sync test helpers: records shaped as the offline app sends them, and what the server holds."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from server.observations.models import Observation, ObservationTraitLevel
from server.rubrics.models import Trait
from server.walks.models import Walk
from tests import factories

SEVEN_TRAITS = ("substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action")


def new_id() -> str:
    return str(uuid.uuid4())


def observation_record(school, record_id: str | None = None, version: int = 1, **fields) -> dict:
    """A valid observation record for `school` (its first place, the default rubric)."""
    record = {
        "type": "observation", "id": record_id or new_id(), "version": version, "walk_id": None,
        "rubric_id": factories.default_rubric().id, "location_id": school.locations[0].id,
        "observed_at": "2026-11-24T08:12:30-06:00", "setting": "informal", "conversation_kind": "hallway_chat",
        "participant_count": 3, "participant_roles": ["teacher", "coach"], "team": "Grade 7",
        "note": "Talked through Friday's exit tickets", "needs_follow_up": False,
        "trait_levels": {"substantive": 2, "evidence": 1},
    }
    record.update(fields)
    return record


def walk_record(record_id: str | None = None, version: int = 1, **fields) -> dict:
    record = {"type": "walk", "id": record_id or new_id(), "version": version,
              "started_at": "2026-11-24T08:00:00-06:00", "ended_at": "2026-11-24T08:40:00-06:00"}
    record.update(fields)
    return record


def deletion_record(record_id: str, version: int, entity: str = "observation") -> dict:
    return {"type": "deletion", "id": record_id, "entity": entity, "version": version}


def sync(client, school_id: int, *records, **kwargs):
    return client.post("/api/v1/sync", json={"school_id": school_id, "records": list(records)}, **kwargs)


def statuses(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [result["status"] for result in response.get_json()["results"]]


def stored_observation(db, record_id: str) -> Observation | None:
    db.session.expire_all()
    return db.session.get(Observation, uuid.UUID(record_id))


def stored_levels(db, record_id: str) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Trait.key, ObservationTraitLevel.level).join(Trait, Trait.id == ObservationTraitLevel.trait_id)
        .where(ObservationTraitLevel.observation_id == uuid.UUID(record_id))
    )
    return dict(rows.all())


def count_observations(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Observation))


def count_trait_levels(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ObservationTraitLevel))


def count_walks(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Walk))


@pytest.fixture()
def observer(login_as):
    """A signed-in observer of `school`: (client, user)."""
    return login_as("observer")
