"""Web Push subscriptions (one per device a user allowed reminders on) and the reminders sent to them."""
from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import db, utcnow
from server.enums import db_enum


class PushSubscription(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(2048), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_success_at: Mapped[datetime | None]
    failure_count: Mapped[int] = mapped_column(Integer, default=0)


class ReminderKind(StrEnum):
    FOLLOW_UP = "follow_up"
    WEEKLY_NUDGE = "weekly_nudge"


class ReminderStatus(StrEnum):
    PENDING = "pending"      # waiting for its time, or for a retry
    SENT = "sent"            # the push service accepted it
    GONE = "gone"            # the device unsubscribed (404/410): the subscription was deleted
    CANCELLED = "cancelled"  # the follow-up was done, dropped, moved or deleted before it went out
    FAILED = "failed"        # refused by the endpoint guard, or out of attempts


class Reminder(db.Model):
    """One push message to one device, claimed by one dispatcher at a time (claimed_until expires)."""

    __table_args__ = (Index("ix_reminder_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReminderKind] = mapped_column(db_enum(ReminderKind))
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    follow_up_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("follow_up.id", ondelete="CASCADE"), index=True)
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("push_subscription.id", ondelete="SET NULL"), index=True
    )
    due_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    status: Mapped[ReminderStatus] = mapped_column(db_enum(ReminderStatus), default=ReminderStatus.PENDING)
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReminderAttempt(db.Model):
    """What happened when a dispatcher tried to send a reminder: the delivery log."""

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("reminder.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    worker: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[int | None] = mapped_column(SmallInteger)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    detail: Mapped[str | None] = mapped_column(String(200))


class WeeklyNudge(db.Model):
    """A school's weekly nudge to its observers who logged no walk that week: off unless a principal turns it on."""

    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        CheckConstraint("hour BETWEEN 0 AND 23", name="hour"),
    )

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    weekday: Mapped[int] = mapped_column(SmallInteger, default=3)  # school-local: 0 Monday … 6 Sunday
    hour: Mapped[int] = mapped_column(SmallInteger, default=14)    # school-local hour, 0–23
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
