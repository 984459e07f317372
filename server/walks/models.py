"""Walks: time a leader spent listening, the exposure that turns counts into rates."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from server.changes import ChangeSequencedMixin
from server.db import SchoolScopedMixin, TimestampedMixin, db


class Walk(SchoolScopedMixin, TimestampedMixin, ChangeSequencedMixin, db.Model):
    __table_args__ = (
        Index("ix_walk_school_started", "school_id", "started_at"),
        Index("ix_walk_observer_change", "observer_id", "school_id", "change_seq", "id"),  # the own-records pull
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # made by the client
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None]
