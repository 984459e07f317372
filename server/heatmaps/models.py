"""Pre-aggregated heatmap tables, derived from observations and walks and rebuilt from them at will.

They hold counts only (never notes or who observed), at the grain of a school's local day, so every
default view reads a few thousand rows instead of a year of raw ones. `rollup.py` keeps them exact.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import db

FACET_VALUE_LENGTH = 140


def _school_key() -> Mapped[int]:
    return mapped_column(Integer, ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)


class TraitTallies:
    """Conversations tagged with a trait, heard (level ≥ 1), strong (2), and logged on a walk."""

    n: Mapped[int] = mapped_column(Integer)
    heard: Mapped[int] = mapped_column(Integer)
    strong: Mapped[int] = mapped_column(Integer)
    walked: Mapped[int] = mapped_column(Integer)


class Presence:
    """Conversations heard, those on a walk, and seconds of listening."""

    conversations: Mapped[int] = mapped_column(Integer)
    walked: Mapped[int] = mapped_column(Integer)
    listening_seconds: Mapped[float] = mapped_column(Float)


class HeatmapTraitDay(TraitTallies, db.Model):
    """Per school, local day, trait and one facet value: conversations tagged, heard (≥ 1), strong (2).

    Each facet ('all', 'place', 'talk' = setting/kind, 'team') partitions the day's conversations, so
    any question whose dimension and filters stay within one facet is a sum over its rows.
    trait_id 0 counts conversations whatever their rubric (for frequency).
    """

    __tablename__ = "heatmap_trait_day"
    __table_args__ = {"sqlite_with_rowid": False}

    facet: Mapped[str] = mapped_column(String(8), primary_key=True)
    school_id: Mapped[int] = _school_key()
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    trait_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str] = mapped_column(String(FACET_VALUE_LENGTH), primary_key=True)


class HeatmapTraitWeek(TraitTallies, db.Model):
    """HeatmapTraitDay summed by week (its Monday): a year is 52 rows per key, not 365."""

    __tablename__ = "heatmap_trait_week"
    __table_args__ = {"sqlite_with_rowid": False}

    facet: Mapped[str] = mapped_column(String(8), primary_key=True)
    school_id: Mapped[int] = _school_key()
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    trait_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[str] = mapped_column(String(FACET_VALUE_LENGTH), primary_key=True)


class HeatmapPlaceDay(Presence, db.Model):
    """Per school, local day, place and slot of the bell schedule: conversations and listening time.

    location_id 0 is walk time with nothing logged (no place known); slot is a period id, or
    -1 before school, -2 between periods, -3 after school.
    """

    __tablename__ = "heatmap_place_day"
    __table_args__ = {"sqlite_with_rowid": False}

    school_id: Mapped[int] = _school_key()
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    location_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)


class HeatmapSchoolDay(Presence, db.Model):
    """Per school and local day: the district view's conversations and hours of listening."""

    __tablename__ = "heatmap_school_day"
    __table_args__ = {"sqlite_with_rowid": False}

    school_id: Mapped[int] = _school_key()
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)


class HeatmapState(db.Model):
    """That a school's rollup exists, and the bell schedule its slots were cut with."""

    __tablename__ = "heatmap_state"

    school_id: Mapped[int] = mapped_column(Integer, ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)
    schedule_key: Mapped[str] = mapped_column(String(64))
    built_at: Mapped[datetime]
