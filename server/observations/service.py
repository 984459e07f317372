"""Batch sync from the offline app: each record upserted by its UUID and version, exactly once.

A batch is planned in memory first (records in order, against what the database holds for their
ids, loaded in a few queries), then written in bulk. Nothing is written for an invalid record, and
the request is one transaction, so a crash leaves no half-written observation. On SQLite the batch
is the database's one writer from before its first read, so nothing can change under its plan. On
PostgreSQL a write that loses a race to a concurrent request (same new UUID, or a newer version) is
re-read and re-planned; if that keeps happening the request is a 503 and the device sends the batch
again.
"""
from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import abort
from marshmallow import ValidationError
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import OperationalError

from schemas.followups import FollowUpRecordSchema
from schemas.sync import RECORD_SCHEMAS
from server.access import Action, require_school
from server.changes import take as take_change_seq
from server.colisten import service as colisten
from server.db import db, insert_rows, upsert_tuples, utcnow, write_from_here
from server.followups import sync as follow_ups
from server.heatmaps import upkeep
from server.observations import records
from server.observations.canonical import (
    CONFLICT, INVALID, STORED, UNCHANGED, Entry, decide, decide_deletion, observation_hash,
)
from server.observations.models import Observation, ObservationTraitLevel
from server.plans import check_sync as plan_checks
from server.rubrics.models import Rubric, Trait
from server.schools.models import Location, School
from server.walks import service as walks

log = logging.getLogger(__name__)
OBSERVATIONS = Observation.__table__
TRAIT_LEVELS = ObservationTraitLevel.__table__
# An edit's levels are upserted (server/db.py `upsert_tuples`): a level that moved is updated in place.
LEVEL_COLUMNS = ("observation_id", "trait_id", "level")
LEVELS_MOVED = ("ON CONFLICT (observation_id, trait_id) DO UPDATE SET level = excluded.level "
                "WHERE observation_trait_level.level <> excluded.level")
MAX_ATTEMPTS = 3
NOT_FOUND = {"id": ["Not found."]}
_LOADERS = {schema_type: schema() for schema_type, schema in {**RECORD_SCHEMAS, "follow_up": FollowUpRecordSchema}.items()}


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass
class Parsed:
    """One record of the batch: its key (entity, id) once it loaded, else its errors."""

    raw_id: str | None
    type: str | None
    key: tuple[str, uuid.UUID] | None = None
    data: dict | None = None
    errors: dict | None = None


def parse(raw) -> Parsed:
    if not isinstance(raw, dict):
        return Parsed(None, None, errors={"_schema": ["A record must be a JSON object."]})
    raw_id = raw.get("id") if isinstance(raw.get("id"), str) and len(raw["id"]) <= 64 else None
    record_type = raw.get("type") if isinstance(raw.get("type"), str) else None
    loader = _LOADERS.get(record_type)
    if loader is None:
        return Parsed(raw_id, None, errors={"type": [f"Must be one of: {', '.join(_LOADERS)}."]})
    try:
        data = (record_type == "observation" and loader.load_well_formed(raw)) or loader.load(raw)
    except ValidationError as error:
        return Parsed(raw_id, record_type, errors=error.messages)
    entity = data["entity"] if record_type == "deletion" else record_type
    return Parsed(raw_id, record_type, key=(entity, data["id"]), data=data)


class SchoolContext:
    """What records are checked against: the school's places and the rubrics its district may use."""

    def __init__(self, school: School):
        self.school = school
        self.zone = zone(school.timezone)
        self.location_ids = set(db.session.scalars(select(Location.id).where(Location.school_id == school.id)))
        traits = db.session.execute(
            select(Trait.rubric_id, Trait.key, Trait.id).join(Rubric, Rubric.id == Trait.rubric_id)
            .where(or_(Rubric.district_id.is_(None), Rubric.district_id == school.district_id))
            .order_by(Trait.rubric_id, Trait.position)
        )
        self.traits: dict[int, dict[str, int]] = {}
        for rubric_id, key, trait_id in traits:
            self.traits.setdefault(rubric_id, {})[key] = trait_id


