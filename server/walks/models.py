"""Walks: time a leader spent listening, the exposure that turns counts into rates."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from server.db import SchoolScopedMixin, TimestampedMixin, db


class Walk(SchoolScopedMixin, TimestampedMixin, db.Model):
    __table_args__ = (Index("ix_walk_school_started", "school_id", "started_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # made by the client
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None]
