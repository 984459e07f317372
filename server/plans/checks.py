"""Checks of planned occurrences: an observer went to a planned conversation and did not hear it.

An occurrence is named by its plan and its local day (docs/plans.md: a schedule change never moves
a past occurrence). A heard occurrence is an observation carrying `plan_id`/`plan_day`; a check is
the other answer, made on the phone like an observation and synced exactly once by its client id.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from server.changes import ChangeSequencedMixin
from server.db import SchoolScopedMixin, TimestampedMixin, db
from server.enums import PlanCheckOutcome, db_enum

CHECK_NOTE_MAX_LENGTH = 280


class PlanCheck(SchoolScopedMixin, TimestampedMixin, ChangeSequencedMixin, db.Model):
    __table_args__ = (
        Index("ix_plan_check_school_plan_day", "school_id", "plan_id", "day"),
        Index("ix_plan_check_observer_change", "observer_id", "school_id", "change_seq", "id"),  # the own-records pull
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # made by the client: the idempotency key
    plan_id: Mapped[int] = mapped_column(ForeignKey("planned_conversation.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)  # the occurrence's local day in the school's zone
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    outcome: Mapped[PlanCheckOutcome] = mapped_column(db_enum(PlanCheckOutcome))
    checked_at: Mapped[datetime]
    utc_offset_minutes: Mapped[int] = mapped_column(SmallInteger, default=0)
    note: Mapped[str | None] = mapped_column(String(CHECK_NOTE_MAX_LENGTH))
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    deleted_at: Mapped[datetime | None]
