"""Reading follow-ups: the user's own (owned or created) for the offline app, one by id, and who may own one.

Follow-ups are written through the batch sync (server/followups/sync.py), so a follow-up made,
completed or snoozed offline takes the same idempotent path as an observation.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import and_, or_, select

from server.access import Action, Reach, get_for, reach, require_school, scoped
from server.auth.models import User
from server.db import db, utcnow
from server.followups.models import FollowUp
from server.followups.sync import owner_ids
from server.observations.records import EPOCH, SETTLE


def mine(user):
    return or_(FollowUp.owner_id == user.id, FollowUp.created_by_id == user.id)


def own_follow_ups(user, school_id: int, since: tuple | None, limit: int) -> dict:
    """One page of the follow-ups the user owns or created in a school, tombstones included, oldest change first.

    Paged by (updated_at, id) like observations: near the present the cursor stays SETTLE behind.
    """
    require_school(Action.VIEW_SCHOOL, school_id, user)
    statement = scoped(select(FollowUp.__table__), FollowUp, Action.VIEW_SCHOOL, user)
    statement = statement.where(FollowUp.school_id == school_id, mine(user))
    if since is not None:
        stamp, record_id = since
        statement = statement.where(or_(FollowUp.updated_at > stamp, and_(FollowUp.updated_at == stamp, FollowUp.id > record_id)))
    rows = db.session.execute(statement.order_by(FollowUp.updated_at, FollowUp.id).limit(limit + 1)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    last = (rows[-1].updated_at, rows[-1].id) if rows else (since or EPOCH)
    next_cursor = last if has_more else max(since or EPOCH, min(last, (utcnow() - SETTLE, uuid.UUID(int=0))))
    return {"items": [dict(row._mapping) for row in rows], "next_cursor": next_cursor, "has_more": has_more}


def visible_follow_up(user, follow_up_id: str) -> FollowUp:
    """One follow-up: its owner's and creator's, and anyone's who sees every record of the school; else 404."""
    try:
        follow_up_uuid = uuid.UUID(follow_up_id)
    except ValueError:
        abort(404)
    follow_up = get_for(FollowUp, follow_up_uuid, Action.VIEW_SCHOOL, user)
    if user.id not in (follow_up.owner_id, follow_up.created_by_id) and reach(Action.VIEW_RECORDS, follow_up.school_id, user) != Reach.ALL:
        abort(404)
    return follow_up


def possible_owners(user, school_id: int) -> list[dict]:
    """Colleagues a follow-up in this school can be given to (they can log there), by name."""
    ids = owner_ids(require_school(Action.LOG, school_id, user))
    if not ids:
        return []
    rows = db.session.execute(select(User.id, User.name).where(User.id.in_(ids)).order_by(User.name, User.id))
    return [{"id": row.id, "name": row.name} for row in rows]
