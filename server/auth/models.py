"""Accounts, their roles per school, sign-in sessions and invitations."""
from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import TimestampedMixin, db, utcnow
from server.enums import Role, db_enum


def token_digest(token: str) -> str:
    """Only digests of bearer tokens are stored, so a database leak replays nothing."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, TimestampedMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    # The raw token of the sign-in this request runs under; set at login and by the user loader.
    session_token = None

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:
        """Flask-Login stores the session token, not the user id, so one session can be revoked."""
        if not self.session_token:
            raise RuntimeError("no sign-in session attached to this user")
        return self.session_token


class Membership(db.Model):
    """A role held by a user: in one school, or (district admins) across a whole district."""

    __table_args__ = (
        UniqueConstraint("user_id", "district_id", "school_id"),
        CheckConstraint(
            "(role = 'district_admin' AND school_id IS NULL) OR (role <> 'district_admin' AND school_id IS NOT NULL)",
            name="scope_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(db_enum(Role))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")


class AuthSession(db.Model):
    """One signed-in browser. Deleting the row revokes that browser's cookie on its next request."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class Invitation(db.Model):
    """A one-time link a principal sends so a colleague can join the school with a role."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(db_enum(Role))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
