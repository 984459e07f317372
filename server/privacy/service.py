"""Retention and deletion (FERPA-minded offboarding). Services flush only; the caller commits.

- purge_notes: a school's retention setting erases old notes; the rest of the observation stays for
  the aggregates.
- erase_user: the person's identity goes, their observations stay (observer → nobody).
- delete_school: every row that belongs to the school, in every table, and staff who worked nowhere else.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, func, select, union, update

from server import changes
from server.access import Action, admin_district_ids, school_ids
from server.audit import service as audit
from server.auth.models import AuthSession, Invitation, Membership, User
from server.db import db, utcnow
from server.enums import Role
from server.followups.models import FollowUp
from server.heatmaps import digest
from server.observations.models import Observation
from server.push.models import PushSubscription, Reminder
from server.schools.models import School
from server.walks.models import Walk

ERASED_DOMAIN = "erased.invalid"


class RefusedErasure(Exception):
    """The erasure would reach beyond what the actor manages; the message says why."""


def purge_notes(now: datetime | None = None) -> dict[int, int]:
    """Erase the notes older than each school's `note_retention_days` (soft-deleted rows too).

    Erased observations get a new version and change number, so phones pulling changes drop their copy of the note.
    Returns {school_id: notes erased} for the schools that set a retention period.
    """
    now = now or utcnow()
    erased: dict[int, int] = {}
    schools = db.session.execute(
        select(School.id, School.district_id, School.note_retention_days).where(School.note_retention_days.is_not(None))
        .order_by(School.id)  # their change counters are taken in school order
    ).all()
    for school_id, district_id, days in schools:
        cutoff = now - timedelta(days=days)
        result = db.session.execute(
            update(Observation)
            .where(Observation.school_id == school_id, Observation.observed_at < cutoff, Observation.note.is_not(None))
            .values(note=None, version=Observation.version + 1, updated_at=now,
                    change_seq=changes.take(db.session.connection(), school_id))
            .execution_options(synchronize_session=False)
        )
        erased[school_id] = result.rowcount
        audit.record("retention.purged", school_id=school_id, district_id=district_id, object_type="school",
                     object_id=school_id, details={"notes_erased": result.rowcount, "older_than_days": days})
    db.session.flush()
    return erased


def erase_user(actor: User | None, user: User) -> dict[str, int]:
    """Pseudonymise a person: records they made stay (with no one named), everything that identifies them goes.

    An actor (None from the command line) may only erase someone whose every role is in schools
    they manage: never a district admin unless they administer that district, never themselves.
    """
    memberships = list(db.session.scalars(select(Membership).where(Membership.user_id == user.id)))
    if actor is not None:
        if actor.id == user.id:
            raise RefusedErasure("You cannot erase your own account.")
        managed = set(school_ids(Action.MANAGE_SCHOOL, actor))
        districts = set(admin_district_ids(actor))
        for membership in memberships:
            reachable = (membership.district_id in districts if membership.role == Role.DISTRICT_ADMIN
                         else membership.school_id in managed)
            if not reachable:
                raise RefusedErasure("This person also works somewhere you do not manage: ask a district admin.")
    unlinked = (Observation.observer_id, Walk.observer_id, FollowUp.owner_id, FollowUp.created_by_id)
    changes.take_for_schools(db.session.connection(), db.session.scalars(
        union(*(select(column.class_.school_id).where(column == user.id) for column in unlinked))))
    counts = {
        "observations": _unlink(Observation, Observation.observer_id, user.id),
        "walks": _unlink(Walk, Walk.observer_id, user.id),
        "follow_ups_owned": _unlink(FollowUp, FollowUp.owner_id, user.id),
        "follow_ups_created": _unlink(FollowUp, FollowUp.created_by_id, user.id),
        "sessions": _delete(delete(AuthSession).where(AuthSession.user_id == user.id)),
        "memberships": len(memberships),
        "push_subscriptions": _delete(delete(PushSubscription).where(PushSubscription.user_id == user.id)),
        "reminders": _delete(delete(Reminder).where(Reminder.user_id == user.id)),
        "invitations": _delete(delete(Invitation).where(func.lower(Invitation.email) == user.email.lower(),
                                                        Invitation.used_at.is_(None))),
    }
    digest.unlink_observer(user.id)  # the heatmaps' per-conversation digest named them too
    db.session.execute(delete(Membership).where(Membership.user_id == user.id))
    school_ids_touched = sorted({m.school_id for m in memberships if m.school_id is not None})
    user.name = f"Former staff member {user.id}"
    user.email = f"erased-{user.id}@{ERASED_DOMAIN}"
    user.password_hash = None
    user.active = False
    db.session.flush()
    for school_id in school_ids_touched or [None]:
        audit.record("user.erased", actor_id=actor.id if actor else None, school_id=school_id,
                     object_type="user", object_id=user.id, details=counts)
    db.session.flush()
    return counts


def _unlink(model, column, user_id: int) -> int:
    """Name no one where the person was named, with a change number per school: colleagues' phones learn of it."""
    unlinked = 0
    for school_id in db.session.scalars(select(model.school_id).where(column == user_id).distinct()).all():
        unlinked += db.session.execute(
            update(model).where(column == user_id, model.school_id == school_id)
            .values({column.key: None, "change_seq": changes.take(db.session.connection(), school_id)})
            .execution_options(synchronize_session=False)).rowcount
    return unlinked


