"""The change sequence: the order in which a school's synced records changed, as its phones pull them.

Every write of an observation, walk or follow-up stamps the row's `change_seq` with a number taken
from the school's counter row (`change_counter`) inside the writing transaction. Taking it updates
that row, so the row stays locked until the transaction ends: a school's writers take their
numbers one after another, each after the one before has committed. A number is therefore never
visible before a smaller one of the same school, and a pull that pages by (change_seq, id) cannot
step past a row that commits late (docs/sync-protocol.md, "Own records"). Wall clocks play no part.

A transaction takes one number per school and stamps every row it writes there with it (the
cursor's id breaks the tie). Inserts and updates that name the row's school get it by the column's
default; an update that does not (a bulk UPDATE … WHERE) must pass `change_seq=take(…)` itself, or
it fails loudly instead of hiding its change from phones.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Connection, ForeignKey, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, object_session

from server.db import db

_HELD = "hallpulse.change_seqs"


class ChangeCounter(db.Model):
    """The last change number a school handed out; its row lock orders the school's writers."""

    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)


class MissingChangeSeq(RuntimeError):
    """A write of a synced record that would leave phones unaware of it."""


def _held(connection: Connection) -> tuple[dict[int, int], dict[int, int]]:
    """(the numbers the open transaction holds, by school; where to record a new one).

    A number taken inside a savepoint is recorded with the savepoint and forgotten once it ends
    (rolled back, the counter's update and lock are undone with it); one taken outside any
    savepoint lasts until the transaction ends.
    """
    open_now = [t for t in (connection.get_transaction(), connection.get_nested_transaction()) if t is not None]
    entries = [(t, seqs) for t, seqs in connection.info.get(_HELD, []) if t.is_active and any(t is o for o in open_now)]
    if not entries or entries[-1][0] is not open_now[-1]:
        entries.append((open_now[-1], {}))
    connection.info[_HELD] = entries
    held = {school_id: seq for _, seqs in entries for school_id, seq in seqs.items()}
    return held, entries[-1][1]


def take(connection: Connection, school_id: int) -> int:
    """The change number of this transaction in the school: taken (and the counter locked) on first use."""
    held, record = _held(connection)
    if school_id not in held:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        counter = ChangeCounter.__table__
        statement = (
            dialect.insert(counter).values(school_id=school_id, last_seq=1)
            .on_conflict_do_update(index_elements=[counter.c.school_id], set_={"last_seq": counter.c.last_seq + 1})
            .returning(counter.c.last_seq)
        )
        record[school_id] = held[school_id] = connection.execute(statement).scalar_one()
    return held[school_id]


def take_for_schools(connection: Connection, school_ids) -> dict[int, int]:
    """Numbers for several schools, taken in school order so two such writers never wait on each other crosswise."""
    return {school_id: take(connection, school_id) for school_id in sorted(set(school_ids))}


def _for_row(context) -> int:
    """Column default: the school's number for a row whose statement names its school."""
    school_id = context.get_current_parameters().get("school_id")
    if school_id is None:
        raise MissingChangeSeq(
            f"{context.current_column.table.name}: a write that does not name the row's school must set "
            "change_seq=server.changes.take(connection, school_id), or phones never learn of it")
    return take(context.connection, school_id)


class ChangeSequencedMixin:
    """Rows the offline app pulls by change: observations, walks, follow-ups."""

    change_seq: Mapped[int] = mapped_column(BigInteger, default=_for_row, onupdate=_for_row)


@event.listens_for(ChangeSequencedMixin, "before_update", propagate=True)
def _changed_through_the_session(_mapper, connection, target) -> None:
    """An object changed through the session is stamped too (the ORM's UPDATE names only changed columns)."""
    session = object_session(target)
    stamped = inspect(target).attrs.change_seq.history.has_changes()
    if session is not None and not stamped and session.is_modified(target, include_collections=False):
        target.change_seq = take(connection, target.school_id)
