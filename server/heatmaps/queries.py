"""Read-side maths on the raw tables: the reference every pre-aggregated answer must equal.

Two kinds of tally, both keyed the same way whether they come from here or from the rollup:
- trait tallies: (school, trait, facet value, local day or None) → [n, heard, strong, walked], where
  trait 0 counts conversations whatever their rubric, and a facet value is the observation's place
  id ('place'), "setting/kind" ('talk'), team ('team') or '' ('all');
- presence: (local day or None, place, slot) → [conversations, walked, listening seconds].
Only counted observations count (`counted()`): live (a tombstone never does), and of a co-listened
conversation only the one log chosen to stand for it (server/colisten/service.py); an edit is one
row, so it counts once. Walks' stops (listening time) are every live log, counted or not.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, and_, case, cast, func, literal, literal_column, or_, select
from sqlalchemy.sql import ColumnElement

from server.db import db
from server.enums import ConversationKind, Setting
from server.heatmaps.exposure import MAX_WALK, UTC, Schedule, Stop, walk_exposure
from server.observations.models import Observation, ObservationTraitLevel
from server.walks.models import Walk

O = Observation.__table__.c
L = ObservationTraitLevel.__table__.c
W = Walk.__table__.c
FACETS = ("all", "place", "talk", "team")
CONVERSATIONS = 0  # the trait id under which conversations are counted
WALKS_BY_ID = 500  # up to this many walks, their stops are looked up by id


@dataclass(frozen=True)
class Filters:
    """What narrows a view; the defaults mean everything."""

    date_from: date | None = None
    date_to: date | None = None
    setting: str | None = None
    conversation_kind: str | None = None
    team: str | None = None
    observer_id: int | None = None
    planned: bool | None = None  # True: logged at a planned occurrence (plan_id set); False: not; None: both
    rubric_id: int | None = None
    school_ids: tuple[int, ...] = field(default=())

    @property
    def facets_needed(self) -> set[str]:
        """The facets the conversation filters live in ('observer' when only raw rows can tell)."""
        needed = set()
        if self.setting or self.conversation_kind:
            needed.add("talk")
        if self.team is not None:
            needed.add("team")
        if self.observer_id is not None:
            needed.add("observer")
        if self.planned is not None:
            needed.add("planned")  # raw rows only: the rollup has no plan key
        return needed


def talk_value(setting, kind) -> str:
    return f"{getattr(setting, 'value', setting) or ''}/{getattr(kind, 'value', kind) or ''}"


EVERY_KIND = ("", *(kind.value for kind in ConversationKind))  # '' for none, as the digest and the rollup write it
EVERY_SETTING = ("", *(setting.value for setting in Setting))
TALK_VALUES = tuple(talk_value(setting, kind) for setting in EVERY_SETTING for kind in EVERY_KIND)


def kept_values(facet: str, filters: Filters) -> list[str] | None:
    """The values of `facet` that the filters living in it keep, or None for all of them. A statement
    names them, so the database skips the other values' rows instead of returning them to be sorted
    out in Python (a 3M district's quality under a setting: 162 → 101 ms)."""
    if facet == "talk" and (filters.setting or filters.conversation_kind):
        return [value for value in TALK_VALUES if talk_matches(value, filters)]
    if facet == "team" and filters.team is not None:
        return [filters.team]
    return None


def talk_matches(value: str, filters: Filters) -> bool:
    setting, _, kind = value.partition("/")
    return (not filters.setting or setting == filters.setting) and (
        not filters.conversation_kind or kind == filters.conversation_kind)


def live_walk_join():
    """Observations left-joined to their walk when it is live and of the same school."""
    return Observation.__table__.outerjoin(
        Walk.__table__, and_(W.id == O.walk_id, W.deleted_at.is_(None), W.school_id == O.school_id))


def walked_flag() -> ColumnElement:
    return case((W.id.is_not(None), 1), else_=0)


def facet_columns(facet: str) -> list[ColumnElement]:
    if facet == "planned":
        return [O.plan_id.is_not(None)]  # no bound values: PostgreSQL matches it in GROUP BY
    return {"all": [], "place": [O.location_id], "talk": [O.setting, O.conversation_kind], "team": [O.team]}[facet]


def facet_value(facet: str, row: tuple) -> str:
    if facet == "place":
        return str(row[0])
    if facet == "talk":
        return talk_value(row[0], row[1])
    if facet == "team":
        return row[0] or ""
    if facet == "planned":
        return "planned" if row[0] else "unplanned"
    return ""


def counted() -> ColumnElement:
    """The observations that stand for a conversation in every count: the one place this is decided."""
    return and_(O.deleted_at.is_(None), O.counted.is_(True))


def observation_conditions(filters: Filters, counted_only: bool = True) -> list[ColumnElement]:
    conditions = [counted() if counted_only else O.deleted_at.is_(None)]
    if filters.school_ids:
        conditions.append(O.school_id.in_(filters.school_ids))
    if filters.date_from:
        conditions.append(O.local_date >= filters.date_from)
    if filters.date_to:
        conditions.append(O.local_date <= filters.date_to)
    if filters.setting:
        conditions.append(O.setting == filters.setting)
    if filters.conversation_kind:
        conditions.append(O.conversation_kind == filters.conversation_kind)
    if filters.team is not None:
        conditions.append(func.coalesce(O.team, "") == filters.team)
    if filters.observer_id is not None:
        conditions.append(O.observer_id == filters.observer_id)
    if filters.planned is not None:
        conditions.append(O.plan_id.is_not(None) if filters.planned else O.plan_id.is_(None))
    return conditions


def weekday_sql(column):
    """The day of the week of a date column, 0 = Sunday on both engines (Python's is (this + 6) % 7)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.extract("dow", column), Integer)
    # The format as a literal, not a parameter: a GROUP BY repeating the SELECT's expression is then the same
    # text, which SQLite evaluates and sorts once.
    return cast(func.strftime(literal_column("'%w'"), column), Integer)


def by_date_column(column, by_date):
    """What presence is keyed by: the local day (True or 'day'), its weekday ('weekday'), or nothing."""
    return weekday_sql(column) if by_date == "weekday" else column if by_date else None


def date_key(value, by_date):
    return (int(value) + 6) % 7 if by_date == "weekday" else value


def spot_columns(columns, by_date) -> list:
    """Where in the school presence is counted: place and period, or by weekday the place alone. A
    weekday's column sums its periods, and grouping the days by period too gave SQLite's second
    grouping ~10× the rows to sort (frequency by weekday under a setting at a 300k school: 69 → 44 ms)."""
    return [columns.location_id] if by_date == "weekday" else [columns.location_id, columns.slot]


def spot_key(row, by_date) -> tuple:
    """(day, weekday or None; place; slot, None by weekday) of a row that selects `by_date_column` (when
    `by_date`) and `spot_columns` first."""
    place = 1 if by_date else 0
    return (date_key(row[0], by_date) if by_date else None), row[place], (None if by_date == "weekday" else row[place + 1])


def week_of(day: date) -> date:
    """The Monday of the day's week."""
    return day - timedelta(days=day.weekday())


def trait_tallies(filters: Filters, trait_ids: list[int], facet: str, grain: str | None) -> dict[tuple, list[int]]:
    """Trait tallies from the raw rows, by nothing, 'week' (its Monday) or 'day'; trait_ids may include
    CONVERSATIONS (0)."""
    tallies: dict[tuple, list[int]] = {}
    by_date = grain is not None
    dims = facet_columns(facet) + ([O.local_date] if by_date else [])
    conditions = observation_conditions(filters)
    real_traits = [t for t in trait_ids if t != CONVERSATIONS]
    if real_traits:
        statement = (
            select(O.school_id, L.trait_id, *dims, func.count(), func.sum(case((L.level >= 1, 1), else_=0)),
                   func.sum(case((L.level == 2, 1), else_=0)), func.sum(walked_flag()))
            .select_from(live_walk_join().join(ObservationTraitLevel.__table__, L.observation_id == O.id))
            .where(*conditions, L.trait_id.in_(real_traits))
            .group_by(O.school_id, L.trait_id, *dims)
        )
        _collect(tallies, db.session.execute(statement), facet, len(dims), grain)
    if CONVERSATIONS in trait_ids:
        statement = (
            select(O.school_id, literal(CONVERSATIONS), *dims, func.count(), literal(0), literal(0),
                   func.sum(walked_flag()))
            .select_from(live_walk_join()).where(*conditions).group_by(O.school_id, *dims)
        )
        _collect(tallies, db.session.execute(statement), facet, len(dims), grain)
    return tallies


def _collect(tallies: dict, rows, facet: str, dim_count: int, grain: str | None) -> None:
    for row in rows:
        dims = row[2:2 + dim_count]
        day = (week_of(dims[-1]) if grain == "week" else dims[-1]) if grain else None
        value = facet_value(facet, dims[:-1] if grain else dims)
        key = (row[0], row[1], value, day)
        counts = [int(x or 0) for x in row[2 + dim_count:]]
        total = tallies.setdefault(key, [0, 0, 0, 0])
        for index, number in enumerate(counts):
            total[index] += number


# ---------------------------------------------------------------- presence: where and when, per hour walked

def chunks(items: list, size: int = 500):
    for start in range(0, len(items), size):
        yield items[start:start + size]


STOPS = Observation.__table__.alias("stop")  # its own name: conditions may hold a subquery on observations


def stops_select(*conditions):
    """Live conversations logged on a walk of their own school: (walk id, when, where, local day)."""
    stop = STOPS.c
    return (select(stop.walk_id, stop.observed_at, stop.location_id, stop.local_date)
            .select_from(STOPS.join(Walk.__table__, and_(W.id == stop.walk_id, W.school_id == stop.school_id)))
            .where(stop.deleted_at.is_(None), *conditions))


def walk_stops(walk_ids: list) -> tuple[dict, dict]:
    """Where these walks stopped: (walk id → its live conversations as Stops, walk id → their local days).

    Looked up by walk id (an index), never by scanning the school's observations.
    """
    stops: dict = defaultdict(list)
    days: dict = defaultdict(set)
    for chunk in chunks(sorted(walk_ids)):
        for walk_id, observed_at, location_id, local_date in db.session.execute(stops_select(STOPS.c.walk_id.in_(chunk))):
            stops[walk_id].append(Stop(observed_at, location_id))
            days[walk_id].add(local_date)
    return stops, days


def walk_stops_where(walk_conditions: list) -> dict:
    """walk_stops for many walks at once: found by the walks' own conditions in one join rather than
    by thousands of ids (a term of a school's walks)."""
    stops: dict = defaultdict(list)
    for walk_id, observed_at, location_id, _day in db.session.execute(stops_select(*walk_conditions)):
        stops[walk_id].append(Stop(observed_at, location_id))
    return stops


def day_start(schedule: Schedule, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=schedule.zone).astimezone(UTC)


def walks_near(schedule: Schedule, days_from: date | None, days_to: date | None) -> ColumnElement | None:
    """Walks that may reach into [days_from, days_to]: a walk's time lies within MAX_WALK of its start."""
    conditions = []
    if days_from:
        conditions.append(W.started_at >= day_start(schedule, days_from) - MAX_WALK)
    if days_to:
        conditions.append(W.started_at < day_start(schedule, days_to + timedelta(days=1)) + MAX_WALK)
    return and_(*conditions) if conditions else None


def heard(school_id: int, schedule: Schedule, filters: Filters, by_date: bool) -> dict[tuple, list[int]]:
    """Conversations (and those on walks) by (day or None, place, slot), filters applied, from the raw rows."""
    conditions = observation_conditions(Filters(**{**filters.__dict__, "school_ids": (school_id,)}))
    return heard_where(schedule, conditions, by_date)


def heard_where(schedule: Schedule, conditions: list, by_date: bool) -> dict[tuple, list[int]]:
    counts: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    logged = db.session.execute(
        select(O.location_id, O.observed_at, O.local_date, walked_flag()).select_from(live_walk_join()).where(*conditions))
    for location_id, observed_at, local_date, walked in logged:
        cell = counts[(local_date if by_date else None, location_id, schedule.slot_at(observed_at))]
        cell[0] += 1
        cell[1] += walked
    return counts


def presence(school_id: int, schedule: Schedule, filters: Filters, by_date: bool,
             days: set[date] | None = None) -> dict[tuple, list[float]]:
    """Conversations and listening time by (day or None, place, slot), from the raw rows.

    `days` restricts to those local days (the rollup refreshes a few at a time); otherwise the
    filters' date range. Conversation filters narrow the counts; only the observer filter narrows
    the walks, since listening time is where and when the leader was, whatever they heard.
    """
    obs_conditions = observation_conditions(Filters(**{**filters.__dict__, "school_ids": (school_id,)}))
    day_conditions = [O.school_id == school_id, O.deleted_at.is_(None)]
    if days is not None:
        obs_conditions.append(O.local_date.in_(sorted(days)))
        day_conditions.append(O.local_date.in_(sorted(days)))
        near = or_(*(walks_near(schedule, day, day) for day in sorted(days))) if days else literal(False)
    else:
        near = walks_near(schedule, filters.date_from, filters.date_to)
        day_conditions += observation_conditions(Filters(date_from=filters.date_from, date_to=filters.date_to),
                                                 counted_only=False)  # walks: any live log is a stop

    def keep(day: date) -> bool:
        if days is not None:
            return day in days
        return (filters.date_from is None or day >= filters.date_from) and (filters.date_to is None or day <= filters.date_to)

    tallies: dict[tuple, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for key, (conversations, walked) in heard_where(schedule, obs_conditions, by_date).items():
        tallies[key][0] += conversations
        tallies[key][1] += walked

    walk_conditions = [W.school_id == school_id, W.deleted_at.is_(None)]
    if filters.observer_id is not None:
        walk_conditions.append(W.observer_id == filters.observer_id)
    if near is not None:  # by start time, or because a conversation of those days was logged on it
        walk_conditions.append(or_(near, W.id.in_(select(O.walk_id).where(*day_conditions, O.walk_id.is_not(None)))))
    walks = db.session.execute(select(W.id, W.started_at, W.ended_at).where(*walk_conditions)).all()
    stops = walk_stops_where(walk_conditions) if len(walks) > WALKS_BY_ID else walk_stops([walk.id for walk in walks])[0]
    for walk in walks:
        for (day, place, slot), seconds in walk_exposure(schedule, walk.started_at, walk.ended_at,
                                                         stops.get(walk.id, [])).items():
            if keep(day):
                tallies[(day if by_date else None, place, slot)][2] += seconds
    return dict(tallies)

