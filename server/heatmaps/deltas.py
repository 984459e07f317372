"""What records contribute to the rollup, as signed tallies: the rollup moves by (after − before).

Every number the rollup holds is a sum over live observations (trait counts, conversations per
place and slot) or over live walks (listening time per place and slot). So a write changes it by
exactly what the records it touches contributed after the write minus what they contributed
before: read the contributions of the touched observations and walks before the write, again
after, and add the difference. An edit of a conversation spread over a school year then costs
what the edit holds, not what its days hold (recomputing each touched school-day from the raw
rows cost 4–6 s for 200 edits over a year at a 30k-observation school).

A conversation's `walked` flag depends on its walk (live, same school) and a walk's listening time
on its conversations (its stops), so a write that changes a walk counts every conversation on it,
and one that moves, re-times or deletes a conversation on a walk counts that walk. Listening
seconds are floats: a row whose every number came back to zero is removed, and a residue of
floating-point rounding left where a recompute would give exactly 0 is set to 0.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, delete, select, update

from server.db import db
from server.heatmaps import queries
from server.heatmaps.exposure import UTC, Schedule, Stop, walk_exposure
from server.heatmaps.queries import CONVERSATIONS, O, W, chunks, week_of
from server.observations.models import ObservationTraitLevel

L = ObservationTraitLevel.__table__.c
RESIDUE = 5e-7  # below a microsecond: what subtracting floats leaves where exposure is really 0


def trait_counter():
    return defaultdict(lambda: [0, 0, 0, 0])


def presence_counter():
    return defaultdict(lambda: [0, 0, 0.0])


@dataclass
class Tallies:
    """Signed contributions, per school: trait counts by (facet, local day, trait, value) → [n, heard,
    strong, walked] and presence by (local day, place, slot) → [conversations, walked, seconds]."""

    traits: dict[int, dict] = field(default_factory=lambda: defaultdict(trait_counter))
    presence: dict[int, dict] = field(default_factory=lambda: defaultdict(presence_counter))

    def count_observation(self, row, levels: dict[int, int], walked: int, slot: int, sign: int = 1) -> None:
        """One conversation's counts: `row` has school_id, local_date, location_id, setting,
        conversation_kind and team (a mapping or a Row)."""
        days = self.traits[row["school_id"]]
        day = row["local_date"]
        counts = [(CONVERSATIONS, 0, 0)] + [(trait_id, int(level >= 1), int(level == 2)) for trait_id, level in levels.items()]
        # queries.facet_value for each facet, spelled out: building its column tuples costs 0.6 ms a batch
        for facet, value in (("all", ""), ("place", str(row["location_id"])),
                             ("talk", queries.talk_value(row["setting"], row["conversation_kind"])),
                             ("team", row["team"] or "")):
            for trait_id, heard, strong in counts:
                total = days[(facet, day, trait_id, value)]
                total[0] += sign
                total[1] += sign * heard
                total[2] += sign * strong
                total[3] += sign * walked
        cell = self.presence[row["school_id"]][(day, row["location_id"], slot)]
        cell[0] += sign
        cell[1] += sign * walked

    def count_exposure(self, school_id: int, seconds_by_key: dict, sign: int = 1) -> None:
        cells = self.presence[school_id]
        for key, seconds in seconds_by_key.items():
            cells[key][2] += sign * seconds

    def merge(self, other: Tallies, sign: int = 1) -> None:
        """Add (or, with sign −1, subtract) another set of tallies."""
        for school_id, days in other.traits.items():
            mine = self.traits[school_id]
            for key, counts in days.items():
                total = mine[key]
                for index in range(4):
                    total[index] += sign * counts[index]
        for school_id, cells in other.presence.items():
            mine = self.presence[school_id]
            for key, counts in cells.items():
                total = mine[key]
                for index in range(3):
                    total[index] += sign * counts[index]

    def schools(self) -> set[int]:
        return {s for s, rows in self.traits.items() if rows} | {s for s, rows in self.presence.items() if rows}

    def nonzero(self, school_id: int) -> tuple[dict, dict]:
        """This school's trait and presence changes that are not nothing."""
        traits = {key: counts for key, counts in self.traits.get(school_id, {}).items() if any(counts)}
        presence = {key: counts for key, counts in self.presence.get(school_id, {}).items()
                    if counts[0] or counts[1] or abs(counts[2]) > RESIDUE}
        return traits, presence


