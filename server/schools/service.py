"""School administration: schools, settings, the bell schedule and places. Plain arguments in, flush at most."""
from __future__ import annotations

from datetime import time

from sqlalchemy import func, select

from server.access import school_roles
from server.audit import service as audit
from server.auth.models import User
from server.db import db
from server.enums import LocationKind
from server.observations.models import Observation
from server.schools.models import District, Location, Period, School

SETTINGS = ("name", "timezone", "min_cell_n", "min_listening_hours", "walk_idle_minutes", "note_retention_days")
# A typical US six-period day: staff in from 07:30, 55-minute periods with 5 minutes to pass (the
# heatmaps' "Between periods", where hallway talk happens), lunch at noon, dismissal at 14:30, and
# after school until 16:00 for PLCs, data teams and clubs. A start the principal is asked to check.
DEFAULT_SCHEDULE = (
    ("Before school", (7, 30), (8, 0)),
    ("Period 1", (8, 0), (8, 55)),
    ("Period 2", (9, 0), (9, 55)),
    ("Period 3", (10, 0), (10, 55)),
    ("Period 4", (11, 0), (11, 55)),
    ("Lunch", (12, 0), (12, 30)),
    ("Period 5", (12, 35), (13, 30)),
    ("Period 6", (13, 35), (14, 30)),
    ("After school", (14, 30), (16, 0)),
)


class RefusedChange(Exception):
    """A change that conflicts with what the school already has (a 409), said in plain words."""


def default_periods() -> list[dict]:
    """The default bell schedule: usable from day one, until the school enters its own."""
    return [{"name": name, "starts_at": time(*starts), "ends_at": time(*ends)} for name, starts, ends in DEFAULT_SCHEDULE]


def school_summary(school: School, user: User) -> dict:
    """The school as the API shows it to this user: settings and their role there."""
    return {
        "id": school.id,
        "name": school.name,
        "district_id": school.district_id,
        "district_name": school.district.name,
        "timezone": school.timezone,
        "min_cell_n": school.min_cell_n,
        "min_listening_hours": school.min_listening_hours,
        "walk_idle_minutes": school.walk_idle_minutes,
        "note_retention_days": school.note_retention_days,
        "role": school_roles(user)[school.id].value,
    }


def reachable_schools(user: User) -> list[dict]:
    """Every school the user can reach, by name, with their role (district admins: the whole district)."""
    roles = school_roles(user)
    schools = db.session.scalars(select(School).where(School.id.in_(roles)).order_by(School.name, School.id))
    return [school_summary(school, user) for school in schools]


def create_school(actor: User | None, district_id: int, name: str, timezone: str) -> School:
    """A new school with the default bell schedule (to be checked) and no places yet; `actor` is
    None from the command line."""
    district = db.session.get(District, district_id)
    school = School(district_id=district.id, name=name, timezone=timezone, schedule_confirmed=False)
    db.session.add(school)
    db.session.flush()
    for period in default_periods():
        db.session.add(Period(school_id=school.id, **period))
    db.session.flush()
    audit.record("school.created", actor_id=actor.id if actor else None, school_id=school.id, district_id=district.id,
                 object_type="school", object_id=school.id)
    return school


def update_settings(actor: User, school: School, changes: dict) -> list[str]:
    """Apply validated settings; returns the names of the fields that actually changed."""
    changed = [name for name in SETTINGS if name in changes and getattr(school, name) != changes[name]]
    for name in changed:
        setattr(school, name, changes[name])
    if changed:
        db.session.flush()
        audit.record("school.settings_changed", actor_id=actor.id, school_id=school.id, district_id=school.district_id,
                     object_type="school", object_id=school.id, details={"fields": changed})
    return changed


def periods_of(school: School) -> list[Period]:
    return list(db.session.scalars(
        select(Period).where(Period.school_id == school.id).order_by(Period.starts_at, Period.id)
    ))


def replace_periods(actor: User, school: School, periods: list[dict]) -> list[Period]:
    """Replace the whole bell schedule (already validated); periods keep their ids when their name stays."""
    kept = {period["name"]: period for period in periods}
    existing = periods_of(school)
    for period in existing:
        if period.name not in kept:
            db.session.delete(period)
    db.session.flush()
    by_name = {period.name: period for period in existing if period.name in kept}
    for name, fields in kept.items():
        period = by_name.get(name) or Period(school_id=school.id, name=name)
        period.starts_at, period.ends_at = fields["starts_at"], fields["ends_at"]
        db.session.add(period)
    school.schedule_confirmed = True
    db.session.flush()
    audit.record("school.bell_schedule_changed", actor_id=actor.id, school_id=school.id, district_id=school.district_id,
                 object_type="school", object_id=school.id, details={"periods": len(kept)})
    return periods_of(school)


def reset_periods(actor: User, school: School) -> list[Period]:
    return replace_periods(actor, school, default_periods())


def locations_of(school: School, include_archived: bool = False) -> list[Location]:
    stmt = select(Location).where(Location.school_id == school.id)
    if not include_archived:
        stmt = stmt.where(Location.archived.is_(False))
    return list(db.session.scalars(stmt.order_by(Location.archived, func.lower(Location.name), Location.id)))


def _check_place_name(school_id: int, name: str, location_id: int | None = None) -> None:
    """Names are unique per school, ignoring case, archived places included: say so before the database does."""
    stmt = select(Location).where(Location.school_id == school_id, func.lower(Location.name) == name.lower())
    if location_id is not None:
        stmt = stmt.where(Location.id != location_id)
    clash = db.session.scalar(stmt)
    if clash is not None:
        hint = " It is archived: restore it instead." if clash.archived else ""
        raise RefusedChange(f"This school already has a place called \u201c{clash.name}\u201d.{hint}")


def add_location(actor: User, school: School, name: str, kind: str) -> Location:
    _check_place_name(school.id, name)
    location = Location(school_id=school.id, name=name, kind=LocationKind(kind))
    db.session.add(location)
    db.session.flush()
    _record_place("location.created", actor, location)
    return location


def update_location(actor: User, location: Location, changes: dict) -> Location:
    """Rename, re-kind, archive or restore a place."""
    if "name" in changes:
        _check_place_name(location.school_id, changes["name"], location.id)
        location.name = changes["name"]
    if "kind" in changes:
        location.kind = LocationKind(changes["kind"])
    if "archived" in changes:
        location.archived = changes["archived"]
    db.session.flush()
    _record_place("location.changed", actor, location, {"fields": sorted(changes)})
    return location


def remove_location(actor: User, location: Location) -> str:
    """Delete a place nobody logged at; archive one that observations refer to. Returns what happened."""
    used = db.session.scalar(select(Observation.id).where(Observation.location_id == location.id).limit(1))
    if used is not None:
        location.archived = True
        db.session.flush()
        _record_place("location.archived", actor, location)
        return "archived"
    _record_place("location.deleted", actor, location, {"name": location.name})  # the row goes: the log keeps its name
    db.session.delete(location)
    db.session.flush()
    return "deleted"


def _record_place(action: str, actor: User, location: Location, details: dict | None = None) -> None:
    audit.record(action, actor_id=actor.id, school_id=location.school_id, object_type="location",
                 object_id=location.id, details=details)
