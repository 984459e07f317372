"""Sign-in sessions, credentials and invitations. Plain arguments in, flush at most."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import OperationalError

from server.auth import passwords
from server.auth.models import AuthSession, Invitation, Membership, User, token_digest
from server.db import db, utcnow
from server.enums import Role
from server.schools.models import School

LAST_SEEN_GRANULARITY = timedelta(minutes=5)
ROLE_RANK = {Role.VIEWER: 1, Role.OBSERVER: 2, Role.PRINCIPAL: 3, Role.DISTRICT_ADMIN: 4}


class AuthError(ValueError):
    """A sign-in, invitation or password step that cannot go ahead, in plain words."""


class PasswordRejected(AuthError):
    """A new password breaks the rules; `problems` lists each reason so a form can show them."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


class InvitationNotFound(AuthError):
    """No invitation has this token (a mistyped or made-up link)."""


class InvitationGone(AuthError):
    """The invitation existed but was used or has expired: the link will never work again."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, upgrading the stored hash when its parameters aged."""
    user = find_user(email)
    if not passwords.verify(user.password_hash if user else None, password):
        return None
    if not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    return user


def start_session(user: User, user_agent: str = "") -> str:
    """Open a sign-in session for one browser; the returned token goes into its cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(AuthSession(token_hash=token_digest(token), user_id=user.id, user_agent=user_agent[:200]))
    db.session.flush()
    user.session_token = token
    return token


def user_for_session(token: str) -> User | None:
    """The user behind a session cookie, or None once the session was revoked or the user disabled.
    One statement: every signed-in request runs it."""
    found = db.session.execute(
        select(User, AuthSession.id, AuthSession.last_seen_at).join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.token_hash == token_digest(token))).first()
    if found is None:
        return None
    user, auth_session_id, last_seen_at = found
    if not user.active:
        return None
    if utcnow() - last_seen_at > LAST_SEEN_GRANULARITY:
        _touch(auth_session_id)
    user.session_token = token
    return user


def _touch(auth_session_id: int) -> None:
    """Record activity in its own short transaction, so a request that fails still changes nothing."""
    try:
        with db.engine.begin() as connection:
            connection.execute(
                update(AuthSession).where(AuthSession.id == auth_session_id).values(last_seen_at=utcnow())
            )
    except OperationalError:  # a busy database must not fail the request over a last-seen stamp
        pass


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(delete(AuthSession).where(AuthSession.token_hash == token_digest(token)))


def end_all_sessions(user: User) -> int:
    """Sign the user out on every device (used on password change, deactivation, 'sign out everywhere')."""
    result = db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    return result.rowcount or 0


def set_password(user: User, new_password: str) -> None:
    problems = passwords.password_problems(new_password, user.email, user.name)
    if problems:
        raise PasswordRejected(problems)
    user.password_hash = passwords.hash_password(new_password)


def change_password(user: User, current_password: str, new_password: str, user_agent: str = "") -> str:
    """Change the password, revoke every session, and open a fresh one for this browser."""
    if not passwords.verify(user.password_hash, current_password):
        raise AuthError("The current password is not right.")
    set_password(user, new_password)
    end_all_sessions(user)
    return start_session(user, user_agent)


def deactivate(user: User) -> None:
    user.active = False
    end_all_sessions(user)


def create_user(email: str, name: str, password: str | None = None) -> User:
    if find_user(email) is not None:
        raise AuthError("An account with that email already exists.")
    user = User(email=normalise_email(email), name=name.strip())
    if password is not None:
        set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def grant_role(user: User, role: Role, *, school: School | None = None, district_id: int | None = None) -> Membership:
    """Give a school role (principal, observer, viewer) or a district-wide admin role."""
    if role == Role.DISTRICT_ADMIN:
        if district_id is None:
            raise AuthError("A district admin role needs a district.")
        existing = db.session.scalar(
            select(Membership).where(
                Membership.user_id == user.id, Membership.district_id == district_id, Membership.school_id.is_(None)
            )
        )
        membership = existing or Membership(user_id=user.id, district_id=district_id, school_id=None)
    else:
        if school is None:
            raise AuthError("A school role needs a school.")
        existing = db.session.scalar(
            select(Membership).where(Membership.user_id == user.id, Membership.school_id == school.id)
        )
        membership = existing or Membership(user_id=user.id, district_id=school.district_id, school_id=school.id)
    membership.role = role
    db.session.add(membership)
    db.session.flush()
    return membership


def create_invitation(
    school: School, email: str, role: Role, invited_by: User | None, name: str = "", valid_for: timedelta = timedelta(days=7)
) -> tuple[Invitation, str]:
    """A one-time invitation; the raw token is returned once, for the link, and only its digest kept."""
    if role == Role.DISTRICT_ADMIN:
        raise AuthError("District admins are not invited through a school.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        token_hash=token_digest(token),
        school_id=school.id,
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=utcnow() + valid_for,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def open_invitation(token: str, now: datetime | None = None) -> Invitation:
    """The invitation behind a link, if it is unused and unexpired."""
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == token_digest(token)))
    if invitation is None:
        raise InvitationNotFound("This invitation link is not valid. Ask for a new one.")
    if invitation.used_at is not None:
        raise InvitationGone("This invitation has already been used. Sign in, or ask for a new one.")
    if invitation.expires_at <= (now or utcnow()):
        raise InvitationGone("This invitation has expired. Ask your principal for a new one.")
    return invitation


def accept_invitation(token: str, name: str, password: str, signed_in: User | None = None) -> User:
    """Join the school: a new account sets its password; an existing one must already be signed in."""
    invitation = open_invitation(token)
    school = db.session.get(School, invitation.school_id)
    existing = find_user(invitation.email)
    if existing is not None:
        if signed_in is None or signed_in.id != existing.id:
            raise AuthError("An account with this email exists: sign in as that account, then open the link again.")
        user = existing
    else:
        user = create_user(invitation.email, name or invitation.name or invitation.email.split("@")[0], password)
    claimed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # another request used it first
        raise InvitationGone("This invitation has already been used. Sign in, or ask for a new one.")
    current = db.session.scalar(select(Membership.role).where(Membership.user_id == user.id, Membership.school_id == school.id))
    if current is None or ROLE_RANK[invitation.role] > ROLE_RANK[current]:
        grant_role(user, invitation.role, school=school)  # an invitation never lowers a role already held
    return user
