"""Keeping the calibration summary (server/calibration/models.py) exactly equal to the raw rows, and reading it.

A write recomputes the summary rows of every co-listen session it touches from the raw rows, in the same
transaction: the sessions its logs were linked to before and after the write, the sessions it changed
itself, and those of the logs it inserted (server/heatmaps/upkeep.py calls `refresh`). A session holds a
handful of logs, so this costs what the batch holds. `rebuild_school` recomputes a school whole (with
its heatmap rollup: `hallpulse heatmaps rebuild`).

The month counts (calibration_month) move by what each refresh changed in the summary, and are rebuilt
with it.

Reads: a conversation whose logs lie on one day is in or out of any date range; the months a range holds
whole are read from the month counts, its partial first and last months from the summary; the rare
conversation whose logs span two days and that the range cuts is recomputed from its raw logs in range,
as the raw query would (server/calibration/queries.py).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import Date, Integer, and_, case, cast, delete, extract, func, insert, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from server.calibration.models import CalibrationConversation, CalibrationMonth
from server.colisten.models import ColistenSession
from server.db import db
from server.heatmaps.queries import chunks
from server.observations.models import Observation, ObservationTraitLevel

SUMMARY = CalibrationConversation.__table__
C = SUMMARY.c
MONTHS = CalibrationMonth.__table__
M = MONTHS.c
MONTH_KEYS = ["school_id", "rubric_id", "month", "trait_id", "c0", "c1", "c2", "pair_level"]
Level = ObservationTraitLevel
COLUMNS = ["colisten_id", "rubric_id", "trait_id", "school_id", "month", "local_date", "last_date", "c0", "c1", "c2",
           "pair_level"]


def month_of(column):
    """The first day of the column's month, in the engine's own words."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", column), Date)
    return func.date(column, "start of month", type_=Date)


def summary_rows(*conditions):
    """The summary rows of the live co-listened logs meeting `conditions`, computed from the raw rows."""
    at = lambda value: func.sum(case((Level.level == value, 1), else_=0))  # noqa: E731
    per = (select(ColistenSession.id.label("colisten_id"), Observation.rubric_id.label("rubric_id"),
                  Level.trait_id.label("trait_id"), ColistenSession.school_id.label("school_id"),
                  func.min(Observation.local_date).label("local_date"), func.max(Observation.local_date).label("last_date"),
                  at(0).label("c0"), at(1).label("c1"), at(2).label("c2"),
                  func.max(case((Observation.counted == true(), Level.level))).label("counted_level"))
           .select_from(Observation)
           .join(ColistenSession, and_(ColistenSession.id == Observation.colisten_id,
                                       ColistenSession.school_id == Observation.school_id))
           .join(Level, Level.observation_id == Observation.id)
           .where(Observation.colisten_id.is_not(None), Observation.deleted_at.is_(None),
                  ColistenSession.deleted_at.is_(None), *conditions)
           .group_by(ColistenSession.id, Observation.rubric_id, Level.trait_id, ColistenSession.school_id)
           .having(func.count() >= 2)).subquery()
    return select(per.c.colisten_id, per.c.rubric_id, per.c.trait_id, per.c.school_id, month_of(per.c.local_date),
                  per.c.local_date, per.c.last_date, per.c.c0, per.c.c1, per.c.c2,
                  case((per.c.c0 + per.c.c1 + per.c.c2 == 2, per.c.counted_level)))


def month_counts(*conditions):
    """The summary rows meeting `conditions`, counted per calibration_month key."""
    keys = (C.school_id, C.rubric_id, C.month, C.trait_id, C.c0, C.c1, C.c2, func.coalesce(C.pair_level, -1))
    return select(*keys, func.count()).where(*conditions).group_by(*keys)


def rebuild_school(school_id: int) -> None:
    """A school's summary from its raw rows (the partial index of its co-listened logs), and its months."""
    db.session.execute(delete(SUMMARY).where(C.school_id == school_id))
    db.session.execute(insert(SUMMARY).from_select(COLUMNS, summary_rows(Observation.school_id == school_id)))
    db.session.execute(delete(MONTHS).where(M.school_id == school_id))
    db.session.execute(insert(MONTHS).from_select([*MONTH_KEYS, "conversations"], month_counts(C.school_id == school_id)))


