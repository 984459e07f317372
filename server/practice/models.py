"""Practice scenarios (written conversations with a reference level per trait) and people's answers to them.

A scenario belongs to one school, like every other record: the school's own leaders write it, its
whole staff practises on it, and a district admin reaches it through the schools of the district.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import SchoolScopedMixin, TimestampedMixin, db, utcnow
from server.enums import Setting, db_enum

TITLE_MAX_LENGTH = 120
WHY_MAX_LENGTH = 240


class PracticeScenario(SchoolScopedMixin, TimestampedMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubric.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    setting: Mapped[Setting] = mapped_column(db_enum(Setting))
    lines: Mapped[list] = mapped_column(JSON)  # [{"speaker": "Teacher A", "text": "…"}, …], 4–10 of them
    deleted_at: Mapped[datetime | None]  # answers keep their history after a scenario is withdrawn

    references: Mapped[list[PracticeReference]] = relationship(
        back_populates="scenario", cascade="all, delete-orphan", order_by="PracticeReference.trait_id"
    )


class PracticeReference(db.Model):
    """The level a careful listener would give one trait of the scenario, and why, in one sentence."""

    __table_args__ = (CheckConstraint("level BETWEEN 0 AND 2", name="level"),)

    scenario_id: Mapped[int] = mapped_column(ForeignKey("practice_scenario.id", ondelete="CASCADE"), primary_key=True)
    trait_id: Mapped[int] = mapped_column(ForeignKey("trait.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)
    why: Mapped[str] = mapped_column(String(WHY_MAX_LENGTH))

    scenario: Mapped[PracticeScenario] = relationship(back_populates="references")


class PracticeAnswer(SchoolScopedMixin, db.Model):
    """One person's rating of one scenario; the first answer stands, so agreement is measured before the reveal."""

    __table_args__ = (
        UniqueConstraint("scenario_id", "user_id"),
        Index("ix_practice_answer_user_answered", "user_id", "answered_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # made by the client, so a re-send stores once
    scenario_id: Mapped[int] = mapped_column(ForeignKey("practice_scenario.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    answered_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    levels: Mapped[list[PracticeAnswerLevel]] = relationship(cascade="all, delete-orphan")


class PracticeAnswerLevel(db.Model):
    __table_args__ = (CheckConstraint("level BETWEEN 0 AND 2", name="level"),)

    answer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("practice_answer.id", ondelete="CASCADE"), primary_key=True)
    trait_id: Mapped[int] = mapped_column(ForeignKey("trait.id", ondelete="CASCADE"), primary_key=True)
    level: Mapped[int] = mapped_column(SmallInteger)
