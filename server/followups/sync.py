"""Follow-ups through the offline app's batch sync: checked, planned and written like walks.

The sync service (server/observations/service.py) calls these for records of type "follow_up":
`referenced_observations` before loading, `load_follow_ups` to read, `plan_follow_up` per record,
`write_follow_ups` in its write step (after observations, which follow-ups point at) and
`current_follow_ups` for conflicts. A follow-up may be changed by whoever created it and by its
owner (who completes or snoozes it); to anyone else it does not exist.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import or_, select

from schemas.followups import FollowUpSchema
from server.access import Action, Reach, reach
from server.auth.models import Membership, User
from server.db import db
from server.enums import Role
from server.followups.models import FollowUp
from server.observations.models import Observation
from server.observations.canonical import Entry
from server.schools.models import School
from server.walks import service as walks

FOLLOW_UPS = FollowUp.__table__
CONTENT_FIELDS = ("observation_id", "owner_id", "action", "due_at", "status", "snoozed_until",
                  "changed_practice", "outcome_note", "completed_at", "evidence_observation_id", "relisten")
# Fields added after the first app release: a record that leaves them out keeps what the server holds.
KEPT_FIELDS = {"evidence_observation_id": None, "relisten": False}
LOGGING_ROLES = (Role.PRINCIPAL, Role.OBSERVER)
_DUMPER = FollowUpSchema()


@dataclass
class FollowUpEntry(Entry):
    """A follow-up's sync state; `observer_id` is its creator, `editors` the creator and the owner."""

    editors: frozenset[int] = frozenset()
    kept: dict = field(default_factory=lambda: dict(KEPT_FIELDS))
    observation_id: uuid.UUID | None = None   # the conversation it came from, as the server holds it

    def belongs_to(self, school_id: int, observer_id: int) -> bool:
        return self.school_id == school_id and observer_id in self.editors


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def follow_up_hash(values) -> str:
    """Canonical hash of what a client may set: instants in UTC, ids as text."""
    content = {name: values[name] for name in CONTENT_FIELDS}
    for name in ("observation_id", "evidence_observation_id"):
        content[name] = str(content[name]) if content[name] else None
    content["relisten"] = bool(content["relisten"])
    for name in ("due_at", "snoozed_until", "completed_at"):
        content[name] = _instant(content[name])
    content["status"] = str(content["status"].value if hasattr(content["status"], "value") else content["status"])
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def owner_ids(school: School) -> set[int]:
    """Users who can log in the school, and so can own (and complete) a follow-up there."""
    rows = db.session.scalars(
        select(Membership.user_id).join(User, User.id == Membership.user_id).where(
            User.active.is_(True),
            or_(
                (Membership.school_id == school.id) & Membership.role.in_(LOGGING_ROLES),
                (Membership.district_id == school.district_id) & (Membership.role == Role.DISTRICT_ADMIN),
            ),
        )
    )
    return set(rows)


class FollowUpContext:
    """What follow-up records of one batch are checked against; built once, when the batch has one."""

    def __init__(self, school: School, user_id: int):
        self.owner_ids = owner_ids(school)
        user = db.session.get(User, user_id)
        self.sees_all_observations = reach(Action.VIEW_RECORDS, school.id, user) == Reach.ALL


def referenced_observations(records) -> set[tuple[str, uuid.UUID]]:
    """The observations follow-up records point at, to load with the batch (parsed records: .type, .data)."""
    return {("observation", r.data[name]) for r in records if r.type == "follow_up" and r.data
            for name in ("observation_id", "evidence_observation_id") if r.data.get(name)}


def load_follow_ups(ids, lock: bool = False) -> dict[uuid.UUID, FollowUpEntry]:
    """What the server holds for these follow-up ids; `lock` re-reads them FOR UPDATE (after a lost race)."""
    ids = sorted(ids)
    if not ids:
        return {}
    statement = select(FollowUp.__table__).where(FollowUp.id.in_(ids))
    rows = db.session.execute(statement.order_by(FollowUp.id).with_for_update() if lock else statement)
    return {
        row.id: FollowUpEntry(row.school_id, row.created_by_id, row.version, follow_up_hash(row._mapping),
                              deleted=row.deleted_at is not None,
                              editors=frozenset(i for i in (row.created_by_id, row.owner_id) if i is not None),
                              kept={name: row._mapping[name] for name in KEPT_FIELDS}, observation_id=row.observation_id)
        for row in rows
    }


