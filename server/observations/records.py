"""The server's observations and walks as the app's records: after a conflict, and the own-records pull.

The pull pages by (change_seq, id): the school's change number (server/changes.py), which becomes
visible in the order it was handed out, so a cursor can stand right after the last row sent: no
row that commits later is numbered below it, whatever the clocks say.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import or_, select

from schemas.observations import ObservationSchema, WalkSchema
from server.access import Action, require_school, scoped
from server.db import db
from server.observations.models import Observation, ObservationTraitLevel
from server.plans.check_sync import check_records
from server.plans.checks import PlanCheck
from server.rubrics.models import Trait
from server.walks.models import Walk

START = (0, uuid.UUID(int=0))  # before every change: each row's number is at least 1
_DUMPERS = {"observation": ObservationSchema(), "walk": WalkSchema()}


def trait_levels_by_key(observation_ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    levels: dict[uuid.UUID, dict[str, int]] = {}
    if not observation_ids:
        return levels
    rows = db.session.execute(
        select(ObservationTraitLevel.observation_id, Trait.key, ObservationTraitLevel.level)
        .join(Trait, Trait.id == ObservationTraitLevel.trait_id)
        .where(ObservationTraitLevel.observation_id.in_(observation_ids))
    )
    for observation_id, key, level in rows:
        levels.setdefault(observation_id, {})[key] = level
    return levels


def observation_records(rows) -> list[dict]:
    """Observation rows as records: observed_at back in the device's offset, levels by trait key."""
    levels = trait_levels_by_key([row.id for row in rows])
    return [
        {
            **row._mapping,
            "observed_at": row.observed_at.astimezone(timezone(timedelta(minutes=row.utc_offset_minutes))),
            "trait_levels": levels.get(row.id, {}),
        }
        for row in rows
    ]


MODELS = {"observation": Observation, "walk": Walk, "plan_check": PlanCheck}


def select_records(entity: str):
    return select(MODELS[entity].__table__)


def as_records(entity: str, rows) -> list[dict]:
    if entity == "observation":
        return observation_records(rows)
    if entity == "plan_check":
        return check_records(rows)
    return [dict(row._mapping) for row in rows]


def current_records(keys) -> dict[tuple[str, uuid.UUID], dict]:
    """The records as the server holds them now, dumped, by (entity, id)."""
    found = {}
    for entity, model in (("observation", Observation), ("walk", Walk)):
        ids = [record_id for kind, record_id in keys if kind == entity]
        if ids:
            rows = db.session.execute(select_records(entity).where(model.id.in_(ids))).all()
            for record in as_records(entity, rows):
                found[(entity, record["id"])] = _DUMPERS[entity].dump(record)
    return found


def own_records(entity: str, user, school_id: int, since: tuple | None, limit: int,
                recent_from: datetime | None = None) -> dict:
    """One page of the user's own records in a school, tombstones included, oldest change first.

    `recent_from` keeps only records observed (walks: started) from then on: a new phone's first pull.
    """
    require_school(Action.VIEW_SCHOOL, school_id, user)
    model = MODELS[entity]
    statement = scoped(select_records(entity), model, Action.VIEW_RECORDS, user, owner_column=model.observer_id)
    statement = statement.where(model.school_id == school_id, model.observer_id == user.id)
    if recent_from is not None:
        moment = Observation.observed_at if entity == "observation" else Walk.started_at
        statement = statement.where(moment >= recent_from)
    page = changes_page(statement, model, since, limit)
    return {**page, "items": as_records(entity, page["items"])}


def changes_page(statement, model, since: tuple[int, uuid.UUID] | None, limit: int) -> dict:
    """Rows of `statement` changed after the cursor (change_seq, id), oldest change first, and the next cursor.

    The next cursor is the last row sent: a row committing later has a higher change number (its
    school's counter was locked until the rows before it committed), so nothing is skipped.
    """
    if since is not None:
        seq, record_id = since
        statement = statement.where(model.change_seq >= seq, or_(model.change_seq > seq, model.id > record_id))
    rows = db.session.execute(statement.order_by(model.change_seq, model.id).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (rows[-1].change_seq, rows[-1].id) if rows else (since or START)
    return {"items": rows, "next_cursor": next_cursor, "has_more": has_more}
