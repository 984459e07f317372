"""A school's staff: roles, removals and invitations. Plain arguments in, flush at most."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select

from server.access import forget_roles, school_roles
from server.audit import service as audit
from server.auth import service as auth_service
from server.auth.models import Invitation, Membership, User
from server.db import db, utcnow
from server.enums import Role
from server.schools.models import School
from server.schools.service import RefusedChange

LAST_PRINCIPAL = "A school needs at least one principal: make someone else principal first."


def members_of(school: School) -> list[dict]:
    """Everyone with a role in the school, by name (district admins reach it through the district instead)."""
    rows = db.session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.school_id == school.id)
        .order_by(func.lower(User.name), User.id)
    )
    return [member_row(membership, user) for membership, user in rows]


def member_row(membership: Membership, user: User) -> dict:
    return {"id": membership.id, "user_id": user.id, "name": user.name, "email": user.email,
            "role": membership.role.value, "active": user.active}


def _guard_last_principal(actor: User, membership: Membership) -> None:
    """A principal may not leave the school without one; district admins may (they can still manage it).

    The other principals' rows are locked, so two principals cannot demote each other at once.
    """
    if membership.role != Role.PRINCIPAL:
        return
    if school_roles(actor).get(membership.school_id) == Role.DISTRICT_ADMIN:
        return
    others = db.session.scalars(
        select(Membership.id)
        .where(Membership.school_id == membership.school_id, Membership.role == Role.PRINCIPAL,
               Membership.id != membership.id)
        .with_for_update()
    ).all()
    if not others:
        raise RefusedChange(LAST_PRINCIPAL)


def change_role(actor: User, membership: Membership, role: str) -> Membership:
    new_role = Role(role)
    if new_role == membership.role:
        return membership
    if new_role != Role.PRINCIPAL:
        _guard_last_principal(actor, membership)
    old_role = membership.role
    membership.role = new_role
    db.session.flush()
    forget_roles()
    audit.record("membership.role_changed", actor_id=actor.id, school_id=membership.school_id,
                 district_id=membership.district_id, object_type="membership", object_id=membership.id,
                 details={"user_id": membership.user_id, "from": old_role.value, "to": new_role.value})
    return membership


def remove_member(actor: User, membership: Membership) -> None:
    """Take away the role; someone left with no role anywhere is signed out everywhere."""
    _guard_last_principal(actor, membership)
    user = db.session.get(User, membership.user_id)
    audit.record("membership.removed", actor_id=actor.id, school_id=membership.school_id,
                 district_id=membership.district_id, object_type="membership", object_id=membership.id,
                 details={"user_id": user.id, "role": membership.role.value})
    db.session.delete(membership)
    db.session.flush()
    forget_roles()
    remaining = db.session.scalar(select(func.count(Membership.id)).where(Membership.user_id == user.id))
    if not remaining:
        auth_service.end_all_sessions(user)


def pending_invitations(school: School) -> list[Invitation]:
    return list(db.session.scalars(
        select(Invitation)
        .where(Invitation.school_id == school.id, Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ))


def invitation_row(invitation: Invitation) -> dict:
    return {"id": invitation.id, "email": invitation.email, "name": invitation.name, "role": invitation.role.value,
            "expires_at": invitation.expires_at, "used_at": invitation.used_at}


def invite(actor: User, school: School, email: str, name: str, role: str, valid_for: timedelta) -> tuple[Invitation, str]:
    """A one-time invitation; inviting the same email again replaces the earlier, unused link."""
    email = auth_service.normalise_email(email)
    already = db.session.scalar(
        select(User.name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.school_id == school.id, func.lower(User.email) == email)
    )
    if already is not None:
        raise RefusedChange(f"{already} is already on the staff of this school: change their role instead.")
    replaced = db.session.execute(
        delete(Invitation).where(Invitation.school_id == school.id, Invitation.email == email,
                                 Invitation.used_at.is_(None))
    ).rowcount or 0
    invitation, token = auth_service.create_invitation(school, email, Role(role), actor, name=name, valid_for=valid_for)
    audit.record("invitation.created", actor_id=actor.id, school_id=school.id, district_id=school.district_id,
                 object_type="invitation", object_id=invitation.id,
                 details={"role": invitation.role.value, "replaced": replaced})
    return invitation, token


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    """Delete an unused invitation so its link stops working."""
    if invitation.used_at is not None:
        raise RefusedChange("This invitation was already accepted: change or remove the staff member instead.")
    audit.record("invitation.revoked", actor_id=actor.id, school_id=invitation.school_id,
                 object_type="invitation", object_id=invitation.id, details={"role": invitation.role.value})
    db.session.delete(invitation)
    db.session.flush()
