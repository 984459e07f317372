"""The conversation digest and each walk's listening time: what filtered views read instead of raw rows.

A filter that cuts across the rollup's facets (an observer; a setting with columns by place; two
filters at once) used to be answered from the raw tables: observations joined to their walks and
to seven trait rows each, and, under an observer filter, every walk re-cut into places and periods
in Python (4.1 s at a 300k-observation school). The digest holds one narrow row per live
conversation with everything a filter or a column can ask, and its trait levels packed so a sum
counts them: trait k of a rubric (k = its rank by id, up to MAX_TRAITS) owns counters 3k (tagged),
3k+1 (heard, level ≥ 1) and 3k+2 (strong, level 2); counter i is bit 32·(i mod 2) of column
c(i div 2). A row adds 0 or 1 to each counter, so SUM(c) carries two exact tallies in one number
while fewer than 2³¹ rows are summed. `upkeep.py` keeps both tables in the same transaction as the
rollup; `rebuild.py` rebuilds them with the rollup.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, func, select, update

from server.db import db, insert_rows, room_to_sum
from server.heatmaps.models import LANE_COLUMNS, HeatmapConversation, HeatmapWalkTime
from server.heatmaps.queries import (CONVERSATIONS, EVERY_KIND, EVERY_SETTING, Filters, by_date_column, chunks, spot_columns,
                                     spot_key, talk_value, week_of, weekday_sql)
from server.rubrics.models import Rubric, Trait

DIGEST = HeatmapConversation.__table__
WALK_TIME = HeatmapWalkTime.__table__
D = DIGEST.c
T = WALK_TIME.c
MAX_TRAITS = LANE_COLUMNS * 2 // 3
LANES = [D[f"c{i}"] for i in range(LANE_COLUMNS)]
LANE_NAMES = tuple(f"c{i}" for i in range(LANE_COLUMNS))
LOW = (1 << 32) - 1


class TraitBits(dict):
    """rubric id → {trait id: its rank by id in the rubric}, read once per write or read; not read again
    when the request already loaded the rubric's traits (a school view has, to name its rows). It also
    remembers the lanes of each set of levels met: a batch's conversations share few."""

    def __init__(self):
        super().__init__()
        self.lanes: dict[tuple, list[int]] = {}

    def packed(self, rubric_id: int, levels: dict[int, int]) -> list[int]:
        key = (rubric_id, *levels.items())
        found = self.lanes.get(key)
        if found is None:
            found = self.lanes[key] = packed(levels, self[rubric_id])
        return found

    def __missing__(self, rubric_id: int) -> dict[int, int]:
        rubric = db.session.identity_map.get(Rubric.__mapper__.identity_key_from_primary_key([rubric_id]))
        if rubric is not None and "traits" in rubric.__dict__:
            ids = sorted(trait.id for trait in rubric.traits)
        else:
            ids = db.session.scalars(select(Trait.id).where(Trait.rubric_id == rubric_id).order_by(Trait.id))
        self[rubric_id] = {trait_id: rank for rank, trait_id in enumerate(ids)}
        return self[rubric_id]


