"""Observations: one overheard conversation, tagged with a level for each trait of a rubric."""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, SmallInteger, String, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.changes import ChangeSequencedMixin
from server.colisten.models import CODE_LENGTH
from server.db import SchoolScopedMixin, TimestampedMixin, db
from server.enums import ConversationKind, Setting, db_enum

NOTE_MAX_LENGTH = 280
TEAM_MAX_LENGTH = 60


class Observation(SchoolScopedMixin, TimestampedMixin, ChangeSequencedMixin, db.Model):
    __table_args__ = (
        Index("ix_observation_school_local_date", "school_id", "local_date"),
        Index("ix_observation_school_location", "school_id", "location_id"),
        Index("ix_observation_observer_change", "observer_id", "school_id", "change_seq", "id"),  # the own-records pull
        Index("ix_observation_school_plan_day", "school_id", "plan_id", "plan_day"),
        Index("ix_observation_colisten", "colisten_id"),
        # The few co-listened logs of a school, for calibration (server/calibration/queries.py).
        Index("ix_observation_school_colisten", "school_id", "colisten_id", postgresql_where=text("colisten_id IS NOT NULL"),
              sqlite_where=text("colisten_id IS NOT NULL")),
        CheckConstraint("participant_count IS NULL OR participant_count BETWEEN 1 AND 99", name="participant_count"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # made by the client: the idempotency key
    observer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    walk_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("walk.id", ondelete="SET NULL"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="RESTRICT"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"))
    observed_at: Mapped[datetime]
    utc_offset_minutes: Mapped[int] = mapped_column(SmallInteger, default=0)
    local_date: Mapped[date] = mapped_column(Date)  # in the school's zone, for day/week bucketing
    setting: Mapped[Setting | None] = mapped_column(db_enum(Setting))
    conversation_kind: Mapped[ConversationKind | None] = mapped_column(db_enum(ConversationKind))
    participant_count: Mapped[int | None] = mapped_column(SmallInteger)
    participant_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    team: Mapped[str | None] = mapped_column(String(TEAM_MAX_LENGTH))
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX_LENGTH))
    needs_follow_up: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    deleted_at: Mapped[datetime | None]
    # The planned occurrence this log was made at (server/plans/checks.py), if any.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("planned_conversation.id", ondelete="SET NULL"))
    plan_day: Mapped[date | None] = mapped_column(Date)
    # Co-listening (server/colisten/models.py): the code the phone was given, the session the server
    # linked it to, and whether this log is the one that stands for the conversation in the rollups.
    colisten_code: Mapped[str | None] = mapped_column(String(CODE_LENGTH))
    colisten_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("colisten_session.id", ondelete="SET NULL"))
    counted: Mapped[bool] = mapped_column(default=True, server_default=true())

    trait_levels: Mapped[list[ObservationTraitLevel]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, order_by="ObservationTraitLevel.trait_id"
    )


class ObservationTraitLevel(db.Model):
    """0 not heard, 1 heard, 2 strong. Found by observation only: no index by trait, which every edit and
    deletion would write at scattered pages (migration 0024)."""

    __table_args__ = (CheckConstraint("level BETWEEN 0 AND 2", name="level_range"),)

    observation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE"), primary_key=True
    )
    trait_id: Mapped[int] = mapped_column(ForeignKey("trait.id", ondelete="RESTRICT"), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)
