"""A planned conversation, its schedule versions, and the school's calendar-feed secret.

A plan's *when* is a list of schedule versions, each valid over a span of instants
[valid_from, valid_until). Changing the recurrence once an occurrence has started closes the
current version at that moment and opens a new one, so every occurrence that began before the
change is expanded from the rule it had then: what was checked in the past stays as it was.
"""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, SmallInteger, String, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import SchoolScopedMixin, TimestampedMixin, db
from server.enums import ConversationKind, PlanFrequency, db_enum


class PlannedConversation(SchoolScopedMixin, TimestampedMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ConversationKind] = mapped_column(db_enum(ConversationKind))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"), index=True)
    participants: Mapped[str] = mapped_column(String(200), default="")
    participant_count: Mapped[int | None] = mapped_column(SmallInteger)
    strategy: Mapped[str] = mapped_column(String(200), default="")
    focus_traits: Mapped[list] = mapped_column(JSON, default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    # Deleting a plan removes it (from the plan's lists, the feed, the phones) and closes its schedule at that
    # moment; the row stays so its checks, the logs' links and past coverage keep their meaning.
    deleted_at: Mapped[datetime | None]

    schedules: Mapped[list[PlanSchedule]] = relationship(
        order_by="PlanSchedule.version", cascade="all, delete-orphan", passive_deletes=True, back_populates="plan"
    )

    @property
    def current(self) -> PlanSchedule:
        return self.schedules[-1]


class PlanSchedule(db.Model):
    """One version of a plan's recurrence, in the school's local time, valid over [valid_from, valid_until)."""

    __table_args__ = (
        CheckConstraint("last_day >= first_day", name="term"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("planned_conversation.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    frequency: Mapped[PlanFrequency] = mapped_column(db_enum(PlanFrequency))
    weekdays: Mapped[list] = mapped_column(JSON, default=list)   # 0 = Monday … 6 = Sunday
    week_of_month: Mapped[int | None] = mapped_column(SmallInteger)  # monthly: 1–4, or -1 for the last
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    added_dates: Mapped[list] = mapped_column(JSON, default=list)      # ISO days
    cancelled_dates: Mapped[list] = mapped_column(JSON, default=list)  # ISO days

    plan: Mapped[PlannedConversation] = relationship(back_populates="schedules")


class PlanFeed(db.Model):
    """The school's one calendar-feed secret, stored as its SHA-256; revoking deletes the row."""

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
