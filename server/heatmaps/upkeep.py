"""Keeping the rollup exactly equal to the raw rows on every write, in the same transaction.

A sync moves the rollup by exactly what it changes (server/heatmaps/deltas.py): the records it
touches are read before the write and after it, and the difference of what they contribute is
added: an edit subtracts the old version's counts and adds the new one's; a tombstone subtracts;
a walk that is re-timed, deleted or joined by a conversation has its listening time read before
and after. What is only inserted is added from the rows as written. So a sync costs what the batch
holds, never what its days, weeks or the school's history hold.

Writes made elsewhere (a retention job, a bulk fix) can wrap themselves in `kept_up` too, or
recompute the school-days they touched: `apply(ids, walk_ids, before=footprint(...))`.
"""
from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import delete, select

from server.calibration import summary as calibration
from server.db import db, upsert_tuples
from server.heatmaps import deltas, digest, queries, rollup
from server.heatmaps.exposure import UTC, Schedule, Stop, walk_days, walk_exposure
from server.heatmaps.queries import chunks, week_of
from server.heatmaps.rollup import PLACE_DAY, SCHOOL_DAY, STATE, TRAIT_DAY, TRAIT_WEEK, leading_facets, schedule_for

TABLES = (TRAIT_DAY, TRAIT_WEEK, PLACE_DAY, SCHOOL_DAY)


@dataclass
class Footprint:
    """School-days whose numbers depend on some records, and the walks those records were on."""

    days: dict[int, set[date]] = field(default_factory=dict)
    walk_ids: set = field(default_factory=set)
    colisten_ids: set = field(default_factory=set)  # the co-listen sessions the records were linked to


@dataclass
class Inserted:
    """What a write inserted, as written: live observations (row, trait id → level) and live walks."""

    observations: list[tuple[dict, dict[int, int]]] = field(default_factory=list)
    walks: dict = field(default_factory=dict)

    def add_observations(self, rows: Iterable[tuple[dict, dict[int, int]]]) -> None:
        self.observations += [(row, levels) for row, levels in rows if row.get("deleted_at") is None]

    def add_walks(self, rows: Iterable[dict]) -> None:
        self.walks.update((row["id"], row) for row in rows if row.get("deleted_at") is None)


@contextmanager
def kept_up(observation_ids: Iterable = (), walk_ids: Iterable = (), joined_walk_ids: Iterable = (),
            colisten_ids: Iterable = ()):
    """Wrap a write: the rollup and the calibration summary follow it in the same transaction.

    `observation_ids` and `walk_ids` are existing records the write may change or delete;
    `joined_walk_ids` are walks the write creates or that its conversations are logged on;
    `colisten_ids` are co-listen sessions it creates, changes or deletes. The write tells the yielded
    `Inserted` what it inserted.
    """
    observation_ids, walk_ids, joined_walk_ids = list(observation_ids), set(walk_ids), set(joined_walk_ids)
    schedules = deltas.Schedules()
    if db.session.get_bind().dialect.name == "postgresql":  # walks whose time or walked flags may move
        deltas.lock_rows(walk_ids | joined_walk_ids | deltas.observation_walks(observation_ids), observation_ids)
    counted = sorted(set(observation_ids) | set(deltas.observations_on(walk_ids)))
    rows_before = deltas.observation_rows(counted)
    changed_walks_before = deltas.walk_rows(walk_ids)
    inserted = Inserted()
    yield inserted
    rows_after = deltas.observation_rows(counted)
    change = deltas.Tallies()
    deltas.count_rows(change, rows_after, schedules, 1)
    deltas.count_rows(change, rows_before, schedules, -1)
    # Listening time moves for walks changed, walks whose stops moved, and existing walks new logs join.
    left, arrived = [], []
    for observation_id in counted:
        then, now = deltas.stop_of(rows_before.get(observation_id)), deltas.stop_of(rows_after.get(observation_id))
        if then != now:
            left += [then] if then else []
            arrived += [now] if now else []
    affected = walk_ids | {stop[0] for stop in left + arrived}
    affected |= {row["walk_id"] for row, _ in inserted.observations if row["walk_id"] not in inserted.walks} - {None}
    memory_walks = [row for walk_id, row in inserted.walks.items() if walk_id not in affected]
    for row, _ in inserted.observations:
        if row["walk_id"] in affected:
            arrived.append((row["walk_id"], row["school_id"], Stop(row["observed_at"].astimezone(UTC), row["location_id"])))
    walks_after = deltas.walk_rows(affected)
    walks_before = {walk_id: (changed_walks_before.get(walk_id) if walk_id in walk_ids
                              else None if walk_id in inserted.walks else row)
                    for walk_id, row in walks_after.items()}
    stops_after, _days = queries.walk_stops(list(walks_after))  # a deleted walk's too: its time before
    walk_times = deltas.exposure_change(change, walks_before, walks_after, stops_after, left, arrived, schedules)
    bits = digest.TraitBits()
    conversations = [digest.digest_row(row, row["levels"], row["walked"], schedules[row["school_id"]].slot_at(row["observed_at"]), bits)
                     for row in rows_after.values() if row["counted"]]  # a co-listen's other logs: no conversation
    add_inserted(change, inserted, memory_walks, schedules, walk_times, conversations, bits)
    digest.replace_conversations(counted, conversations)
    digest.replace_walk_time(set(walks_after) | set(walk_times), [
        row for walk, seconds in walk_times.values() for row in digest.walk_time_rows(walk, seconds)])
    refresh({}, {}, change, schedules)
    # Co-listened conversations: every session a log was linked to before or after, or the write changed.
    calibration.refresh(set(colisten_ids) | {row["colisten_id"] for row in (*rows_before.values(), *rows_after.values())}
                        | {row.get("colisten_id") for row, _ in inserted.observations})