def packed(levels: dict[int, int], bits: dict[int, int]) -> list[int]:
    columns = [0] * LANE_COLUMNS
    for trait_id, level in levels.items():
        rank = bits.get(trait_id)
        if rank is None or rank >= MAX_TRAITS:
            continue  # a level of another rubric's trait is refused on sync; a rubric this long reads raw
        for offset, counted in ((0, True), (1, level >= 1), (2, level == 2)):
            if counted:
                counter = 3 * rank + offset
                columns[counter // 2] += 1 << (32 * (counter % 2))
    return columns


def digest_row(row, levels: dict[int, int], walked: int, slot: int, bits: TraitBits) -> dict:
    """`row`: a live observation (mapping with id, school, day, place, setting, kind, team, observer, rubric)."""
    setting, _, kind = talk_value(row["setting"], row["conversation_kind"]).partition("/")
    found = {"observation_id": row["id"], "school_id": row["school_id"], "local_date": row["local_date"], "slot": slot,
             "location_id": row["location_id"], "setting": setting, "kind": kind, "team": row["team"] or "",
             "observer_id": row["observer_id"], "walked": walked, "rubric_id": row["rubric_id"]}
    found.update(zip(LANE_NAMES, bits.packed(row["rubric_id"], levels)))
    return found


def walk_time_rows(walk, seconds_by_key: dict) -> list[dict]:
    """`walk`: a live walk (id, school, observer); its listening seconds by (day, place, slot)."""
    return [{"walk_id": walk_id_of(walk), "school_id": get(walk, "school_id"), "observer_id": get(walk, "observer_id"),
             "local_date": day, "location_id": place, "slot": slot, "seconds": seconds}
            for (day, place, slot), seconds in seconds_by_key.items() if seconds > 0]


def get(row, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def walk_id_of(walk):
    return get(walk, "id")


# ---------------------------------------------------------------- upkeep

def replace_conversations(observation_ids: Iterable, rows: list[dict]) -> None:
    """Drop these observations' digest rows, then insert `rows` (the live ones as they stand now)."""
    for chunk in chunks(sorted(observation_ids)):
        db.session.execute(delete(DIGEST).where(D.observation_id.in_(chunk)))
    insert_rows(DIGEST, rows)


def replace_walk_time(walk_ids: Iterable, rows: list[dict]) -> None:
    for chunk in chunks(sorted(walk_ids)):
        db.session.execute(delete(WALK_TIME).where(T.walk_id.in_(chunk)))
    insert_rows(WALK_TIME, rows)


def unlink_observer(user_id: int) -> None:
    """An erased person is named nowhere: not in the digest either (as in observations and walks)."""
    for table in (DIGEST, WALK_TIME):
        db.session.execute(update(table).where(table.c.observer_id == user_id).values(observer_id=None))


# ---------------------------------------------------------------- reads

FACET_COLUMNS = {"all": [], "place": [D.location_id], "talk": [D.setting, D.kind], "team": [D.team]}


def answers(filters: Filters, by_facet: str | None) -> bool:
    """Whether the digest holds what these filters and columns read: it has no plan key, so planned /
    unplanned (a filter or the columns) reads the raw rows."""
    return filters.planned is None and by_facet != "planned"


def conditions(filters: Filters) -> list:
    found = [D.school_id.in_(filters.school_ids)]
    if filters.date_from:
        found.append(D.local_date >= filters.date_from)
    if filters.date_to:
        found.append(D.local_date <= filters.date_to)
    if filters.setting:
        found.append(D.setting == filters.setting)
    if filters.conversation_kind:
        found.append(D.kind == filters.conversation_kind)
    if filters.team is not None:
        found.append(D.team == filters.team)
    if filters.observer_id is not None:
        found.append(D.observer_id == filters.observer_id)
    return found


def index_for(filters: Filters, grouped_by: str | None) -> str:
    """SQLite: the covering index to read. A narrow filter (a kind, a team) seeks its own index and sorts
    the few rows it finds, a team with a kind seeks both in the team index; otherwise the index that
    leads with the grouping streams without a sort."""
    if filters.conversation_kind and filters.team is not None:
        return "team"
    if filters.conversation_kind and grouped_by != "talk":
        return "talk"
    if filters.team is not None and grouped_by != "team":
        return "team"
    dated = bool(filters.date_from or filters.date_to)
    if grouped_by == "place" and dated:  # measured: the range's rows, sorted, beat streaming the school's places
        return "date"
    if grouped_by:
        return grouped_by
    return "date" if dated else "place"


def hinted(statement, index: str, filters: Filters):
    """Read `index` on SQLite, and under an observer filter let the index seek the observer's rows.

    Naming every kind or setting the view does not filter (closed vocabularies, CHECKed in `observation`)
    turns a column before the one sought into a few seeks: SQLite's and PostgreSQL's team index is
    (team, kind, observer, …), PostgreSQL's observer index (observer, kind, setting, day, …). So a
    leader's few thousand of a team's 37k rows at a 300k school, or a setting or a range of days among
    an observer's 35k, are sought. Only where a later column is sought: each name is one more descent,
    and naming every setting under a team (after the day in the team index) doubled that read on
    PostgreSQL (20.9 → 39.2 ms)."""
    statement = statement.with_hint(DIGEST, f"INDEXED BY ix_heatmap_conversation_{index}", "sqlite")
    if filters.observer_id is None:
        return statement
    dated = bool(filters.date_from or filters.date_to)
    if db.session.get_bind().dialect.name == "sqlite":
        seeks_after_kind = index == "team"
        seeks_after_setting = False
    else:
        seeks_after_kind = filters.team is not None or bool(filters.setting) or dated
        seeks_after_setting = filters.team is None and dated
    if seeks_after_kind and not filters.conversation_kind:
        statement = statement.where(D.kind.in_(EVERY_KIND))
    if seeks_after_setting and not filters.setting:
        statement = statement.where(D.setting.in_(EVERY_SETTING))
    return statement


def summed(statement, in_order: bool = False):
    """A read that sums many of the digest's rows, with room to sort or hash them in memory (db.room_to_sum);
    `in_order` when it sums days in an index's order, with nothing large to sort or hash: given the room,
    PostgreSQL hashed a sequential scan of the whole district's digest instead of streaming the school's
    days (a busy observer: 97 against 65 ms), so those run at the server's setting."""
    if not in_order:
        room_to_sum()
    return db.session.execute(statement)


def trait_tallies(filters: Filters, trait_ids: list[int], facet: str, grain: str | None) -> dict[tuple, list[int]] | None:
    """As queries.trait_tallies (`facet` the columns' facet, 'all' for none), except that `walked` is
    counted for conversations (trait 0) only, the one place a view reads it; None when the rubric
    has more traits than the lanes hold."""
    real_traits = [t for t in trait_ids if t != CONVERSATIONS]
    ranks = {}
    if real_traits:
        bits = TraitBits()[filters.rubric_id] if filters.rubric_id is not None else {}
        ranks = {trait_id: bits.get(trait_id) for trait_id in real_traits}
        if filters.rubric_id is None or any(rank is None or rank >= MAX_TRAITS for rank in ranks.values()):
            return None
    dims = FACET_COLUMNS[facet] + ([D.local_date] if grain else [])
    grouped_by = "date" if grain else (facet if facet != "all" else None)
    tallies: dict[tuple, list[int]] = {}

    def add(key, counts):
        total = tallies.setdefault(key, [0, 0, 0, 0])
        for index, number in enumerate(counts):
            total[index] += number

    def key_of(row):
        moment = (week_of(row[-1]) if grain == "week" else row[-1]) if grain else None
        values = row[:len(FACET_COLUMNS[facet])]
        value = {"all": lambda: "", "place": lambda: str(values[0]), "team": lambda: values[0],
                 "talk": lambda: f"{values[0]}/{values[1]}"}[facet]()
        return value, moment

    group = [D.school_id, *dims]
    index = index_for(filters, grouped_by)
    width = 1 + max(((3 * rank + 2) // 2 for rank in ranks.values()), default=-1)  # the lanes these traits use
    sums = [func.sum(lane) for lane in LANES[:width]]

    def add_traits(school_id, value, moment, lanes):
        lanes = [int(number) for number in lanes]
        for trait_id, rank in ranks.items():
            counters = [lane_count(lanes, 3 * rank + offset) for offset in range(3)]
            if counters[0]:
                add((school_id, trait_id, value, moment), counters + [0])

    apart = bool(real_traits)
    if CONVERSATIONS in trait_ids:
        # Conversations and trait tallies in one pass over the rows (trends: a second pass was a third of
        # the time under an observer filter); the lanes count only when every row of the group is of the
        # view's rubric, the usual case; otherwise they are read apart, with the rubric as a condition.
        both = [func.min(D.rubric_id), func.max(D.rubric_id), *sums] if real_traits else []
        rows = summed(hinted(select(*group, func.count(), func.sum(D.walked), *both)
                             .where(*conditions(filters)).group_by(*group), index, filters)).all()
        at = 1 + len(dims)
        apart = bool(real_traits) and any(row[at + 2] != filters.rubric_id or row[at + 3] != filters.rubric_id
                                          for row in rows)
        for row in rows:
            value, moment = key_of(row[1:at])
            add((row[0], CONVERSATIONS, value, moment), [int(row[at]), 0, 0, int(row[at + 1] or 0)])
            if real_traits and not apart:
                add_traits(row[0], value, moment, row[at + 4:])
    if apart:
        statement = hinted(select(*group, *sums).where(*conditions(filters), D.rubric_id == filters.rubric_id)
                           .group_by(*group), index, filters)
        for row in summed(statement):
            value, moment = key_of(row[1:1 + len(dims)])
            add_traits(row[0], value, moment, row[1 + len(dims):])
    return tallies


def lane_count(lanes: list[int], counter: int) -> int:
    total = lanes[counter // 2]
    return (total >> 32) if counter % 2 else (total & LOW)


def heard(school_id: int, filters: Filters, by_date: bool | str) -> dict[tuple, list[int]]:
    """Conversations and those on walks by (day, weekday or None; place; slot, None by weekday), the filters applied.

    By weekday over the date index (no narrow filter), the days are summed first in its order (no sort
    of the school's rows), then the few day rows by weekday. A narrow filter (a kind, a team) reads its
    own index, whose rows must be sorted anyway: grouped by the weekday at once, one sort instead of
    two (the team's 37k rows at a 300k school: 60 → 43 ms on SQLite)."""
    school_filters = Filters(**{**filters.__dict__, "school_ids": (school_id,)})
    index = index_for(filters, "date" if by_date else "place")
    days_first = by_date == "weekday" and index == "date"
    when = by_date_column(D.local_date, True if days_first else by_date)  # by day first, or by weekday at once
    spots = spot_columns(D, by_date)
    group = [*([when] if when is not None else []), *spots]
    statement = hinted(select(*group, func.count().label("conversations"), func.sum(D.walked).label("walked"))
                       .where(*conditions(school_filters)).group_by(*group), index, filters)
    if days_first:
        days = statement.subquery()
        day_of_week = weekday_sql(days.c.local_date)
        spots = spot_columns(days.c, by_date)
        statement = (select(day_of_week, *spots, func.sum(days.c.conversations), func.sum(days.c.walked))
                     .group_by(day_of_week, *spots))
    return {spot_key(row, by_date): [int(row[-2]), int(row[-1] or 0)]
            for row in summed(statement, in_order=days_first)}


def listening(school_id: int, filters: Filters, by_date: bool | str) -> dict[tuple, float]:
    """Seconds of listening by (day, weekday or None; place; slot, None by weekday) on the observer's walks, days in
    the range.

    By weekday, as in `heard`: summed by day in the observer index's order first (grouped by the
    weekday at once, SQLite sorted every row of the observer's walks), then the day rows by weekday."""
    found = [T.school_id == school_id, T.observer_id == filters.observer_id]
    if filters.date_from:
        found.append(T.local_date >= filters.date_from)
    if filters.date_to:
        found.append(T.local_date <= filters.date_to)
    when = by_date_column(T.local_date, bool(by_date))  # by day; by weekday, the day rows are summed after
    dims = [when] if when is not None else []
    group = [*dims, *spot_columns(T, by_date)]
    statement = select(*group, func.sum(T.seconds).label("seconds")).where(and_(*found)).group_by(*group)
    if by_date == "weekday":
        days = statement.subquery()
        weekday = weekday_sql(days.c.local_date)
        spots = spot_columns(days.c, by_date)
        statement = select(weekday, *spots, func.sum(days.c.seconds)).group_by(weekday, *spots)
    return {spot_key(row, by_date): float(row[-1]) for row in summed(statement, in_order=by_date == "weekday")}
