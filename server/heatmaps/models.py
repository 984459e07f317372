"""Pre-aggregated heatmap tables, derived from observations and walks and rebuilt from them at will.

They hold counts only (never notes or who observed), at the grain of a school's local day, so every
default view reads a few thousand rows instead of a year of raw ones. `rollup.py` keeps them exact.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String
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


LANE_COLUMNS = 12  # c0..c11: 8 traits × (tagged, heard, strong), two 0/1 counters per column (digest.py)
DIGEST_PAYLOAD = ("walked", "rubric_id", *(f"c{i}" for i in range(LANE_COLUMNS)))
# After an index's leading columns, the day first (migration 0027): a sync's new conversations are its
# school's latest days, so they land together at the end of each group instead of across it (a batch
# wrote 1,179 pages at a 100k school, 971 with the day first; docs/performance.md, issue 15).
DIGEST_FILTERS = ("local_date", "setting", "kind", "team", "observer_id", "location_id", "slot")
DIGEST_ORDERS = {  # covering index → the columns a view groups by (or a narrow filter seeks), after the school
    "place": ("location_id", "slot"),
    "talk": ("kind", "setting"),  # a kind without its setting seeks; GROUP BY setting, kind streams either way
    # a team and a kind together seek both (migration 0022), and an observer under them (digest.hinted);
    # one phone's batch then lands once per team and kind, not per team, kind and setting (migration 0028)
    "team": ("team", "kind", "observer_id"),
    "date": ("local_date", "location_id", "slot"),
    # PostgreSQL only (migration 0025): its planner reads one observer's rows here instead of finding
    # them among the school's, and seeks a kind, a setting or days among them (migration 0028; the views
    # name the kinds and settings before a filtered column, digest.hinted). SQLite's views name their index
    # (digest.index_for, rendered by server/db.py) and an observer with a team is sought in the team
    # index; one more index would add to every sync's writes (docs/performance.md, issue 15).
    "observer": ("observer_id", "kind", "setting"),
}
ONLY_ON = {"observer": "postgresql"}  # index name → the one engine that builds it


def digest_index(name: str) -> Index:
    """School, the grouping columns, the other filters, then the counts: an index-only scan answers."""
    leading = DIGEST_ORDERS[name]
    keys = ["school_id", *leading, *(column for column in DIGEST_FILTERS if column not in leading)]
    index = Index(f"ix_heatmap_conversation_{name}", *keys, *DIGEST_PAYLOAD)
    if name in ONLY_ON:
        index.info["only_on"] = ONLY_ON[name]  # read by db.built_on: Alembic's comparison ignores ddl_if
        index.ddl_if(dialect=ONLY_ON[name])
    return index


class HeatmapConversation(db.Model):
    """One row per live conversation: what every filter and every column of the school views can ask.

    The filters a team combines (observer, setting, kind, team, dates, two at once) cut across the
    rollup's facets; this digest answers them without reading observations, walks and seven trait
    rows per conversation. Trait levels are packed into lanes (server/heatmaps/digest.py) so one SUM
    per column counts two traits' tallies; each covering index leads with the columns a view groups
    by, so a filtered GROUP BY streams in index order instead of sorting the school's rows.
    """

    __tablename__ = "heatmap_conversation"
    __table_args__ = tuple(digest_index(name) for name in DIGEST_ORDERS)

    observation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(Integer, ForeignKey("school.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[int] = mapped_column(Integer)
    location_id: Mapped[int] = mapped_column(Integer)
    setting: Mapped[str] = mapped_column(String(20))   # '' when not recorded
    kind: Mapped[str] = mapped_column(String(40))      # '' when not recorded
    team: Mapped[str] = mapped_column(String(FACET_VALUE_LENGTH))  # '' when not recorded
    observer_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    walked: Mapped[int] = mapped_column(Integer)
    rubric_id: Mapped[int] = mapped_column(Integer)
    c0: Mapped[int] = mapped_column(BigInteger)
    c1: Mapped[int] = mapped_column(BigInteger)
    c2: Mapped[int] = mapped_column(BigInteger)
    c3: Mapped[int] = mapped_column(BigInteger)
    c4: Mapped[int] = mapped_column(BigInteger)
    c5: Mapped[int] = mapped_column(BigInteger)
    c6: Mapped[int] = mapped_column(BigInteger)
    c7: Mapped[int] = mapped_column(BigInteger)
    c8: Mapped[int] = mapped_column(BigInteger)
    c9: Mapped[int] = mapped_column(BigInteger)
    c10: Mapped[int] = mapped_column(BigInteger)
    c11: Mapped[int] = mapped_column(BigInteger)


class HeatmapWalkTime(db.Model):
    """Each live walk's listening seconds by local day, place and slot: an observer's listening time is
    a sum of their walks' rows, not a re-derivation from every walk and its logs."""

    __tablename__ = "heatmap_walk_time"
    __table_args__ = (
        Index("ix_heatmap_walk_time_observer", "school_id", "observer_id", "local_date", "location_id", "slot", "seconds"),
    )

    walk_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    local_date: Mapped[date] = mapped_column(Date, primary_key=True)
    location_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(Integer, ForeignKey("school.id", ondelete="CASCADE"))
    observer_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("user.id", ondelete="SET NULL"))
    seconds: Mapped[float] = mapped_column(Float)