def _delete(statement) -> int:
    return db.session.execute(statement.execution_options(synchronize_session=False)).rowcount


@dataclass
class SchoolDeletion:
    school_id: int
    rows: dict[str, int]
    staff_deleted: int


def delete_school(actor: User | None, school: School) -> SchoolDeletion:
    """Delete the school and everything of it, table by table, children first.

    Tables with a school_id lose that school's rows; tables without one lose the rows that hang off
    those (trait levels of its observations, attempts of its reminders). Staff whose only roles were
    in this school are deleted with it; the audit keeps one district-level event of the deletion.
    """
    school_id, district_id, name = school.id, school.district_id, school.name
    staff_ids = set(db.session.scalars(select(Membership.user_id).where(Membership.school_id == school_id)))
    tables = list(reversed(db.metadata.sorted_tables))
    scoped = {table.name for table in tables if "school_id" in table.c and table.name != "school"}
    rows: dict[str, int] = {}
    for table in tables:  # children of school rows first: they may point at them with RESTRICT
        if table.name in scoped or table.name == "school":
            continue
        for key in table.foreign_keys:
            parent = key.column.table
            if parent.name in scoped and parent.name != table.name:
                owned = select(key.column).where(parent.c.school_id == school_id)
                rows[table.name] = rows.get(table.name, 0) + _delete(delete(table).where(key.parent.in_(owned)))
    for table in tables:
        if table.name in scoped:
            rows[table.name] = _delete(_school_rows(table, school_id))
    if school in db.session:
        db.session.expunge(school)
    rows["school"] = _delete(delete(School.__table__).where(School.__table__.c.id == school_id))
    still_staff = set(db.session.scalars(select(Membership.user_id).where(Membership.user_id.in_(staff_ids))))
    gone = sorted(staff_ids - still_staff)
    if gone:
        _delete(delete(User.__table__).where(User.__table__.c.id.in_(gone)))
    audit.record("school.deleted", actor_id=actor.id if actor else None, district_id=district_id, object_type="school",
                 object_id=school_id, details={"rows": {k: v for k, v in rows.items() if v}, "staff_deleted": len(gone),
                                               "name": name})
    db.session.flush()
    return SchoolDeletion(school_id, rows, len(gone))


def _school_rows(table: Table, school_id: int):
    return delete(table).where(table.c.school_id == school_id)
