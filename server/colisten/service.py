"""Co-listen sessions in the batch sync, and linking logs to them, whichever syncs first.

A log that carries a code belongs to this school's live session with that code whose window
[started_at, expires_at] holds the log's time (when two windows of one code overlap, the later
start wins). Linking never looks at another school: a code is only ever matched inside the batch's
school, so another school's code is just an unknown one.

Counting once: of a session's live linked logs exactly one is `counted`, the one standing for the
conversation in every rollup: the lead's (their earliest, if they logged it twice), else, once the
lead's log is deleted (or the lead never logged), the earliest remaining by time then id. Every
other log is counted. The whole link state of the codes a batch touches is decided in memory before
the write, so new logs are inserted with their final flags and existing logs whose flags move are
handed to the heatmap upkeep (read before and after), which moves the rollup in the same transaction.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, false, or_, select, update

from server.colisten.models import ColistenSession
from server.db import db
from server.heatmaps.queries import chunks
from server.observations.canonical import Entry, colisten_hash
from server.observations.models import Observation

SESSIONS = ColistenSession.__table__
O = Observation.__table__.c
LINKED, WAITING, OUTSIDE = "linked", "waiting", "outside_window"
MESSAGES = {
    LINKED: "Linked to the co-listen {code}: the comparison shows once your colleagues' logs have synced too.",
    WAITING: ("No co-listen {code} of this school has reached the server yet. This stays an ordinary log "
              "and is linked when the lead's phone syncs, if the code was right."),
    OUTSIDE: ("The co-listen {code} of this school did not cover this log's time (it had not begun or had "
              "ended), so this stays an ordinary log."),
}


# ---------------------------------------------------------------- sessions as sync records

def load_sessions(ids, lock: bool = False) -> dict[uuid.UUID, Entry]:
    ids = sorted(ids)
    if not ids:
        return {}
    statement = select(SESSIONS.c.id, SESSIONS.c.school_id, SESSIONS.c.lead_observer_id, SESSIONS.c.version,
                       SESSIONS.c.code, SESSIONS.c.started_at, SESSIONS.c.expires_at, SESSIONS.c.deleted_at
                       ).where(SESSIONS.c.id.in_(ids))
    rows = db.session.execute(statement.order_by(SESSIONS.c.id).with_for_update() if lock else statement)
    return {row.id: Entry(row.school_id, row.lead_observer_id, row.version,
                          colisten_hash(row.code, row.started_at, row.expires_at), deleted=row.deleted_at is not None)
            for row in rows}


def planned_session(record: dict, school_id: int, observer_id: int, now: datetime) -> Entry:
    row = {"id": record["id"], "school_id": school_id, "lead_observer_id": observer_id, "code": record["code"],
           "started_at": record["started_at"], "expires_at": record["expires_at"], "version": record["version"],
           "deleted_at": None, "updated_at": now}
    return Entry(school_id, observer_id, record["version"],
                 colisten_hash(record["code"], record["started_at"], record["expires_at"]), row=row)


def write_sessions(changes: dict[uuid.UUID, tuple[Entry | None, Entry]], now: datetime) -> set[uuid.UUID]:
    from server.walks.service import compare_and_set_many, insert_missing

    new = {session_id: planned for session_id, (loaded, planned) in changes.items() if loaded is None}
    inserted = insert_missing(SESSIONS, [{**planned.row, "created_at": now} for planned in new.values()])
    lost = set(new) - inserted
    lost |= compare_and_set_many(SESSIONS, [(session_id, changes[session_id][0].version, changes[session_id][1].row)
                                            for session_id in set(changes) - set(new)])
    return lost


# ---------------------------------------------------------------- linking

@dataclass
class Session:
    id: uuid.UUID
    code: str
    started_at: datetime
    expires_at: datetime
    lead_observer_id: int | None

    def holds(self, moment: datetime) -> bool:
        return self.started_at <= moment <= self.expires_at


@dataclass
class Log:
    id: uuid.UUID
    observer_id: int | None
    code: str | None
    observed_at: datetime
    colisten_id: uuid.UUID | None = None
    counted: bool = True


@dataclass
class LinkPlan:
    """The link state decided for a batch: flags of the batch's logs, and of other logs that move."""

    rows: dict[uuid.UUID, tuple[uuid.UUID | None, bool]] = field(default_factory=dict)  # batch logs
    moved: dict[uuid.UUID, tuple[uuid.UUID | None, bool]] = field(default_factory=dict)  # other existing logs

    def apply_to(self, observation_changes: dict) -> None:
        for obs_id, (colisten_id, counted) in self.rows.items():
            row = observation_changes[obs_id][1].row
            row["colisten_id"], row["counted"] = colisten_id, counted


def utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def plan_links(school_id: int, observation_changes: dict, session_changes: dict) -> LinkPlan:
    """Decide the links of every log of the codes this batch touches (observation_changes and
    session_changes: id → (as loaded, as planned), as BatchSync.write holds them)."""
    plan = LinkPlan()
    existing = [obs_id for obs_id, (loaded, _) in observation_changes.items() if loaded is not None]
    before = {}
    for chunk in chunks(sorted(existing)):
        before.update((row.id, row) for row in db.session.execute(
            select(O.id, O.colisten_code, O.colisten_id).where(O.id.in_(chunk))))
    batch_logs: dict[uuid.UUID, Log | None] = {}
    for obs_id, (_loaded, planned) in observation_changes.items():
        row = planned.row
        if planned.deleted:
            batch_logs[obs_id] = None
        else:
            batch_logs[obs_id] = Log(obs_id, row["observer_id"], row.get("colisten_code"), utc(row["observed_at"]))
    codes = {log.code for log in batch_logs.values() if log and log.code}
    codes |= {planned.row["code"] for _, planned in session_changes.values() if not planned.deleted}
    codes |= {row.colisten_code for row in before.values() if row.colisten_code}
    linked_before = {row.colisten_id for row in before.values() if row.colisten_id}
    if not codes and not linked_before:
        return plan
    sessions = load_link_sessions(school_id, codes, linked_before, session_changes)
    codes |= {session.code for session in sessions.values()}
    logs = load_link_logs(school_id, codes, sessions)
    for obs_id, log in batch_logs.items():
        logs.pop(obs_id, None)
        if log is not None:
            logs[obs_id] = log
    decided = decide_links(sessions, logs)
    for obs_id, log in batch_logs.items():
        if log is not None:
            plan.rows[obs_id] = decided[obs_id]
    for obs_id, log in logs.items():
        if obs_id not in batch_logs and decided[obs_id] != (log.colisten_id, log.counted):
            plan.moved[obs_id] = decided[obs_id]
    return plan


def load_link_sessions(school_id: int, codes: set[str], session_ids: set, session_changes: dict) -> dict:
    """This school's live sessions with these codes or ids, as the batch will leave them."""
    found: dict[uuid.UUID, Session] = {}
    conditions = [SESSIONS.c.code.in_(sorted(codes))] if codes else [false()]
    if session_ids:
        conditions.append(SESSIONS.c.id.in_(sorted(session_ids)))
    for row in db.session.execute(select(SESSIONS).where(
            SESSIONS.c.school_id == school_id, SESSIONS.c.deleted_at.is_(None), or_(*conditions))):
        found[row.id] = Session(row.id, row.code, utc(row.started_at), utc(row.expires_at), row.lead_observer_id)
    for session_id, (_loaded, planned) in session_changes.items():
        if planned.deleted:
            found.pop(session_id, None)
        else:
            row = planned.row
            found[session_id] = Session(session_id, row["code"], utc(row["started_at"]), utc(row["expires_at"]),
                                        row["lead_observer_id"])
    return found


