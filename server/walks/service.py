"""Walks synced from the offline app: loaded and written in bulk, upserted by the client's UUID.

Writes never trust what was read earlier in the request: inserts skip ids that appeared meanwhile
and updates compare-and-set on the version read, so a concurrent writer is noticed, not overwritten.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import lru_cache
from datetime import datetime

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError

from server.db import db
from server.observations.canonical import Entry, walk_hash
from server.walks.models import Walk

WALKS = Walk.__table__


def insert_missing(table: Table, rows: list[dict]) -> set[uuid.UUID]:
    """Insert rows whose ids the batch found absent; returns the ids this request inserted.

    Sorted by id, so two batches never wait on each other in opposite orders. On SQLite the batch has
    been the one writer since before it read (db.write_from_here), so the ids are still absent: a
    plain executemany. On PostgreSQL a plain executemany (pipelined) runs first inside a savepoint,
    since a concurrent insert of the same id is rare; if one happened it is INSERT … ON CONFLICT (id)
    DO NOTHING RETURNING id, and ids not returned lost the race.
    """
    if not rows:
        return set()
    rows = sorted(rows, key=lambda row: row["id"])
    if db.session.get_bind().dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return {row["id"] for row in rows}
    try:
        with db.session.begin_nested():
            db.session.execute(insert(table), rows)
        return {row["id"] for row in rows}
    except IntegrityError:
        statement = postgresql.insert(table).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)
        return set(db.session.scalars(statement, rows))


def compare_and_set(table: Table, row_id: uuid.UUID, expected_version: int, values: dict) -> bool:
    """Update one row only if it still has the version this batch planned against."""
    return not compare_and_set_many(table, [(row_id, expected_version, values)])


def compare_and_set_many(table: Table, changes: list[tuple[uuid.UUID, int, dict]]) -> set[uuid.UUID]:
    """Update each row (id, version planned against, values) only if it still has that version; the ids
    that had changed meanwhile (lost a race).

    One statement per set of columns, built once and run as one executemany: building and sending an
    UPDATE per row cost ~2 ms each, most of a batch of 200 edits. On SQLite the batch has been the one
    writer since before it read, so every row still has its version. On PostgreSQL the rows are locked
    first (id order, as every sync locks them) and their versions read: those that moved are lost, the
    others cannot move before the commit.
    """
    if not changes:
        return set()
    changes = sorted(changes, key=lambda change: change[0])
    lost: set[uuid.UUID] = set()
    if db.session.get_bind().dialect.name == "postgresql":
        current: dict = {}
        for start in range(0, len(changes), 500):
            ids = [change[0] for change in changes[start:start + 500]]
            current.update(db.session.execute(select(table.c.id, table.c.version).where(table.c.id.in_(ids))
                                              .order_by(table.c.id).with_for_update(key_share=True)).all())
        lost = {row_id for row_id, expected, _ in changes if current.get(row_id) != expected}
    groups: dict[tuple[str, ...], list] = {}
    for row_id, expected, values in changes:
        if row_id not in lost:
            groups.setdefault(tuple(sorted(key for key in values if key != "id")), []).append((row_id, expected, values))
    for columns, rows in groups.items():
        params = [{**{f"new_{key}": values[key] for key in columns}, "_id": row_id, "_expected": expected}
                  for row_id, expected, values in rows]
        if db.session.execute(versioned_update(table, columns), params).rowcount != len(params):
            raise RuntimeError("a row changed under the batch's lock")  # cannot happen: locked, or the one writer
    return lost


@lru_cache(maxsize=32)
def versioned_update(table: Table, columns: tuple[str, ...]):
    return (update(table).where(table.c.id == bindparam("_id"), table.c.version == bindparam("_expected"))
            .values({key: bindparam(f"new_{key}") for key in columns}))


def load_walks(ids: Iterable[uuid.UUID], lock: bool = False) -> dict[uuid.UUID, Entry]:
    """What the server holds for these walk ids; `lock` re-reads them FOR UPDATE (after a lost race)."""
    ids = sorted(ids)
    if not ids:
        return {}
    statement = select(Walk.id, Walk.school_id, Walk.observer_id, Walk.version, Walk.started_at, Walk.ended_at,
                       Walk.deleted_at).where(Walk.id.in_(ids))
    rows = db.session.execute(statement.order_by(Walk.id).with_for_update() if lock else statement)
    return {
        row.id: Entry(row.school_id, row.observer_id, row.version, walk_hash(row.started_at, row.ended_at),
                      deleted=row.deleted_at is not None)
        for row in rows
    }


def planned_walk(record: dict, school_id: int, observer_id: int, now: datetime) -> Entry:
    row = {
        "id": record["id"], "school_id": school_id, "observer_id": observer_id,
        "started_at": record["started_at"], "ended_at": record["ended_at"],
        "version": record["version"], "deleted_at": None, "updated_at": now,
    }
    return Entry(school_id, observer_id, record["version"], walk_hash(record["started_at"], record["ended_at"]), row=row)


def write_walks(changes: dict[uuid.UUID, tuple[Entry | None, Entry]], now: datetime) -> set[uuid.UUID]:
    """Write planned walks (id → (as loaded, as planned)); returns the ids whose write lost a race."""
    new = {walk_id: planned for walk_id, (loaded, planned) in changes.items() if loaded is None}
    inserted = insert_missing(WALKS, [{**planned.row, "created_at": now} for planned in new.values()])
    lost = set(new) - inserted
    lost |= compare_and_set_many(WALKS, [(walk_id, changes[walk_id][0].version, changes[walk_id][1].row)
                                         for walk_id in set(changes) - set(new)])
    return lost