def add_inserted(change: deltas.Tallies, inserted: Inserted, memory_walks: list[dict], schedules: deltas.Schedules,
                 walk_times: dict, conversations: list[dict], bits: digest.TraitBits) -> None:
    """Add to `change` what the inserted conversations add (walked when their walk is live and of their
    school), and the listening time of the new walks whose every stop is in the batch; their digest rows
    and listening time are appended to `conversations` and `walk_times`."""
    by_school: dict[int, list] = defaultdict(list)
    for row, levels in inserted.observations:
        by_school[row["school_id"]].append((row, levels))
    walks_by_school: dict[int, list] = defaultdict(list)
    for walk in memory_walks:
        walks_by_school[walk["school_id"]].append(walk)
    for school_id in set(by_school) | set(walks_by_school):
        rows = by_school[school_id]
        live = deltas.live_walks_of(school_id, {row["walk_id"] for row, _ in rows if row["walk_id"] is not None})
        counted = deltas.add_inserted(change, school_id, rows, walks_by_school[school_id], live, schedules, walk_times)
        conversations += [digest.digest_row(row, levels, walked, slot, bits) for row, levels, walked, slot in counted]


def apply(observation_ids: Iterable = (), walk_ids: Iterable = (), before: Footprint | None = None) -> None:
    """After a write done elsewhere (a retention job, a bulk fix): recompute what the records touch now,
    plus `before`, their footprint taken before the write, if the write moved or deleted them."""
    before = before or Footprint()
    now = footprint(list(observation_ids), set(walk_ids) | before.walk_ids)
    refresh_digest(list(observation_ids), now.walk_ids)
    refresh(merge(before, now))
    calibration.refresh(before.colisten_ids | now.colisten_ids)


def refresh_digest(observation_ids: list, walk_ids: set) -> None:
    """Rewrite the digest rows of these observations and those on these walks, and these walks'
    listening time, from the rows as they stand (gone ones lose theirs)."""
    schedules, bits = deltas.Schedules(), digest.TraitBits()
    ids = sorted(set(observation_ids) | set(deltas.observations_on(walk_ids)))
    digest.replace_conversations(ids, [
        digest.digest_row(row, row["levels"], row["walked"], schedules[row["school_id"]].slot_at(row["observed_at"]), bits)
        for row in deltas.observation_rows(ids).values() if row["counted"]])
    walks = deltas.walk_rows(walk_ids)
    stops, _days = queries.walk_stops(list(walks))
    digest.replace_walk_time(walk_ids, [
        row for walk in walks.values() if walk.deleted_at is None
        for row in digest.walk_time_rows(walk, walk_exposure(schedules[walk.school_id], walk.started_at, walk.ended_at,
                                                             stops.get(walk.id, [])))])


