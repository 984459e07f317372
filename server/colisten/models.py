"""Co-listening: several observers log one conversation independently, blind, to calibrate their ears.

The lead's phone makes the session (its id and a short code) offline; colleagues' phones know only
the code, typed or scanned. Each phone's log carries the code it was given, and the server links the
logs to the session when both have synced (by school, code and time), whatever order they arrive in.

A co-listened conversation is one conversation: exactly one of its linked logs has `counted` true
(the lead's while it exists) and only counted logs enter the rollups; the others serve agreement.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.changes import ChangeSequencedMixin
from server.db import SchoolScopedMixin, TimestampedMixin, db

CODE_LENGTH = 6


class ColistenSession(SchoolScopedMixin, TimestampedMixin, ChangeSequencedMixin, db.Model):
    __table_args__ = (
        Index("ix_colisten_session_school_code", "school_id", "code", "started_at"),
        Index("ix_colisten_session_observer_change", "lead_observer_id", "school_id", "change_seq", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # made by the lead's phone
    code: Mapped[str] = mapped_column(String(CODE_LENGTH))
    lead_observer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None]