def reference_errors(data: dict, context: FollowUpContext, state: dict, school_id: int, user_id: int,
                     held_observation_id: uuid.UUID | None = None) -> dict:
    """The owner must be able to log in this school; the observation must be this school's and visible to the user,
    except the one the follow-up already came from: an observer given a follow-up from a principal's log closes it
    without seeing that log (its visibility was checked when its creator linked it)."""
    errors = {}
    if data["owner_id"] not in context.owner_ids:
        errors["owner_id"] = ["Not someone who can log in this school."]
    def visible(observation_id, held: bool = False) -> bool:
        observation = state.get(("observation", observation_id))
        return (observation is not None and not observation.deleted and observation.school_id == school_id
                and (held or context.sees_all_observations or observation.observer_id == user_id))

    source = data["observation_id"]
    if source is not None and not visible(source, held=source == held_observation_id):
        errors["observation_id"] = ["Not found."]
    evidence = data.get("evidence_observation_id")
    if evidence is not None and not errors:
        if not visible(evidence):
            errors["evidence_observation_id"] = ["Not found."]
        else:
            before, after = observed_at(state, [data["observation_id"], evidence])
            if after <= before:
                errors["evidence_observation_id"] = ["Link a conversation heard after the one the follow-up came from."]
    return errors


def observed_at(state: dict, ids: list[uuid.UUID]) -> list[datetime]:
    """When each observation was heard: from this batch's plan if it wrote the observation, else from the database."""
    planned = {i: state[("observation", i)].row["observed_at"] for i in ids if state[("observation", i)].row}
    missing = [i for i in ids if i not in planned]
    if missing:
        planned.update(db.session.execute(select(Observation.id, Observation.observed_at).where(Observation.id.in_(missing))).all())
    return [planned[i].astimezone(timezone.utc) if planned[i].tzinfo else planned[i].replace(tzinfo=timezone.utc) for i in ids]


def keep_unsent(data: dict, current: FollowUpEntry | None) -> dict:
    """The record with the fields it left out (an older app) as the server holds them, or their defaults."""
    held = current.kept if isinstance(current, FollowUpEntry) else KEPT_FIELDS
    return {**{name: held.get(name, default) for name, default in KEPT_FIELDS.items()}, **data}


def plan_follow_up(data: dict, current: FollowUpEntry | None, state: dict, context: FollowUpContext,
                   school_id: int, user_id: int, now: datetime) -> tuple[FollowUpEntry | None, dict]:
    """(the planned entry, {}) or (None, field errors) for one follow-up record."""
    sent_evidence = "evidence_observation_id" in data
    data = keep_unsent(data, current)
    if not sent_evidence and data["status"] != "done":
        data["evidence_observation_id"] = None  # only a done follow-up keeps its evidence
    errors = reference_errors({**data, "evidence_observation_id": data["evidence_observation_id"] if sent_evidence else None},
                              context, state, school_id, user_id,
                              current.observation_id if isinstance(current, FollowUpEntry) else None)
    if errors:
        return None, errors
    creator = current.observer_id if current is not None else user_id
    row = {name: data[name] for name in CONTENT_FIELDS}
    row.update({"id": data["id"], "school_id": school_id, "version": data["version"], "deleted_at": None, "updated_at": now})
    if current is None:
        row["created_by_id"] = user_id
    editors = frozenset(i for i in (creator, data["owner_id"]) if i is not None)
    return FollowUpEntry(school_id, creator, data["version"], follow_up_hash(data), row=row, editors=editors,
                         kept={name: data[name] for name in KEPT_FIELDS}, observation_id=data["observation_id"]), {}


def write_follow_ups(changes: dict[uuid.UUID, tuple[FollowUpEntry | None, FollowUpEntry]], now: datetime) -> set[uuid.UUID]:
    """Insert new follow-ups, compare-and-set changed ones; the ids whose write lost a race."""
    new = {fid: planned for fid, (loaded, planned) in changes.items() if loaded is None}
    inserted = walks.insert_missing(FOLLOW_UPS, [{**planned.row, "created_at": now} for planned in new.values()])
    lost = set(new) - inserted
    for follow_up_id in sorted(set(changes) - set(new)):
        loaded, planned = changes[follow_up_id]
        row = dict(planned.row)
        if planned.deleted:
            row["outcome_note"] = None  # a deleted follow-up keeps no evidence note
        if not walks.compare_and_set(FOLLOW_UPS, follow_up_id, loaded.version, row):
            lost.add(follow_up_id)
    return lost


def current_follow_ups(ids) -> dict[uuid.UUID, dict]:
    """Follow-ups as the server holds them now, dumped (for a conflict's `current`)."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(select(FollowUp.__table__).where(FollowUp.id.in_(ids)))
    return {row.id: _DUMPER.dump(row._mapping) for row in rows}