def merge(*footprints: Footprint) -> dict[int, set[date]]:
    merged: dict[int, set[date]] = defaultdict(set)
    for found in footprints:
        for school_id, days in found.days.items():
            merged[school_id] |= days
    return dict(merged)


def footprint(observation_ids: list, walk_ids) -> Footprint:
    """The school-days whose numbers depend on these records (and their walks) as they stand now."""
    found: dict[int, set[date]] = defaultdict(set)
    walk_ids, colisten_ids = set(walk_ids), set()
    for chunk in chunks(observation_ids):
        for school_id, local_date, walk_id, colisten_id in db.session.execute(
                select(queries.O.school_id, queries.O.local_date, queries.O.walk_id, queries.O.colisten_id)
                .where(queries.O.id.in_(chunk))):
            found[school_id].add(local_date)
            if walk_id is not None:
                walk_ids.add(walk_id)
            if colisten_id is not None:
                colisten_ids.add(colisten_id)
    walks = []
    W = queries.W
    for chunk in chunks(sorted(walk_ids)):
        walks += db.session.execute(select(W.id, W.school_id, W.started_at, W.ended_at).where(W.id.in_(chunk))).all()
    stops, stop_days = queries.walk_stops([walk.id for walk in walks])
    schedules: dict[int, Schedule] = {}
    for walk in walks:
        if walk.school_id not in schedules:
            schedules[walk.school_id] = schedule_for(walk.school_id)
        found[walk.school_id] |= walk_days(schedules[walk.school_id], walk.started_at, walk.ended_at, stops[walk.id])
        found[walk.school_id] |= stop_days[walk.id]
    return Footprint(dict(found), walk_ids, colisten_ids)


def refresh(recompute: dict[int, set[date]], listening: dict[int, set[date]] | None = None,
            change: deltas.Tallies | None = None, schedules: deltas.Schedules | None = None) -> None:
    """Bring the rollup up to date (a school without a current rollup is rebuilt whole).

    Days in `recompute` get every table recomputed from the raw rows, days in `listening` their
    presence; elsewhere the `change` is added.
    """
    listening, change, schedules = listening or {}, change or deltas.Tallies(), schedules or deltas.Schedules()
    for school_id in sorted(set(recompute) | set(listening) | change.schools()):
        trait_days = recompute.get(school_id, set())
        presence_days = trait_days | listening.get(school_id, set())
        traits, presence = change.nonzero(school_id)
        traits = {key: counts for key, counts in traits.items() if key[1] not in trait_days}
        presence = {key: counts for key, counts in presence.items() if key[0] not in presence_days}
        days = presence_days | {key[1] for key in traits} | {key[0] for key in presence}
        if not days:
            continue
        schedule = schedules[school_id]
        state_key = db.session.scalar(select(STATE.c.schedule_key).where(STATE.c.school_id == school_id))
        if state_key != schedule.key:
            rollup.rebuild_school(school_id, schedule)
            continue
        rollup.lock(school_id, days)
        recomputed_weeks = {week_of(day) for day in trait_days}
        for table, column, keys in ((PLACE_DAY, PLACE_DAY.c.local_date, presence_days),
                                    (SCHOOL_DAY, SCHOOL_DAY.c.local_date, presence_days),
                                    (TRAIT_DAY, TRAIT_DAY.c.local_date, trait_days),
                                    (TRAIT_WEEK, TRAIT_WEEK.c.week, recomputed_weeks)):
            for chunk in chunks(sorted(keys)):
                db.session.execute(delete(table).where(*leading_facets(table), table.c.school_id == school_id,
                                                       column.in_(chunk)))
        add_trait_counts(school_id, traits, recomputed_weeks)  # first: the weeks summed below include them
        if trait_days:
            rollup.fill_traits(school_id, trait_days)
        add_presence(school_id, presence)
        if presence_days:
            rollup.fill_presence(school_id, schedule, presence_days)
        # Only a row whose conversations went down can have emptied: for trait rows, their facet's days
        # where some key's n fell (an edit that moves levels but not the team clears nothing).
        emptied_traits: dict[str, set[date]] = defaultdict(set)
        for (facet, day, _trait_id, _value), counts in traits.items():
            if counts[0] < 0:
                emptied_traits[facet].add(day)
        emptied_presence = {key[0] for key, counts in presence.items() if min(counts) < 0}
        if emptied_traits or emptied_presence:
            deltas.clear_empty_rows(school_id, emptied_traits, emptied_presence, TABLES)


