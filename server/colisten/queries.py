"""The comparison a co-listen's observers talk through: per trait, did they hear it the same way?

Blind until saved and synced: only someone whose own log of the session is on the server (live and
linked) may see it, and it lists the others' levels only then. Anyone else, another school's user
or a session id that does not exist: the same 404. Notes are never part of it.
"""
from __future__ import annotations

import uuid
from datetime import timedelta

from flask import abort
from sqlalchemy import select

from server.access import Action, can
from server.auth.models import User
from server.colisten.models import ColistenSession
from server.db import db, utcnow
from server.observations.models import Observation, ObservationTraitLevel
from server.rubrics.models import Rubric, Trait

RECENT = timedelta(days=30)
MAX_LISTED = 50
SPREADS = {0: "agreed", 1: "apart_one", 2: "apart_two"}


def comparison_for(user, session_id: str) -> dict:
    """Anything but one of its observers asking about a live session: 404 (a malformed id too)."""
    try:
        session = db.session.get(ColistenSession, uuid.UUID(session_id))
    except ValueError:
        abort(404)
    if session is None or session.deleted_at is not None or not can(Action.LOG, session.school_id, user):
        abort(404)
    logs = linked_logs([session.id])
    mine = [log for log in logs.get(session.id, []) if log.observer_id == user.id]
    if not mine:
        abort(404)
    return compare(session, logs[session.id], user)


def comparisons_for(user, school_id: int) -> list[dict]:
    """The user's co-listens of the last 30 days in a school (those with a log of theirs synced), newest first."""
    if not can(Action.LOG, school_id, user):
        return []
    sessions = db.session.scalars(
        select(ColistenSession).where(
            ColistenSession.school_id == school_id, ColistenSession.deleted_at.is_(None),
            ColistenSession.started_at >= utcnow() - RECENT,
            ColistenSession.id.in_(select(Observation.colisten_id).where(
                Observation.observer_id == user.id, Observation.school_id == school_id,
                Observation.deleted_at.is_(None), Observation.colisten_id.is_not(None))))
        .order_by(ColistenSession.started_at.desc(), ColistenSession.id).limit(MAX_LISTED)).all()
    logs = linked_logs([session.id for session in sessions])
    return [compare(session, logs.get(session.id, []), user) for session in sessions]


def linked_logs(session_ids: list) -> dict[uuid.UUID, list]:
    found: dict[uuid.UUID, list] = {}
    if not session_ids:
        return found
    rows = db.session.execute(
        select(Observation.id, Observation.colisten_id, Observation.observer_id, Observation.rubric_id,
               Observation.observed_at, User.name)
        .outerjoin(User, User.id == Observation.observer_id)
        .where(Observation.colisten_id.in_(session_ids), Observation.deleted_at.is_(None))
        .order_by(Observation.observed_at, Observation.id)).all()
    for row in rows:
        found.setdefault(row.colisten_id, []).append(row)
    return found


def compare(session: ColistenSession, logs: list, user) -> dict:
    """Traits agreed, one level apart, two apart (the spread of everyone's levels), and what to ask."""
    mine = next((log for log in logs if log.observer_id == user.id), None)
    same_rubric = sorted((log for log in logs if mine is not None and log.rubric_id == mine.rubric_id),
                         key=lambda log: log.id != mine.id)  # yours first, then by time
    levels: dict[uuid.UUID, dict[int, int]] = {}
    for observation_id, trait_id, level in db.session.execute(
            select(ObservationTraitLevel.observation_id, ObservationTraitLevel.trait_id, ObservationTraitLevel.level)
            .where(ObservationTraitLevel.observation_id.in_([log.id for log in same_rubric]))):
        levels.setdefault(observation_id, {})[trait_id] = level
    observers = [{"name": "You" if log.observer_id == user.id else (log.name or "A colleague"),
                  "mine": log.observer_id == user.id} for log in same_rubric]
    traits, groups = [], {name: [] for name in SPREADS.values()}
    rubric_name = None
    if mine is not None and len(same_rubric) > 1:
        rubric_name = db.session.scalar(select(Rubric.name).where(Rubric.id == mine.rubric_id))
        for trait in db.session.scalars(select(Trait).where(Trait.rubric_id == mine.rubric_id).order_by(Trait.position)):
            heard = [levels.get(log.id, {}).get(trait.id, 0) for log in same_rubric]
            spread = max(heard) - min(heard)
            traits.append({"key": trait.key, "label": trait.label, "levels": heard, "spread": spread})
            groups[SPREADS[spread]].append(trait.label)
    apart = sorted((t for t in traits if t["spread"]), key=lambda t: -t["spread"])
    prompt = (f"What did you each hear that made you tag {apart[0]['label']} the way you did?" if apart else
              "You heard it the same way. What in the conversation made each trait clear?" if traits else None)
    return {
        "session_id": session.id, "code": session.code, "started_at": session.started_at,
        "lead": mine is not None and session.lead_observer_id == user.id,
        "logs": len(logs), "ready": len(same_rubric) > 1, "other_rubric": len(logs) - len(same_rubric),
        "rubric": rubric_name, "observers": observers if len(same_rubric) > 1 else [],
        "traits": traits, **groups, "prompt": prompt,
    }
