"""Reading follow-ups: the user's own (owned or created) for the offline app, one by id, who may own one, and
the later logs that may be linked as evidence when closing one.

Follow-ups are written through the batch sync (server/followups/sync.py), so a follow-up made,
completed or snoozed offline takes the same idempotent path as an observation.
"""
from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import case, false, or_, select

from server.access import Action, Reach, get_for, reach, require_school, scoped
from server.auth.models import User
from server.db import db
from server.followups.models import FollowUp
from server.followups.sync import owner_ids
from server.observations.models import Observation
from server.observations.records import changes_page
from server.schools.models import Location


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


def later_logs(user, follow_up_id: str, limit: int) -> dict:
    """Conversations that may be linked as evidence when closing a follow-up: the school's live logs heard after
    the one it came from that the user may see (an observer their own, a principal the school's), exactly what
    the sync accepts. Those at the same place or of the same team come first: a re-listen happens where it began.
    With them, when and where that conversation was heard (what the owner is asked to listen again for), so the
    phone can place its own logs not yet synced among them."""
    follow_up = visible_follow_up(user, follow_up_id)
    source = db.session.get(Observation, follow_up.observation_id) if follow_up.observation_id else None
    if source is None or source.deleted_at is not None or source.school_id != follow_up.school_id:
        return {"source": None, "items": []}
    same_place = Observation.location_id == source.location_id
    same_team = (Observation.team == source.team) if source.team else false()
    statement = scoped(select(Observation.id, Observation.observed_at, Observation.location_id, Location.name,
                              Observation.team, Observation.setting, Observation.observer_id, same_place, same_team)
                       .outerjoin(Location, Location.id == Observation.location_id),
                       Observation, Action.VIEW_RECORDS, user, owner_column=Observation.observer_id)
    statement = (statement.where(Observation.school_id == follow_up.school_id, Observation.deleted_at.is_(None),
                                 Observation.observed_at > source.observed_at, Observation.id != source.id)
                 .order_by(case((same_place | same_team, 0), else_=1), Observation.observed_at.desc(), Observation.id)
                 .limit(limit))
    items = [{"id": row.id, "observed_at": row.observed_at, "location_id": row.location_id, "place": row.name,
              "team": row.team, "setting": getattr(row.setting, "value", row.setting), "same_place": bool(row[7]),
              "same_team": bool(row[8]), "mine": row.observer_id == user.id} for row in db.session.execute(statement)]
    return {"source": {"observed_at": source.observed_at, "location_id": source.location_id, "team": source.team},
            "items": items}