class BatchSync:
    """Applies one batch of records for one observer in one school; `run` returns a result per record."""

    def __init__(self, school: School, observer_id: int):
        self.context = SchoolContext(school)
        self.school_id = school.id
        self.observer_id = observer_id
        self.now = utcnow()
        self.loaded: dict[tuple[str, uuid.UUID], Entry | None] = {}
        self.state: dict[tuple[str, uuid.UUID], Entry | None] = {}
        self.dirty: set[tuple[str, uuid.UUID]] = set()
        self.follow_up_context: follow_ups.FollowUpContext | None = None  # follow-ups (issue 5): built on first use
        self._plan_days: plan_checks.PlanDays | None = None  # planned occurrences (issue 16): built on first use

    @property
    def plan_days(self) -> plan_checks.PlanDays:
        if self._plan_days is None:
            self._plan_days = plan_checks.PlanDays(self.context.school)
        return self._plan_days

    def run(self, raw_records: list) -> list[dict]:
        parsed = [parse(raw) for raw in raw_records]
        write_from_here()
        self.load({p.key for p in parsed if p.key} | self.referenced_walks(parsed) | follow_ups.referenced_observations(parsed))
        results = [self.plan(p) for p in parsed]
        for _attempt in range(MAX_ATTEMPTS):
            lost = self.write()
            if not lost:
                break
            self.load(lost, lock=True)
            for index, record in enumerate(parsed):
                if record.key in lost:
                    results[index] = self.plan(record)
        else:
            abort(503, description="Other devices are changing these records right now; send the batch again.")
        self.attach_current(parsed, results)
        self.attach_colisten(parsed, results)
        return results

    @staticmethod
    def referenced_walks(parsed: list[Parsed]) -> set[tuple[str, uuid.UUID]]:
        return {("walk", p.data["walk_id"]) for p in parsed if p.type == "observation" and p.data and p.data["walk_id"]}

    def load(self, keys, lock: bool = False) -> None:
        """Read what the database holds now for these ids (two queries), forgetting any plan for them.

        After a lost race (PostgreSQL only) the rows are re-read locked, so the second write cannot
        lose again.
        """
        ids = {entity: [k[1] for k in keys if k[0] == entity]
               for entity in ("observation", "walk", "follow_up", "plan_check", "colisten")}
        found = {("walk", walk_id): entry for walk_id, entry in walks.load_walks(ids["walk"], lock).items()}
        found.update({("observation", obs_id): entry for obs_id, entry in load_observations(ids["observation"], lock).items()})
        found.update({("follow_up", fid): entry for fid, entry in follow_ups.load_follow_ups(ids["follow_up"], lock).items()})
        found.update({("plan_check", cid): entry for cid, entry in plan_checks.load_checks(ids["plan_check"], lock).items()})
        found.update({("colisten", sid): entry for sid, entry in colisten.load_sessions(ids["colisten"], lock).items()})
        for key in keys:
            self.loaded[key] = self.state[key] = found.get(key)
            self.dirty.discard(key)

    def result(self, record: Parsed, status: str, errors: dict | None = None) -> dict:
        result = {"id": record.raw_id, "type": record.type, "status": status}
        if errors is not None:
            result["errors"] = errors
        elif record.key:
            current = self.state.get(record.key)
            result["version"] = current.version if current and status != STORED else record.data["version"]
        return result

    def plan(self, record: Parsed) -> dict:
        """Decide one record against the state so far and, if it changes something, plan the write."""
        if record.errors is not None:
            return self.result(record, INVALID, record.errors)
        current = self.state.get(record.key)
        if current is not None and not current.belongs_to(self.school_id, self.observer_id):
            return self.result(record, INVALID, NOT_FOUND)
        data = record.data
        if record.type == "deletion":
            status = decide_deletion(current, data["version"])
            if status == STORED:
                self.change(record.key, tombstone(current, data["version"], self.now, record.key[0]))
            return self.result(record, status)
        if record.type == "walk":
            planned = walks.planned_walk(data, self.school_id, self.observer_id, self.now)
        elif record.type == "colisten":  # co-listen sessions (issue 17): made on the lead's phone
            planned = colisten.planned_session(data, self.school_id, self.observer_id, self.now)
        elif record.type == "follow_up":  # follow-ups (issue 5): checked and planned in server/followups/sync.py
            if self.follow_up_context is None:
                self.follow_up_context = follow_ups.FollowUpContext(self.context.school, self.observer_id)
            planned, errors = follow_ups.plan_follow_up(data, current, self.state, self.follow_up_context,
                                                        self.school_id, self.observer_id, self.now)
            if errors:
                return self.result(record, INVALID, errors)
        elif record.type == "plan_check":  # "checked, not heard" (issue 16): server/plans/check_sync.py
            planned, errors = plan_checks.plan_check(data, self.plan_days, self.school_id, self.observer_id, self.now)
            if errors:
                return self.result(record, INVALID, errors)
        else:
            errors = self.reference_errors(data)
            if errors:
                return self.result(record, INVALID, errors)
            planned = self.planned_observation(data)
        status = decide(current, data["version"], planned.content_hash)
        if status == STORED:
            self.change(record.key, planned)
        return self.result(record, status)

    def change(self, key, planned: Entry) -> None:
        self.state[key] = planned
        self.dirty.add(key)

    def reference_errors(self, data: dict) -> dict:
        """Places, rubrics, traits and walks must be this school's (and this observer's walks)."""
        errors = {}
        if data["location_id"] not in self.context.location_ids:
            errors["location_id"] = ["Not a place of this school."]
        traits = self.context.traits.get(data["rubric_id"])
        if traits is None:
            errors["rubric_id"] = ["Not a rubric this school can use."]
        else:
            unknown = sorted(set(data["trait_levels"]) - set(traits))
            if unknown:
                errors["trait_levels"] = [f"Not a trait of this rubric: {', '.join(unknown)}."]
        if data["walk_id"] is not None:
            walk = self.state.get(("walk", data["walk_id"]))
            if walk is None or not walk.belongs_to(self.school_id, self.observer_id):
                errors["walk_id"] = ["Not found."]
        if data.get("plan_id") is not None:
            errors.update(plan_checks.link_errors(data, self.plan_days))
        return errors

    def planned_observation(self, data: dict) -> Entry:
        traits = self.context.traits[data["rubric_id"]]
        observed_at = data["observed_at"]
        content_hash = observation_hash(data, list(traits))
        row = {
            "id": data["id"], "school_id": self.school_id, "observer_id": self.observer_id,
            "walk_id": data["walk_id"], "rubric_id": data["rubric_id"], "location_id": data["location_id"],
            "observed_at": observed_at,
            "utc_offset_minutes": int(observed_at.utcoffset().total_seconds() // 60),
            "local_date": observed_at.astimezone(self.context.zone).date(),
            "setting": data["setting"], "conversation_kind": data["conversation_kind"],
            "participant_count": data["participant_count"], "participant_roles": data["participant_roles"],
            "team": data["team"], "note": data["note"], "needs_follow_up": data["needs_follow_up"],
            "version": data["version"], "content_hash": content_hash, "deleted_at": None, "updated_at": self.now,
            "plan_id": data.get("plan_id"), "plan_day": data.get("plan_day"),
            "colisten_code": data.get("colisten_code"), "colisten_id": None, "counted": True,
        }
        levels = {trait_id: data["trait_levels"].get(key, 0) for key, trait_id in traits.items()}
        return Entry(self.school_id, self.observer_id, data["version"], content_hash, row=row, trait_levels=levels)

    def write(self) -> set[tuple[str, uuid.UUID]]:
        """Write every planned change (walks first: observations point at them); the keys that lost a race.

        The heatmap rollup follows in the same transaction (server/heatmaps/upkeep.py): the school-days
        that changed records touch before and after are recomputed, inserted records' numbers added.
        """
        changes = {"walk": {}, "observation": {}, "follow_up": {}, "plan_check": {}, "colisten": {}}
        # The school's change number, taken once planned: till the commit its other writers wait (server/changes.py)
        change_seq = take_change_seq(db.session.connection(), self.school_id) if self.dirty else None
        for key in self.dirty:
            changes[key[0]][key[1]] = (self.loaded[key], self.state[key])
            self.state[key].row["change_seq"] = change_seq
        observations = changes["observation"]
        # Co-listening: every log of the codes this batch touches is linked in memory first; logs whose
        # counted flag moves are handed to the upkeep with the batch's own edits (server/colisten/service.py).
        links = colisten.plan_links(self.school_id, observations, changes["colisten"])
        links.apply_to(observations)
        changed_observations = [obs_id for obs_id, (loaded, _) in observations.items() if loaded is not None]
        changed_observations += sorted(links.moved)
        changed_walks = {walk_id for walk_id, (loaded, _) in changes["walk"].items() if loaded is not None}
        joined_walks = {walk_id for walk_id in changes["walk"] if walk_id not in changed_walks} | {
            planned.row["walk_id"] for _, planned in observations.values() if planned.row.get("walk_id")}
        with upkeep.kept_up(changed_observations, changed_walks, joined_walks, changes["colisten"]) as inserted:
            lost_walks = walks.write_walks(changes["walk"], self.now)
            lost_sessions = colisten.write_sessions(changes["colisten"], self.now)
            inserted.add_walks(planned.row for walk_id, (loaded, planned) in changes["walk"].items()
                               if loaded is None and walk_id not in lost_walks)
            lost_observations = write_observations(observations, self.now)
            inserted.add_observations((planned.row, planned.trait_levels or {}) for obs_id, (loaded, planned)
                                      in observations.items() if loaded is None and obs_id not in lost_observations)
            colisten.write_moved(links.moved, change_seq)
            lost = {("walk", walk_id) for walk_id in lost_walks} | {("observation", obs_id) for obs_id in lost_observations}
            lost |= {("colisten", session_id) for session_id in lost_sessions}
        lost |= {("follow_up", fid) for fid in follow_ups.write_follow_ups(changes["follow_up"], self.now)}  # after observations
        lost |= {("plan_check", cid) for cid in plan_checks.write_checks(changes["plan_check"], self.now)}
        for key in self.dirty - lost:
            self.loaded[key] = self.state[key]
        self.dirty.clear()
        return lost

    def attach_current(self, parsed: list[Parsed], results: list[dict]) -> None:
        """A conflict carries the server's record as it now stands, which the client keeps."""
        conflicts = [(p, r) for p, r in zip(parsed, results) if r["status"] == CONFLICT]
        if not conflicts:
            return
        current = records.current_records({p.key for p, _ in conflicts})
        current.update({("follow_up", fid): record for fid, record in follow_ups.current_follow_ups(
            [p.key[1] for p, _ in conflicts if p.key[0] == "follow_up"]).items()})
        current.update({("plan_check", cid): record for cid, record in plan_checks.current_checks(
            [p.key[1] for p, _ in conflicts if p.key[0] == "plan_check"]).items()})
        for record, result in conflicts:
            found = current.get(record.key)
            if found is None:  # removed meanwhile, e.g. by a retention job
                result.update(status=INVALID, errors=NOT_FOUND)
                result.pop("version", None)
            else:
                result.update(current=found, version=found["version"])


    def attach_colisten(self, parsed: list[Parsed], results: list[dict]) -> None:
        """A log sent with a co-listen code is told what became of it (linked, waiting, outside the window)."""
        coded = {p.key[1]: (p, r) for p, r in zip(parsed, results)
                 if p.type == "observation" and p.data and p.data.get("colisten_code") and r["status"] in (STORED, UNCHANGED)}
        found = colisten.link_results(self.school_id, [(obs_id, p.data["colisten_code"]) for obs_id, (p, _) in coded.items()])
        for obs_id, (_, result) in coded.items():
            result["colisten"] = found[obs_id]


def tombstone(current: Entry, version: int, now: datetime, entity: str) -> Entry:
    """A deletion keeps the row so other devices learn of it, but drops the note and the levels."""
    row = {**(current.row or {}), "version": version, "deleted_at": now, "updated_at": now}
    levels = current.trait_levels
    if entity == "observation":
        row["note"] = None
        levels = {}
    elif entity == "plan_check":
        row["note"] = None
    return Entry(current.school_id, current.observer_id, version, current.content_hash,
                 deleted=True, row=row, trait_levels=levels)


def load_observations(ids: list[uuid.UUID], lock: bool = False) -> dict[uuid.UUID, Entry]:
    if not ids:
        return {}
    statement = select(Observation.id, Observation.school_id, Observation.observer_id, Observation.version,
                       Observation.content_hash, Observation.deleted_at).where(Observation.id.in_(sorted(ids)))
    rows = db.session.execute(statement.order_by(Observation.id).with_for_update() if lock else statement)
    return {
        row.id: Entry(row.school_id, row.observer_id, row.version, row.content_hash, deleted=row.deleted_at is not None)
        for row in rows
    }


def write_observations(changes: dict[uuid.UUID, tuple[Entry | None, Entry]], now: datetime) -> set[uuid.UUID]:
    """Insert new observations, compare-and-set changed ones, then write their trait levels (a changed
    one's in place: `replace_levels`)."""
    new = {obs_id: planned for obs_id, (loaded, planned) in changes.items() if loaded is None}
    written = walks.insert_missing(OBSERVATIONS, [{**planned.row, "created_at": now} for planned in new.values()])
    lost = set(new) - written
    existing = sorted(set(changes) - set(new))
    lost_here = walks.compare_and_set_many(OBSERVATIONS, [(obs_id, changes[obs_id][0].version, changes[obs_id][1].row)
                                                          for obs_id in existing])
    lost |= lost_here
    replace_levels({obs_id: changes[obs_id][1].trait_levels or {} for obs_id in existing if obs_id not in lost_here})
    insert_rows(TRAIT_LEVELS, [
        {"observation_id": obs_id, "trait_id": trait_id, "level": level}
        for obs_id in sorted(written) for trait_id, level in (new[obs_id].trait_levels or {}).items()
    ])
    return lost


def replace_levels(levels: dict[uuid.UUID, dict[int, int]]) -> None:
    """Make these observations' trait levels exactly these: the levels that moved are updated in place,
    traits no longer rated are deleted (a tombstone's: all).

    An edit usually keeps its rubric, so its rows stay and only their level changes. Deleting every
    level and inserting it again writes the rows and their key index twice, and on PostgreSQL checks
    both foreign keys of every row inserted: 1,400 levels of 200 edits took 15–19 ms that way and
    8 ms as this upsert (docs/performance.md, issue 15).
    """
    if not levels:
        return
    by_traits: dict[frozenset, list[uuid.UUID]] = defaultdict(list)
    for obs_id, rated in levels.items():
        by_traits[frozenset(rated)].append(obs_id)
    for traits, ids in by_traits.items():
        kept = [TRAIT_LEVELS.c.trait_id.not_in(sorted(traits))] if traits else []
        db.session.execute(delete(TRAIT_LEVELS).where(TRAIT_LEVELS.c.observation_id.in_(sorted(ids)), *kept))
    rows = sorted((obs_id, trait_id, level) for obs_id, rated in levels.items() for trait_id, level in rated.items())
    upsert_tuples(TRAIT_LEVELS, LEVEL_COLUMNS, rows, LEVELS_MOVED)


def sync_batch(user, school_id: int, raw_records: list) -> list[dict]:
    """Apply a batch as the signed-in user, who must be able to log in the school; the view commits."""
    school = require_school(Action.LOG, school_id, user)
    try:
        return BatchSync(school, user.id).run(raw_records)
    except OperationalError as error:  # a deadlock, a database busy for too long, down or unwritable: transient
        log.warning("sync batch answered 503: %s", error.orig)
        db.session.rollback()
        abort(503, description="The database is busy or unavailable; send the batch again shortly.")