def add_trait_counts(school_id: int, days: dict[tuple, list[int]], summed_weeks: set[date]) -> None:
    """Add trait count changes to the day rows, and to the week rows of weeks that are not about to be
    summed again from the day rows."""
    if not days:
        return
    weeks: dict[tuple, list[int]] = {}
    week_of_day = {day: week_of(day) for day in {key[1] for key in days}}  # a batch's few days, not each key's
    for (facet, day, trait_id, value), counts in days.items():
        week = week_of_day[day]
        if week in summed_weeks:
            continue
        total = weeks.get((facet, week, trait_id, value))
        if total is None:
            weeks[(facet, week, trait_id, value)] = counts.copy()
        else:
            total[0] += counts[0]
            total[1] += counts[1]
            total[2] += counts[2]
            total[3] += counts[3]
    for table, rows in ((TRAIT_DAY, days), (TRAIT_WEEK, weeks)):  # columns: facet, school, day or week, trait, value, counts
        add_tuples(table.name, sorted((facet, school_id, moment, trait_id, value, *counts)
                                      for (facet, moment, trait_id, value), counts in rows.items() if any(counts)))


def add_presence(school_id: int, added: dict[tuple, list[float]]) -> None:
    """Add conversations and listening time to the place and school day rows."""
    if not added:
        return
    place_rows, school_rows = rollup.presence_rows(school_id, added)
    add_rows(PLACE_DAY.name, place_rows)
    school_rows = [row for row in school_rows
                   if row["conversations"] or row["walked"] or abs(row["listening_seconds"]) > deltas.RESIDUE]
    if school_rows:
        add_rows(SCHOOL_DAY.name, school_rows)


def add_rows(table_name: str, rows: list[dict]) -> None:
    """Add each row's counts to the row of its key (inserted if missing); keys are distinct."""
    if rows:
        values_of = row_values(table_name)
        add_tuples(table_name, [values_of(row) for row in rows])


def add_tuples(table_name: str, rows: list[tuple]) -> None:
    """`add_rows` for rows given as tuples in the table's column order (what the driver takes: a sync's
    ~1,000 day and week keys were built as dicts only to be taken apart again, ~1 ms a batch).

    PostgreSQL: one statement over arrays (`unnest`), not one upsert per row. 200 edits spread over a
    term move ~9,000 day and week keys: as an executemany that was 9,000 statements, each bound,
    sent and planned (cProfile of one batch: 9,194 prepared sends, 0.5 s in psycopg's dump alone).
    SQLite: executemany of the one prepared statement, which is what it does well, given the
    driver's tuples: a realistic batch of 200 records spread over a few days moves ~1,400 day and as
    many week keys, and SQLAlchemy's per-row parameter processing of them was the largest Python cost
    of a sync (cProfile: ~50 µs a row in `_init_compiled`, more than SQLite's own upsert); the dates
    are bound as `insert_rows` binds them, once per distinct day."""
    table = TABLES_BY_NAME[table_name]
    upsert_tuples(table, tuple(column.name for column in table.c), rows, adding_on_conflict(table_name))


TABLES_BY_NAME = {table.name: table for table in TABLES}


@lru_cache(maxsize=8)
def row_values(table_name: str):
    """A row (mapping) → its values in the table's column order."""
    return operator.itemgetter(*(column.name for column in TABLES_BY_NAME[table_name].c))


@lru_cache(maxsize=8)
def adding_on_conflict(table_name: str) -> str:
    """A key already there adds the row's numbers to its own."""
    table = TABLES_BY_NAME[table_name]
    keys = [column.name for column in table.primary_key.columns]
    updates = ", ".join(f"{column.name} = {table_name}.{column.name} + excluded.{column.name}"
                        for column in table.c if column.name not in keys)
    return f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}"