def refresh(session_ids: Iterable) -> None:
    """Recompute the summary rows of these co-listen sessions from their logs as they stand now, and move
    the month counts by what that changed."""
    for chunk in chunks(sorted({one for one in session_ids if one is not None})):
        change: dict[tuple, int] = defaultdict(int)
        for *key, count in db.session.execute(month_counts(C.colisten_id.in_(chunk))):
            change[tuple(key)] -= count
        db.session.execute(delete(SUMMARY).where(C.colisten_id.in_(chunk)))
        db.session.execute(insert(SUMMARY).from_select(COLUMNS, summary_rows(Observation.colisten_id.in_(chunk))))
        for *key, count in db.session.execute(month_counts(C.colisten_id.in_(chunk))):
            change[tuple(key)] += count
        _add_to_months({key: count for key, count in change.items() if count})


def _add_to_months(change: dict[tuple, int]) -> None:
    """Add signed counts to the month rows (a new key starts at its count), then drop the rows left at 0."""
    if not change:
        return
    dialect = db.session.get_bind().dialect.name
    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MONTHS)
    statement = statement.on_conflict_do_update(
        index_elements=MONTH_KEYS, set_={"conversations": M.conversations + statement.excluded.conversations})
    db.session.execute(statement, [dict(zip(MONTH_KEYS, key), conversations=count) for key, count in sorted(change.items())])
    for school_id in sorted({key[0] for key in change}):
        months = sorted({key[2] for key in change if key[0] == school_id})
        db.session.execute(delete(MONTHS).where(M.school_id == school_id, M.month.in_(months), M.conversations <= 0))


def pattern_counts(school_ids: tuple[int, ...], rubric_id: int, date_from: date | None, date_to: date | None):
    """(school, trait, month number, c0, c1, c2, pair level or −1, conversations) of the conversations wholly
    in range, as plain ints (queries.Patterns reads them into numpy): the months the range holds whole from
    the month counts, the partial first and last months grouped from the summary along its patterns index.

    A month counts as whole when it starts on or after `date_from` and ends before `date_to`: a conversation
    of its last day may end after midnight, and only the summary knows whether it ended in range."""
    first = None if date_from is None else date_from if date_from.day == 1 else _next_month(date_from)
    last = None if date_to is None else _previous_month(date_to)
    whole = first is None or last is None or first <= last
    rows = []
    if whole:
        conditions = [M.school_id.in_(school_ids), M.rubric_id == rubric_id]
        conditions += [M.month >= first] if first else []
        conditions += [M.month <= last] if last else []
        rows += db.session.execute(select(M.school_id, M.trait_id, _number(M.month), M.c0, M.c1, M.c2, M.pair_level,
                                          M.conversations).where(*conditions)).all()
    if date_from is None and date_to is None:
        return rows
    conditions = [C.school_id.in_(school_ids), C.rubric_id == rubric_id]
    if date_from:
        conditions += [C.month >= date_from.replace(day=1), C.local_date >= date_from]
    if date_to:
        conditions += [C.month <= date_to.replace(day=1), C.last_date <= date_to]
    if whole:  # the months outside the whole ones
        conditions.append(or_(*([C.month < first] if first else []), *([C.month > last] if last else [])))
    keys = (C.school_id, C.month, C.trait_id, C.c0, C.c1, C.c2, C.pair_level)
    rows += db.session.execute(select(C.school_id, C.trait_id, _number(C.month), C.c0, C.c1, C.c2,
                                      func.coalesce(C.pair_level, -1), func.count()).where(*conditions).group_by(*keys)).all()
    return rows


def _number(month):
    """year × 12 + month − 1, in the engine's own words."""
    return cast(extract("year", month), Integer) * 12 + cast(extract("month", month), Integer) - 1


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)


def cut_conversations(school_ids: tuple[int, ...], rubric_id: int, date_from: date | None,
                      date_to: date | None) -> set[tuple]:
    """(session, trait) of the conversations spanning two days that the range cuts (their ratings partly
    in it): few, found through the span index."""
    cuts = []
    if date_from:
        cuts.append(and_(C.local_date < date_from, C.last_date >= date_from))
    if date_to:
        cuts.append(and_(C.local_date <= date_to, C.last_date > date_to))
    if not cuts:
        return set()
    return set(db.session.execute(select(C.colisten_id, C.trait_id).where(
        C.school_id.in_(school_ids), C.rubric_id == rubric_id, C.last_date > C.local_date, or_(*cuts))).all())
