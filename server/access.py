"""The one place that decides who may see or change what. Denies by default.

Every list of school data goes through `scoped()`, every fetch through `get_for()`.
Another school's object is exactly a 404, the same as one that does not exist.
"""
from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from flask import abort, g
from flask_login import current_user
from sqlalchemy import Select, select

from server.auth.models import Membership, User
from server.db import db
from server.enums import Role
from server.schools.models import School

ModelT = TypeVar("ModelT")
MAX_ROW_ID = 2**63 - 1


class Action(StrEnum):
    VIEW_SCHOOL = "view_school"          # the school, its places, periods and rubric
    MANAGE_SCHOOL = "manage_school"      # places, schedule, settings, staff, invitations
    LOG = "log"                          # capture observations, walks and follow-ups
    VIEW_AGGREGATES = "view_aggregates"  # heatmaps and counts
    VIEW_RECORDS = "view_records"        # raw observations with notes
    EXPORT = "export"                    # whole-school exports
    VIEW_AUDIT = "view_audit"
    DELETE_SCHOOL = "delete_school"      # offboarding: the school and all its data
    PRACTISE = "practise"                # rate written scenarios, see one's own agreement


class Reach(StrEnum):
    ALL = "all"   # every record of the school
    OWN = "own"   # only records the user made or owns


_ALL = Reach.ALL
POLICY: dict[Action, dict[Role, Reach]] = {
    Action.VIEW_SCHOOL: {Role.DISTRICT_ADMIN: _ALL, Role.PRINCIPAL: _ALL, Role.OBSERVER: _ALL, Role.VIEWER: _ALL},
    Action.MANAGE_SCHOOL: {Role.DISTRICT_ADMIN: _ALL, Role.PRINCIPAL: _ALL},
    Action.LOG: {Role.DISTRICT_ADMIN: _ALL, Role.PRINCIPAL: _ALL, Role.OBSERVER: _ALL},
    Action.VIEW_AGGREGATES: {Role.DISTRICT_ADMIN: _ALL, Role.PRINCIPAL: _ALL, Role.OBSERVER: _ALL, Role.VIEWER: _ALL},
    Action.VIEW_RECORDS: {Role.DISTRICT_ADMIN: _ALL, Role.PRINCIPAL: _ALL, Role.OBSERVER: Reach.OWN},
    Action.EXPORT: {Role.DISTRICT_ADMIN: _ALL, Role.PRINCIPAL: _ALL},
    Action.VIEW_AUDIT: {Role.DISTRICT_ADMIN: _ALL, Role.PRINCIPAL: _ALL},
    Action.DELETE_SCHOOL: {Role.DISTRICT_ADMIN: _ALL},
    Action.PRACTISE: {Role.DISTRICT_ADMIN: _ALL, Role.PRINCIPAL: _ALL, Role.OBSERVER: _ALL, Role.VIEWER: _ALL},
}


def school_roles(user: User | None = None) -> dict[int, Role]:
    """The user's role in each school they can reach (district admins: every school of the district)."""
    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return {}
    cache = g.setdefault("_school_roles", {})
    if user.id in cache:
        return cache[user.id]
    roles: dict[int, Role] = {}
    memberships = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    district_ids = [m.district_id for m in memberships if m.role == Role.DISTRICT_ADMIN]
    if district_ids:
        for school_id in db.session.scalars(select(School.id).where(School.district_id.in_(district_ids))):
            roles[school_id] = Role.DISTRICT_ADMIN
    for membership in memberships:
        if membership.school_id is not None and membership.school_id not in roles:
            roles[membership.school_id] = membership.role
    cache[user.id] = roles
    return roles


def forget_roles() -> None:
    """Call after changing memberships within a request."""
    g.pop("_school_roles", None)


def reach(action: Action, school_id: int, user: User | None = None) -> Reach | None:
    role = school_roles(user).get(school_id)
    return POLICY[action].get(role) if role else None


def can(action: Action, school_id: int, user: User | None = None) -> bool:
    return reach(action, school_id, user) is not None


def school_ids(action: Action, user: User | None = None) -> list[int]:
    return sorted(sid for sid, role in school_roles(user).items() if role in POLICY[action])


def scoped(stmt: Select, model, action: Action, user: User | None = None, owner_column=None) -> Select:
    """Restrict a select of a school-scoped model to what the user may reach for this action."""
    user = user or current_user
    all_ids = [sid for sid in school_ids(action, user) if reach(action, sid, user) == Reach.ALL]
    own_ids = [sid for sid in school_ids(action, user) if reach(action, sid, user) == Reach.OWN]
    condition = model.school_id.in_(all_ids)
    if own_ids and owner_column is not None:
        condition = condition | (model.school_id.in_(own_ids) & (owner_column == user.id))
    return stmt.where(condition)


def admin_district_ids(user: User | None = None) -> list[int]:
    """Districts in which the user is a district admin."""
    user = user or current_user
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted(set(db.session.scalars(
        select(Membership.district_id).where(Membership.user_id == user.id, Membership.role == Role.DISTRICT_ADMIN)
    )))


def require_district_admin(district_id: int | None, user: User | None = None) -> int:
    """The district where a district admin may add schools: 403 for anyone else, 404 for a district out of reach.

    Leaving the district out picks the user's only one.
    """
    district_ids = admin_district_ids(user)
    if not district_ids:
        abort(403, description="Only district admins can add schools.")
    if district_id is None:
        if len(district_ids) > 1:
            abort(422, description="You administer several districts: say which one in district_id.")
        return district_ids[0]
    if district_id not in district_ids:
        abort(404)
    return district_id


def require_school(action: Action, school_id: int, user: User | None = None) -> School:
    """The school if the user may act on it, else 404 (unknown or out of reach) or 403 (seen, not allowed)."""
    if school_id not in school_roles(user):
        abort(404)
    if not can(action, school_id, user):
        abort(403)
    school = db.session.get(School, school_id)
    if school is None:
        abort(404)
    return school


def permits(action: Action, model: type | None = None, key: str = "school_id"):
    """A route's permission check (ApiBlueprint.access), run on its path before the body is read: the
    school (or `model` object) the path names by `key` as require_school / get_for decide; with no such
    id in the path (a sync names its school in the body), the action allowed in some school (403)."""

    def check(**path):
        if key not in path:
            if not school_ids(action):
                abort(403)
        elif model is None:
            require_school(action, path[key])
        else:
            get_for(model, path[key], action)

    return check


def administers_a_district(**_path) -> None:
    """The permission of adding a school, checked before its body is read (ApiBlueprint.access)."""
    if not admin_district_ids():
        abort(403, description="Only district admins can add schools.")


def get_for(
    model: type[ModelT],
    object_id,
    action: Action,
    user: User | None = None,
    owner_attr: str | None = None,
    include_deleted: bool = False,
) -> ModelT:
    """Fetch one school-scoped object for an action: another school's object is a 404."""
    user = user or current_user
    if isinstance(object_id, int) and not 0 < object_id <= MAX_ROW_ID:  # SQLite cannot even look it up
        abort(404)
    obj = db.session.get(model, object_id)
    if obj is None or obj.school_id not in school_roles(user):
        abort(404)
    if not include_deleted and getattr(obj, "deleted_at", None) is not None:
        abort(404)
    school_reach = reach(action, obj.school_id, user)
    if school_reach is None:
        abort(403)
    if school_reach == Reach.OWN and (owner_attr is None or getattr(obj, owner_attr) != user.id):
        abort(404)
    return obj
