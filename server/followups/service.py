"""Reading follow-ups: the user's own (owned or created) for the offline app, one by id, and who may own one.

Follow-ups are written through the batch sync (server/followups/sync.py), so a follow-up made,
completed or snoozed offline takes the same idempotent path as an observation.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import or_, select

from server.access import Action, Reach, get_for, reach, require_school, scoped
from server.auth.models import User
from server.db import db
from server.followups.models import FollowUp
from server.followups.sync import owner_ids
from server.observations.records import changes_page


def mine(user):
    return or_(FollowUp.owner_id == user.id, FollowUp.created_by_id == user.id)


def own_follow_ups(user, school_id: int, since: tuple | None, limit: int) -> dict:
    """One page of the follow-ups the user owns or created in a school, tombstones included, oldest change first.

    Paged by (change_seq, id) like observations.
    """
    require_school(Action.VIEW_SCHOOL, school_id, user)
    statement = scoped(select(FollowUp.__table__), FollowUp, Action.VIEW_SCHOOL, user)
    statement = statement.where(FollowUp.school_id == school_id, mine(user))
    page = changes_page(statement, FollowUp, since, limit)
    return {**page, "items": [dict(row._mapping) for row in page["items"]]}


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