def load_link_logs(school_id: int, codes: set[str], sessions: dict) -> dict[uuid.UUID, Log]:
    """Live logs of the school that carry these codes near these sessions' windows, or are linked to them.

    Found through the (school, local day) index: a session's window lies within a day either side of
    its local days in any zone.
    """
    if not sessions:
        return {}
    first = min(session.started_at for session in sessions.values()) - timedelta(days=1)
    last = max(session.expires_at for session in sessions.values()) + timedelta(days=1)
    rows = db.session.execute(select(O.id, O.observer_id, O.colisten_code, O.observed_at, O.colisten_id, O.counted).where(
        O.school_id == school_id, O.deleted_at.is_(None),
        or_(O.colisten_id.in_(sorted(sessions)),
            O.colisten_code.in_(sorted(codes)) & O.local_date.between(first.date(), last.date()))))
    return {row.id: Log(row.id, row.observer_id, row.colisten_code, utc(row.observed_at), row.colisten_id, row.counted)
            for row in rows}


def decide_links(sessions: dict[uuid.UUID, Session], logs: dict[uuid.UUID, Log]) -> dict:
    """log id → (session id or None, counted) for every log given."""
    by_code: dict[str, list[Session]] = {}
    for session in sessions.values():
        by_code.setdefault(session.code, []).append(session)
    members: dict[uuid.UUID, list[Log]] = {}
    decided = {}
    for log in logs.values():
        holding = [s for s in by_code.get(log.code, []) if s.holds(log.observed_at)] if log.code else []
        if holding:
            session = max(holding, key=lambda s: (s.started_at, s.id))
            members.setdefault(session.id, []).append(log)
            decided[log.id] = (session.id, False)
        else:
            decided[log.id] = (None, True)
    for session_id, linked in members.items():
        lead = sessions[session_id].lead_observer_id
        leads = [log for log in linked if lead is not None and log.observer_id == lead]
        representative = min(leads or linked, key=lambda log: (log.observed_at, log.id))
        decided[representative.id] = (session_id, True)
    return decided


def write_moved(moved: dict, change_seq: int) -> None:
    """Set the link flags of existing logs the batch moved (stamped with the batch's change number, so
    their owners' phones pull the link)."""
    if not moved:
        return
    db.session.execute(
        update(Observation.__table__).where(O.id == bindparam("_id"))
        .values(colisten_id=bindparam("_colisten_id"), counted=bindparam("_counted"), change_seq=change_seq),
        [{"_id": obs_id, "_colisten_id": colisten_id, "_counted": counted}
         for obs_id, (colisten_id, counted) in sorted(moved.items())])


def link_results(school_id: int, logs: list[tuple[uuid.UUID, str]]) -> dict[uuid.UUID, dict]:
    """After the write: what became of each log's code, said plainly for the phone."""
    if not logs:
        return {}
    ids = [obs_id for obs_id, _ in logs]
    linked = dict(db.session.execute(select(O.id, O.colisten_id).where(O.id.in_(ids), O.school_id == school_id)).all())
    known = set(db.session.scalars(select(SESSIONS.c.code).where(
        SESSIONS.c.school_id == school_id, SESSIONS.c.deleted_at.is_(None),
        SESSIONS.c.code.in_(sorted({code for _, code in logs})))))
    results = {}
    for obs_id, code in logs:
        session_id = linked.get(obs_id)
        status = LINKED if session_id else OUTSIDE if code in known else WAITING
        results[obs_id] = {"status": status, "session_id": session_id, "message": MESSAGES[status].format(code=code)}
    return results


def relink_after_removal(school_id: int, session_ids: set, change_seq: int) -> set:
    """After logs were hard-deleted (a retention job): re-decide these sessions' counted log. Returns the
    logs whose flags moved; call inside `upkeep.kept_up` given the sessions' logs."""
    sessions = load_link_sessions(school_id, set(), set(session_ids), {})
    logs = load_link_logs(school_id, {s.code for s in sessions.values()}, sessions)
    decided = decide_links(sessions, logs)
    moved = {obs_id: decided[obs_id] for obs_id, log in logs.items() if decided[obs_id] != (log.colisten_id, log.counted)}
    write_moved(moved, change_seq)
    return set(moved)
