"""The calibration summary: one row per co-listened conversation and trait, kept up in the sync's transaction.

A conversation is a live co-listen session with its live linked logs of one rubric; per trait it holds
how many observers gave each level (c0, c1, c2) and, when exactly two did, the counted log's level (for
weighted kappa). Only conversations with two or more ratings of the trait are kept: the rest enter no
figure. `local_date` and `last_date` are its logs' first and last local days (a 12-hour window can
cross midnight); `month` is the first day of `local_date`'s month, so the figures group along the index.
"""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import db


class CalibrationConversation(db.Model):
    __tablename__ = "calibration_conversation"
    __table_args__ = (
        # The figures: a school's rubric over a range of months, grouped by month, trait and pattern in index order.
        Index("ix_calibration_conversation_patterns", "school_id", "rubric_id", "month", "trait_id", "c0", "c1", "c2",
              "pair_level", "local_date", "last_date"),
        # The rare conversations whose logs span two local days: a date range may cut them in two.
        Index("ix_calibration_conversation_span", "school_id", "rubric_id", "local_date", "last_date",
              postgresql_where=text("last_date > local_date"), sqlite_where=text("last_date > local_date")),
    )

    colisten_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trait_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    local_date: Mapped[date] = mapped_column(Date)
    last_date: Mapped[date] = mapped_column(Date)
    c0: Mapped[int] = mapped_column(SmallInteger)
    c1: Mapped[int] = mapped_column(SmallInteger)
    c2: Mapped[int] = mapped_column(SmallInteger)
    pair_level: Mapped[int | None] = mapped_column(SmallInteger)  # the counted log's level, when two observers rated


class CalibrationMonth(db.Model):
    """The summary counted by month: conversations per (school, rubric, month, trait, pattern, pair level).

    A district's year is ~175,000 summary rows but ~20,000 of these, so the figures read whole months
    here and only a range's partial first and last months from the summary. Kept with the summary, in the
    same transaction, by adding what each refresh changed (server/calibration/summary.py).
    """

    __tablename__ = "calibration_month"

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)
    rubric_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    trait_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    c0: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    c1: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    c2: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    pair_level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)  # as the summary's; −1 for none
    conversations: Mapped[int] = mapped_column(Integer)
