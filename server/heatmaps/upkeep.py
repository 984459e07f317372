"""Keeping the rollup exactly equal to the raw rows on every write, in the same transaction.

A change to an observation or a walk can move counts and listening time on the local days it
touched before and after (a walk's time is shared among the places of all its logs), so the upkeep
takes the footprint of the changed records before the write and after it, and recomputes those
school-days from the raw rows. What is only inserted changes nothing else's numbers: a new
conversation's counts, and the listening time of a new walk whose every log is new, are added as
they are, so a sync into a busy day costs what the batch holds. The listening time of an existing
walk that new conversations join is recomputed on its days.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from server.db import db
from server.heatmaps import queries, rollup
from server.heatmaps.exposure import UTC, Schedule, Stop, walk_days, walk_exposure
from server.heatmaps.queries import CONVERSATIONS, O, W, chunks, week_of
from server.heatmaps.rollup import PLACE_DAY, SCHOOL_DAY, STATE, TRAIT_DAY, TRAIT_WEEK, leading_facets, schedule_for


@dataclass
class Footprint:
    """School-days whose numbers depend on some records, and the walks those records were on."""

    days: dict[int, set[date]] = field(default_factory=dict)
    walk_ids: set = field(default_factory=set)


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
def kept_up(observation_ids: Iterable = (), walk_ids: Iterable = (), joined_walk_ids: Iterable = ()):
    """Wrap a write: the rollup follows it in the same transaction.

    `observation_ids` and `walk_ids` are existing records the write may change: every number of their
    school-days, before and after, is recomputed. `joined_walk_ids` are walks the write creates or
    that its conversations are logged on. The write tells the yielded `Inserted` what it inserted.
    """
    observation_ids, walk_ids = list(observation_ids), set(walk_ids)
    before = footprint(observation_ids, walk_ids)
    inserted = Inserted()
    yield inserted
    after = footprint(observation_ids, walk_ids | before.walk_ids)
    # A new walk that an existing conversation now joins has its days recomputed with the rest.
    for walk_id in after.walk_ids:
        inserted.walks.pop(walk_id, None)
    joined = set(joined_walk_ids) | {row["walk_id"] for row, _ in inserted.observations if row["walk_id"] is not None}
    listening = footprint([], joined - after.walk_ids - set(inserted.walks))
    refresh(merge(before, after), merge(listening), inserted)


def apply(observation_ids: Iterable = (), walk_ids: Iterable = (), before: Footprint | None = None) -> None:
    """After a write done elsewhere (a retention job, a bulk fix): recompute what the records touch now,
    plus `before`, their footprint taken before the write, if the write moved or deleted them."""
    before = before or Footprint()
    refresh(merge(before, footprint(list(observation_ids), set(walk_ids) | before.walk_ids)))


def merge(*footprints: Footprint) -> dict[int, set[date]]:
    merged: dict[int, set[date]] = defaultdict(set)
    for found in footprints:
        for school_id, days in found.days.items():
            merged[school_id] |= days
    return dict(merged)


def footprint(observation_ids: list, walk_ids) -> Footprint:
    """The school-days whose numbers depend on these records (and their walks) as they stand now."""
    found: dict[int, set[date]] = defaultdict(set)
    walk_ids = set(walk_ids)
    for chunk in chunks(observation_ids):
        for school_id, local_date, walk_id in db.session.execute(
                select(O.school_id, O.local_date, O.walk_id).where(O.id.in_(chunk))):
            found[school_id].add(local_date)
            if walk_id is not None:
                walk_ids.add(walk_id)
    walks = []
    for chunk in chunks(sorted(walk_ids)):
        walks += db.session.execute(select(W.id, W.school_id, W.started_at, W.ended_at).where(W.id.in_(chunk))).all()
    stops, stop_days = queries.walk_stops([walk.id for walk in walks])
    schedules: dict[int, Schedule] = {}
    for walk in walks:
        if walk.school_id not in schedules:
            schedules[walk.school_id] = schedule_for(walk.school_id)
        found[walk.school_id] |= walk_days(schedules[walk.school_id], walk.started_at, walk.ended_at, stops[walk.id])
        found[walk.school_id] |= stop_days[walk.id]
    return Footprint(dict(found), walk_ids)


def refresh(recompute: dict[int, set[date]], listening: dict[int, set[date]] | None = None,
            inserted: Inserted | None = None) -> None:
    """Bring the rollup up to date (a school without a current rollup is rebuilt whole).

    Days in `recompute` get every table recomputed from the raw rows, days in `listening` their
    presence; elsewhere the `inserted` records' numbers are added.
    """
    listening, inserted = listening or {}, inserted or Inserted()
    observations: dict[int, list] = defaultdict(list)
    for row, levels in inserted.observations:
        observations[row["school_id"]].append((row, levels))
    walks: dict[int, list] = defaultdict(list)
    for row in inserted.walks.values():
        walks[row["school_id"]].append(row)
    for school_id in sorted(set(recompute) | set(listening) | set(observations) | set(walks)):
        trait_days = recompute.get(school_id, set())
        presence_days = trait_days | listening.get(school_id, set())
        schedule = schedule_for(school_id)
        added_presence = inserted_presence(schedule, observations[school_id], walks[school_id], presence_days)
        added_traits = [(row, levels) for row, levels in observations[school_id] if row["local_date"] not in trait_days]
        days = presence_days | {row["local_date"] for row, _ in added_traits} | {day for day, _, _ in added_presence}
        if not days:
            continue
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
        add_trait_counts(school_id, added_traits, recomputed_weeks)  # first: the weeks summed below include them
        if trait_days:
            rollup.fill_traits(school_id, trait_days)
        add_presence(school_id, added_presence)
        if presence_days:
            rollup.fill_presence(school_id, schedule, presence_days)


def inserted_presence(schedule: Schedule, observations: list[tuple[dict, dict]], walks: list[dict],
                      recomputed_days: set[date]) -> dict[tuple, list[float]]:
    """(day, place, slot) → [conversations, walked, listening seconds] that inserted conversations (off
    a walk or on a new one) and new walks add, on days that are not recomputed anyway."""
    new_walk_ids = {row["id"] for row in walks}
    added: dict[tuple, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    stops: dict = defaultdict(list)
    for row, _ in observations:
        walk_id = row["walk_id"]
        if walk_id is not None and walk_id not in new_walk_ids:
            continue  # on an existing walk: its days are recomputed
        observed_at = row["observed_at"].astimezone(UTC)  # as read back: one tzinfo compares fastest
        if walk_id is not None:
            stops[walk_id].append(Stop(observed_at, row["location_id"]))
        if row["local_date"] not in recomputed_days:
            cell = added[(row["local_date"], row["location_id"], schedule.slot_at(observed_at))]
            cell[0] += 1
            cell[1] += int(walk_id is not None)
    for walk in walks:
        started_at, ended_at = walk["started_at"].astimezone(UTC), walk["ended_at"] and walk["ended_at"].astimezone(UTC)
        for key, seconds in walk_exposure(schedule, started_at, ended_at, stops[walk["id"]]).items():
            if key[0] not in recomputed_days:
                added[key][2] += seconds
    return added


def add_trait_counts(school_id: int, inserted: list[tuple[dict, dict[int, int]]], summed_weeks: set[date]) -> None:
    """Add inserted observations' trait counts to the day rows, and to the week rows of weeks that are
    not about to be summed again from the day rows."""
    if not inserted:
        return
    walk_ids = sorted({row["walk_id"] for row, _ in inserted if row["walk_id"] is not None})
    live_walks = set()
    for chunk in chunks(walk_ids):  # as queries.live_walk_join: a live walk of the same school
        live_walks |= set(db.session.scalars(select(W.id).where(
            W.id.in_(chunk), W.deleted_at.is_(None), W.school_id == school_id)))
    days: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row, levels in inserted:
        walked = 1 if row["walk_id"] in live_walks else 0
        counts = [(CONVERSATIONS, 0, 0)] + [(trait_id, int(level >= 1), int(level == 2)) for trait_id, level in levels.items()]
        # queries.facet_value for each facet, spelled out: building its column tuples costs 0.6 ms a batch
        for facet, value in (("all", ""), ("place", str(row["location_id"])),
                             ("talk", queries.talk_value(row["setting"], row["conversation_kind"])),
                             ("team", row["team"] or "")):
            for trait_id, heard, strong in counts:
                total = days[(facet, row["local_date"], trait_id, value)]
                total[0] += 1
                total[1] += heard
                total[2] += strong
                total[3] += walked
    weeks: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (facet, day, trait_id, value), counts in days.items():
        if week_of(day) not in summed_weeks:
            total = weeks[(facet, week_of(day), trait_id, value)]
            for index, number in enumerate(counts):
                total[index] += number
    for table, when, rows in ((TRAIT_DAY, "local_date", days), (TRAIT_WEEK, "week", weeks)):
        if rows:
            db.session.execute(adding_statement(table.name), [
                {"facet": facet, "school_id": school_id, when: moment, "trait_id": trait_id, "value": value,
                 "n": n, "heard": heard, "strong": strong, "walked": walked}
                for (facet, moment, trait_id, value), (n, heard, strong, walked) in rows.items()])


def add_presence(school_id: int, added: dict[tuple, list[float]]) -> None:
    """Add conversations and listening time to the place and school day rows."""
    if not added:
        return
    place_rows, school_rows = rollup.presence_rows(school_id, added)
    db.session.execute(adding_statement(PLACE_DAY.name), place_rows)
    db.session.execute(adding_statement(SCHOOL_DAY.name), school_rows)


def adding_statement(table_name: str):
    """INSERT … ON CONFLICT (the key) DO UPDATE adding the counts to the existing row."""
    return adding_statement_for(db.session.get_bind().dialect.name, table_name)


@lru_cache(maxsize=8)
def adding_statement_for(dialect: str, table_name: str):
    table = {table.name: table for table in (TRAIT_DAY, TRAIT_WEEK, PLACE_DAY, SCHOOL_DAY)}[table_name]
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    keys = {column.name for column in table.primary_key.columns}
    return statement.on_conflict_do_update(
        index_elements=sorted(keys),
        set_={column.name: column + statement.excluded[column.name] for column in table.c if column.name not in keys})
