"""Phones that co-listen: a session record from the lead, logs carrying its code, sent through the sync."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from server.db import db
from server.observations.models import Observation
from tests import factories

SEVEN = ("substantive", "evidence", "questions", "non_defensive", "people", "professional_knowledge", "action")


def moment(minutes: int = 0) -> datetime:
    """A time a little before now, so no record is in the future."""
    return datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=3) + timedelta(minutes=minutes)


def session_record(code: str = "K7QW3P", started: int = 0, length: int = 120, session_id: str | None = None) -> dict:
    return {"type": "colisten", "id": session_id or str(uuid.uuid4()), "version": 1, "code": code,
            "started_at": moment(started).isoformat(), "expires_at": moment(started + length).isoformat()}


def log_record(school, code: str | None, at: int = 10, levels: dict | None = None, log_id: str | None = None) -> dict:
    return {"type": "observation", "id": log_id or str(uuid.uuid4()), "version": 1, "walk_id": None,
            "rubric_id": factories.default_rubric().id, "location_id": school.locations[0].id,
            "observed_at": moment(at).isoformat(), "trait_levels": levels or {"evidence": 1},
            "colisten_code": code}


def sync(client, school, *records) -> list[dict]:
    response = client.post("/api/v1/sync", json={"school_id": school.id, "records": list(records)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


def link_state(*records) -> list[tuple]:
    """(session id or None, counted) of these logs as stored."""
    db.session.expire_all()
    rows = dict((row.id, (row.colisten_id, row.counted)) for row in db.session.execute(
        select(Observation.id, Observation.colisten_id, Observation.counted)))
    return [(str(rows[uuid.UUID(r["id"])][0]) if rows[uuid.UUID(r["id"])][0] else None, rows[uuid.UUID(r["id"])][1])
            for r in records]
