"""Follow-ups: an action with an owner and a due date, closing the loop on a conversation."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.changes import ChangeSequencedMixin
from server.db import SchoolScopedMixin, TimestampedMixin, db
from server.enums import FollowUpStatus, db_enum

ACTION_MAX_LENGTH = 280


class FollowUp(SchoolScopedMixin, TimestampedMixin, ChangeSequencedMixin, db.Model):
    __table_args__ = (
        Index("ix_follow_up_owner_status_due", "owner_id", "status", "due_at"),
        Index("ix_follow_up_school_change", "school_id", "change_seq", "id"),  # the own-follow-ups pull
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # made by the client
    observation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("observation.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(ACTION_MAX_LENGTH))
    due_at: Mapped[datetime]
    status: Mapped[FollowUpStatus] = mapped_column(db_enum(FollowUpStatus), default=FollowUpStatus.OPEN)
    snoozed_until: Mapped[datetime | None]
    changed_practice: Mapped[bool | None]
    outcome_note: Mapped[str | None] = mapped_column(String(ACTION_MAX_LENGTH))
    completed_at: Mapped[datetime | None]
    # Evidence of change beyond the yes/no: a later conversation, same school, that shows it.
    evidence_observation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("observation.id", ondelete="SET NULL"), index=True
    )
    relisten: Mapped[bool] = mapped_column(default=False)  # remind the owner, when due, to listen again where it started
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None]