class Schedules(dict):
    """school id → its Schedule, read once per write."""

    def __missing__(self, school_id: int) -> Schedule:
        from server.heatmaps.rollup import schedule_for

        self[school_id] = schedule_for(school_id)
        return self[school_id]


def observation_walks(observation_ids: list) -> set:
    """The walks these observations are on now (any state)."""
    found = set()
    for chunk in chunks(observation_ids):
        found |= {walk_id for walk_id in db.session.scalars(
            select(O.walk_id).where(O.id.in_(chunk), O.walk_id.is_not(None)))}
    return found


def observations_on(walk_ids) -> list:
    """Live observations on these walks (their walked flags follow the walk)."""
    found = []
    for chunk in chunks(sorted(walk_ids)):
        found += db.session.scalars(select(O.id).where(O.walk_id.in_(chunk), O.deleted_at.is_(None)))
    return found


def lock_rows(walk_ids, observation_ids) -> None:
    """PostgreSQL: hold these walks' and observations' rows until the commit (walks first, each in id
    order, as every write that could move what they contribute does), so nothing changes them between
    our reading what they contribute and our adding the difference. A write that lost the race before
    we locked is seen by our reading; its record then comes back unchanged and adds nothing."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite: the batch is already the one writer
    for table, ids in ((W, walk_ids), (O, observation_ids)):
        for chunk in chunks(sorted(ids)):
            db.session.execute(select(table.id).where(table.id.in_(chunk)).order_by(table.id)
                               .with_for_update(key_share=True)).all()


def observation_rows(observation_ids: list) -> dict:
    """The live ones of these observations as they stand now: id → row (with `levels` and `walked`; the
    uncounted logs of a co-listen too, as their walks' stops)."""
    found = {}
    for chunk in chunks(observation_ids):
        rows = db.session.execute(
            select(O.id, O.school_id, O.walk_id, O.local_date, O.location_id, O.observed_at, O.setting,
                   O.conversation_kind, O.team, O.counted, O.observer_id, O.rubric_id, O.colisten_id,
                   queries.walked_flag().label("walked"))
            .select_from(queries.live_walk_join()).where(O.id.in_(chunk), O.deleted_at.is_(None))).mappings().all()
        if not rows:
            continue
        for row in rows:
            found[row["id"]] = {**row, "levels": {}}
        for observation_id, trait_id, level in db.session.execute(
                select(L.observation_id, L.trait_id, L.level).where(L.observation_id.in_([row["id"] for row in rows]))):
            found[observation_id]["levels"][trait_id] = level
    return found


def count_rows(tallies: Tallies, rows: dict, schedules: Schedules, sign: int) -> None:
    for row in rows.values():
        if not row["counted"]:
            continue
        slot = schedules[row["school_id"]].slot_at(row["observed_at"])
        tallies.count_observation(row, row["levels"], row["walked"], slot, sign)


def walk_rows(walk_ids) -> dict:
    """These walks as they stand now (any state): id → row."""
    found = {}
    for chunk in chunks(sorted(walk_ids)):
        found.update((row.id, row) for row in db.session.execute(
            select(W.id, W.school_id, W.observer_id, W.started_at, W.ended_at, W.deleted_at).where(W.id.in_(chunk))))
    return found


def stop_of(row) -> tuple | None:
    """(walk id, school, Stop) a live observation row gives its walk, or None."""
    if row is None or row["walk_id"] is None:
        return None
    return row["walk_id"], row["school_id"], Stop(row["observed_at"].astimezone(UTC), row["location_id"])


def exposure_change(tallies: Tallies, walks_before: dict, walks_after: dict, stops_after: dict,
                    left: list[tuple], arrived: list[tuple], schedules: Schedules) -> dict:
    """Add (listening time after − before) of the walks in `walks_after` (their rows now; `walks_before`
    holds their rows before the write, or None for a walk that did not exist). The stops before are the
    stops now less those that `arrived` (walk id, school, Stop) plus those that `left`, so only the
    walks' present stops are read. Returns the live walks' listening time now: walk id → (row, seconds by key)."""
    now = {}
    moved_in, moved_out = stops_by_walk(arrived), stops_by_walk(left)  # not a scan of both lists per walk
    for walk_id, after in walks_after.items():
        before = walks_before.get(walk_id)
        stops_now = [stop.__class__(stop.observed_at.astimezone(UTC), stop.location_id) for stop in stops_after.get(walk_id, [])]
        if after is not None and after.deleted_at is None:
            now[walk_id] = (after, walk_exposure(schedules[after.school_id], after.started_at, after.ended_at, stops_now))
            tallies.count_exposure(after.school_id, now[walk_id][1])
        if before is not None and before.deleted_at is None:
            remaining = Counter(stops_now)
            remaining.subtract(moved_in.get((walk_id, before.school_id), ()))
            remaining.update(moved_out.get((walk_id, before.school_id), ()))
            stops_then = list(remaining.elements())
            tallies.count_exposure(before.school_id, walk_exposure(
                schedules[before.school_id], before.started_at, before.ended_at, stops_then), -1)
    return now


def stops_by_walk(stops: list[tuple]) -> dict[tuple, list]:
    """(walk id, school, Stop) triples as (walk id, school) → its Stops."""
    grouped: dict[tuple, list] = defaultdict(list)
    for walk_id, school_id, stop in stops:
        grouped[(walk_id, school_id)].append(stop)
    return grouped


def add_inserted(tallies: Tallies, school_id: int, observations: list[tuple[dict, dict]], walks: list[dict],
                 live_walks: set, schedules: Schedules, walk_times: dict | None = None) -> list[tuple]:
    """Add to `tallies` what one school's inserted conversations add (their walk live when in
    `live_walks`), and the listening time of new walks whose every stop is among them, from the rows as
    written: no read back. Each new walk's listening time is also put in `walk_times` (walk id → (row,
    seconds by key)). Returns each counted conversation's (row, levels, walked, slot), so the caller
    does not work the slot out again."""
    memory_walks = {row["id"] for row in walks}
    stops: dict = defaultdict(list)
    counted = []
    schedule = schedules[school_id]
    for row, levels in observations:
        observed_at = row["observed_at"].astimezone(UTC)  # as read back: one tzinfo compares fastest
        if row.get("counted", True):
            counted.append((row, levels, int(row["walk_id"] in live_walks), schedule.slot_at(observed_at)))
        if row["walk_id"] in memory_walks:
            stops[row["walk_id"]].append(Stop(observed_at, row["location_id"]))
    for row, levels, walked, slot in counted:
        tallies.count_observation(row, levels, walked, slot)
    for walk in walks:
        started_at, ended_at = walk["started_at"].astimezone(UTC), walk["ended_at"] and walk["ended_at"].astimezone(UTC)
        seconds = walk_exposure(schedules[walk["school_id"]], started_at, ended_at, stops[walk["id"]])
        tallies.count_exposure(walk["school_id"], seconds)
        if walk_times is not None:
            walk_times[walk["id"]] = (walk, seconds)
    return counted


def live_walks_of(school_id: int, walk_ids) -> set:
    """As queries.live_walk_join: which of these walks are live and of this school."""
    live = set()
    for chunk in chunks(sorted(walk_ids)):
        live |= set(db.session.scalars(select(W.id).where(W.id.in_(chunk), W.deleted_at.is_(None), W.school_id == school_id)))
    return live


def clear_empty_rows(school_id: int, trait_days: dict[str, set[date]], presence_days: set[date], tables) -> None:
    """After subtracting: remove rows that counted nothing any more (trait rows of each facet on its
    days, `facet → days`; place and school rows on `presence_days`), zero the seconds' rounding residue.

    By facet because an edit that moves a log's team lowers only the team facet's rows: its other
    facets' rows on those days (four in five at a 300k school) need not be read. Facets lowered on the
    same days (all four, for a deletion) share one statement."""
    trait_day, trait_week, place_day, school_day = tables
    facets_by_days: dict[frozenset[date], list[str]] = defaultdict(list)
    for facet, days in trait_days.items():
        facets_by_days[frozenset(days)].append(facet)
    for days, facets in sorted(facets_by_days.items(), key=lambda item: sorted(item[1])):
        for table, column, keys in ((trait_week, trait_week.c.week, sorted({week_of(day) for day in days})),
                                    (trait_day, trait_day.c.local_date, sorted(days))):
            for chunk in chunks(keys):
                db.session.execute(delete(table).where(
                    table.c.facet.in_(sorted(facets)), table.c.school_id == school_id, column.in_(chunk), table.c.n <= 0))
    for chunk in chunks(sorted(presence_days)):
        for table in (place_day, school_day):
            where = [table.c.school_id == school_id, table.c.local_date.in_(chunk)]
            seconds = table.c.listening_seconds
            db.session.execute(update(table).where(
                *where, seconds != 0, and_(seconds < RESIDUE, seconds > -RESIDUE)).values(listening_seconds=0))
            db.session.execute(delete(table).where(
                *where, table.c.conversations <= 0, table.c.walked <= 0, seconds == 0))
