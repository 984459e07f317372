"""Reading the audit log of one school: its own events, plus its staff's sign-ins (which name no school)."""
from __future__ import annotations

from sqlalchemy import func, or_, select

from server.audit.models import AuditEvent
from server.auth.models import Membership, User
from server.db import db
from server.schools.models import School


def school_events(school: School, action: str | None = None):
    staff = select(Membership.user_id).where(Membership.school_id == school.id)
    stmt = select(AuditEvent).where(or_(
        AuditEvent.school_id == school.id,
        (AuditEvent.school_id.is_(None)) & (AuditEvent.district_id.is_(None)) & AuditEvent.action.like("auth.%")
        & AuditEvent.actor_id.in_(staff),
    ))
    if action:
        stmt = stmt.where(or_(AuditEvent.action == action, AuditEvent.action.like(f"{action}.%")))
    return stmt


def audit_page(school: School, action: str | None, page: int, per_page: int) -> dict:
    """Newest first; each event with its actor's current name (pseudonymised once erased)."""
    stmt = school_events(school, action)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(
        stmt.add_columns(User.name).outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    items = [{"id": e.id, "at": e.at, "action": e.action, "actor_id": e.actor_id, "actor_name": name,
              "object_type": e.object_type, "object_id": e.object_id, "ip": e.ip, "details": e.details or {}}
             for e, name in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def actions_of(school: School) -> list[str]:
    """The actions recorded for the school, for the page's filter."""
    return sorted(set(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.id.in_(school_events(school).with_only_columns(AuditEvent.id))))))
