"""Districts, schools, their bell schedules and the places a leader walks past."""
from __future__ import annotations

from datetime import time

from sqlalchemy import Float, ForeignKey, Integer, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import SchoolScopedMixin, TimestampedMixin, db
from server.enums import LocationKind, db_enum


class District(TimestampedMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))

    schools: Mapped[list[School]] = relationship(back_populates="district", order_by="School.name")


class School(TimestampedMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    min_cell_n: Mapped[int] = mapped_column(Integer, default=5)
    min_listening_hours: Mapped[float] = mapped_column(Float, default=1.0)  # a rate with less behind it is too thin
    walk_idle_minutes: Mapped[int] = mapped_column(Integer, default=20)
    note_retention_days: Mapped[int | None] = mapped_column(Integer, default=None)
    # False while the school runs on the default bell schedule nobody has checked: its pages ask the
    # principal to check it. Saving the schedule (even unchanged) sets it.
    schedule_confirmed: Mapped[bool] = mapped_column(default=False)

    district: Mapped[District] = relationship(back_populates="schools")
    periods: Mapped[list[Period]] = relationship(
        order_by="Period.starts_at", cascade="all, delete-orphan", passive_deletes=True
    )
    locations: Mapped[list[Location]] = relationship(
        order_by="Location.name", cascade="all, delete-orphan", passive_deletes=True
    )


class Period(SchoolScopedMixin, db.Model):
    """A named block of the school's bell schedule, in the school's local time."""

    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)


class Location(SchoolScopedMixin, TimestampedMixin, db.Model):
    __table_args__ = (UniqueConstraint("school_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[LocationKind] = mapped_column(db_enum(LocationKind))
    archived: Mapped[bool] = mapped_column(default=False)
