"""A whole school's digest, walk time and presence rows rebuilt: one pass over its walks, the rest in SQL.

A rebuild cost several times a bulk load of the same rows once the digest arrived: every conversation
went through Python (its id decoded to a UUID and encoded back, its levels packed row by row), and
each walk's listening time was cut twice, once for the place rows and once for the walk-time rows.
Now the digest is one INSERT … SELECT (the slot looked up in a table of the school's slot boundaries,
the lanes summed from the levels), each walk is cut once into its walk-time rows with its id as
stored, and the place and school day rows are summed from those two tables in SQL.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sqlalchemy import (Column, Date, Float, Integer, MetaData, String, Table, and_, case, cast, column, func, insert,
                        literal, literal_column, select, table, type_coerce, union_all)
from sqlalchemy.schema import CreateTable

from server.db import UTCDateTime, db
from server.heatmaps import queries
from server.heatmaps.digest import DIGEST, LANE_COLUMNS, MAX_TRAITS, WALK_TIME, TraitBits
from server.heatmaps.exposure import UTC, Schedule, Stop, walk_exposure
from server.heatmaps.models import HeatmapPlaceDay, HeatmapSchoolDay
from server.heatmaps.queries import STOPS, L, O, W
from server.observations.models import ObservationTraitLevel
from server.walks.models import Walk

PLACE_DAY = HeatmapPlaceDay.__table__
SCHOOL_DAY = HeatmapSchoolDay.__table__
TILE = Table("heatmap_slot_tile", MetaData(), Column("starts_at", UTCDateTime(), primary_key=True),
             Column("slot", Integer, nullable=False), prefixes=["TEMPORARY"])
RAW_WALK_TIME = table("heatmap_walk_time", column("walk_id"), column("school_id", Integer), column("observer_id", Integer),
                      column("local_date", Date), column("location_id", Integer), column("slot", Integer),
                      column("seconds", Float))  # walk_id untyped: the id goes back as it was read


def rebuild_school(school_id: int, schedule: Schedule) -> None:
    """The digest, walk-time, place-day and school-day rows of a school whose rows were all deleted."""
    conversations(school_id, schedule)
    walk_time(school_id, schedule)
    presence(school_id)


# ---------------------------------------------------------------- conversations

def conversations(school_id: int, schedule: Schedule) -> None:
    first, last = db.session.execute(select(func.min(O.observed_at), func.max(O.observed_at))
                                      .where(O.school_id == school_id, queries.counted())).one()
    if first is None:
        return
    db.session.execute(CreateTable(TILE, if_not_exists=True))
    db.session.execute(TILE.delete())
    db.session.execute(insert(TILE), slot_tiles(schedule, first, last))
    rubric_ids = db.session.scalars(select(O.rubric_id).where(O.school_id == school_id, queries.counted()).distinct())
    bits = TraitBits()
    slot = (select(TILE.c.slot).where(TILE.c.starts_at <= O.observed_at)
            .order_by(TILE.c.starts_at.desc()).limit(1).scalar_subquery())
    rows = (select(O.id, O.school_id, O.local_date, slot, O.location_id,
                   func.coalesce(cast(O.setting, String(20)), ""), func.coalesce(cast(O.conversation_kind, String(40)), ""),
                   func.coalesce(O.team, ""), O.observer_id, queries.walked_flag(), O.rubric_id,
                   *lane_sums({rubric_id: bits[rubric_id] for rubric_id in rubric_ids}))
            .select_from(queries.live_walk_join().outerjoin(ObservationTraitLevel.__table__, L.observation_id == O.id))
            .where(O.school_id == school_id, queries.counted())
            .group_by(O.id, W.id))
    db.session.execute(insert(DIGEST).from_select(
        ["observation_id", "school_id", "local_date", "slot", "location_id", "setting", "kind", "team", "observer_id",
         "walked", "rubric_id", *(f"c{i}" for i in range(LANE_COLUMNS))], rows))


def lane_sums(ranks_by_rubric: dict[int, dict[int, int]]) -> list:
    """Each lane column as a SUM over an observation's levels, as digest.packed computes it: trait k of
    the observation's own rubric adds to counters 3k (tagged), 3k+1 (heard), 3k+2 (strong)."""
    whens: list[list] = [[] for _ in range(LANE_COLUMNS)]
    for rubric_id, ranks in ranks_by_rubric.items():
        for trait_id, rank in ranks.items():
            if rank >= MAX_TRAITS:
                continue
            parts: dict[int, list] = defaultdict(list)
            for offset, condition in ((0, None), (1, L.level >= 1), (2, L.level == 2)):
                counter = 3 * rank + offset
                weight = literal_column(str(1 << (32 * (counter % 2))))
                parts[counter // 2].append(weight if condition is None else case((condition, weight), else_=literal_column("0")))
            mine = and_(L.trait_id == literal_column(str(int(trait_id))), O.rubric_id == literal_column(str(int(rubric_id))))
            for lane, terms in parts.items():
                total = terms[0]
                for term in terms[1:]:
                    total = total + term
                whens[lane].append((mine, total))
    return [func.sum(case(*found, else_=literal_column("0"))) if found else literal_column("0") for found in whens]


def slot_tiles(schedule: Schedule, first: datetime, last: datetime) -> list[dict]:
    """Instants from each of which `schedule.slot_at` holds until the next, covering [first, last].

    slot_at reads the local time of day, which only crosses a bell edge (midnight, a period's start
    or end) at an instant whose local time is that edge (both readings of a repeated hour) or where
    the zone's offset changes; each such instant starts a tile, its slot given by slot_at itself.
    """
    edges = sorted({time(0)} | {p.starts_at for p in schedule.periods} | {p.ends_at for p in schedule.periods})
    day, last_day = schedule.local_date(first) - timedelta(days=1), schedule.local_date(last) + timedelta(days=1)
    instants = set(offset_changes(schedule, day, last_day + timedelta(days=1)))
    while day <= last_day:
        for edge in edges:
            for fold in (0, 1):
                instants.add(datetime.combine(day, edge, tzinfo=schedule.zone).replace(fold=fold).astimezone(UTC))
        day += timedelta(days=1)
    return [{"starts_at": moment, "slot": schedule.slot_at(moment)} for moment in sorted(instants)]


def offset_changes(schedule: Schedule, first_day: date, last_day: date) -> list[datetime]:
    """The instants (to the second) at which the zone's UTC offset changes between these local days."""
    found = []
    moment = datetime.combine(first_day, time(0), tzinfo=UTC) - timedelta(days=1)
    end = datetime.combine(last_day, time(0), tzinfo=UTC) + timedelta(days=1)
    offset = moment.astimezone(schedule.zone).utcoffset()
    while moment < end:
        following = moment + timedelta(hours=1)
        now = following.astimezone(schedule.zone).utcoffset()
        if now != offset:
            low, high = 0, 3600  # seconds after `moment`: the offset at low is the old one, at high the new
            while high - low > 1:
                middle = (low + high) // 2
                if (moment + timedelta(seconds=middle)).astimezone(schedule.zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            found.append(moment + timedelta(seconds=high))
            offset = now
        moment = following
    return found


# ---------------------------------------------------------------- walks and presence

def walk_time(school_id: int, schedule: Schedule) -> None:
    """Every live walk's listening time, cut once, its id kept as stored (no UUID round trip)."""
    conditions = [W.school_id == school_id, W.deleted_at.is_(None)]
    stop = STOPS.c
    stops: dict = defaultdict(list)
    for walk_id, observed_at, location_id in db.session.execute(
            select(type_coerce(stop.walk_id, String), stop.observed_at, stop.location_id)
            .select_from(STOPS.join(Walk.__table__, and_(W.id == stop.walk_id, W.school_id == stop.school_id)))
            .where(stop.deleted_at.is_(None), *conditions)):
        stops[walk_id].append(Stop(observed_at, location_id))
    rows = []
    for walk_id, observer_id, started_at, ended_at in db.session.execute(
            select(type_coerce(W.id, String), W.observer_id, W.started_at, W.ended_at).where(*conditions)):
        rows += [{"walk_id": walk_id, "school_id": school_id, "observer_id": observer_id, "local_date": day,
                  "location_id": place, "slot": slot, "seconds": seconds}
                 for (day, place, slot), seconds in walk_exposure(schedule, started_at, ended_at,
                                                                  stops.get(walk_id, [])).items() if seconds > 0]
    if rows:
        db.session.execute(insert(RAW_WALK_TIME), rows)


def presence(school_id: int) -> None:
    """Place day rows: the digest's conversations and the walk-time rows' seconds by day, place and
    slot; school day rows: their sums by day."""
    d, t = DIGEST.c, WALK_TIME.c
    zero = cast(literal_column("0"), Float)
    heard = (select(d.local_date, d.location_id, d.slot, func.count().label("conversations"),
                    func.sum(d.walked).label("walked"), zero.label("seconds"))
             .where(d.school_id == school_id).group_by(d.local_date, d.location_id, d.slot))
    listened = (select(t.local_date, t.location_id, t.slot, literal_column("0").label("conversations"),
                       literal_column("0").label("walked"), cast(func.sum(t.seconds), Float).label("seconds"))
                .where(t.school_id == school_id).group_by(t.local_date, t.location_id, t.slot))
    both = union_all(heard, listened).subquery()
    db.session.execute(insert(PLACE_DAY).from_select(
        ["school_id", "local_date", "location_id", "slot", "conversations", "walked", "listening_seconds"],
        select(literal(school_id, Integer), both.c.local_date, both.c.location_id, both.c.slot,
               func.sum(both.c.conversations), func.sum(both.c.walked), func.sum(both.c.seconds))
        .group_by(both.c.local_date, both.c.location_id, both.c.slot)))
    p = PLACE_DAY.c
    db.session.execute(insert(SCHOOL_DAY).from_select(
        ["school_id", "local_date", "conversations", "walked", "listening_seconds"],
        select(p.school_id, p.local_date, func.sum(p.conversations), func.sum(p.walked), func.sum(p.listening_seconds))
        .where(p.school_id == school_id).group_by(p.school_id, p.local_date)))
