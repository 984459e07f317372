"""The read side of calibration: co-listened conversations reduced in the database to rating patterns.

A conversation is a co-listen session with its linked, non-deleted logs of one rubric; per trait it
becomes (c0, c1, c2), the number of observers at each level, plus the counted log's level (for the
two-observer kappa). The database then counts conversations per pattern, so a district's year comes
back as a few hundred rows instead of every rating. The walk starts from the schools' co-listened
logs (a partial index of the 5 % or so of logs in a co-listen, by school), then their sessions and levels.
"""
from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, case, cast, extract, func, or_, select, true

from server.calibration import summary

from server.changes import ChangeCounter
from server.colisten.models import ColistenSession
from server.db import db
from server.heatmaps import rollup
from server.observations.models import Observation, ObservationTraitLevel
from server.schools.models import School

Level = ObservationTraitLevel
CACHE_SIZE = 256
_cache: OrderedDict[tuple, list] = OrderedDict()


@dataclass(frozen=True)
class PatternRow:
    school_id: int
    trait_id: int
    month: date
    pattern: tuple[int, int, int]
    counted_level: int | None  # the counted log's level; with two observers the other is sum - it
    conversations: int


@dataclass(frozen=True)
class DriftRow:
    observer_id: int
    trait_id: int
    conversations: int
    above: int
    below: int


def _ratings(school_ids: tuple[int, ...], rubric_id: int, date_from: date | None, date_to: date | None):
    """Each rating of a co-listened conversation in range: (session, school, observation, trait, level, ...)."""
    conditions = [Observation.school_id.in_(school_ids), Observation.colisten_id.is_not(None),
                  Observation.deleted_at.is_(None), Observation.rubric_id == rubric_id,
                  ColistenSession.school_id == Observation.school_id, ColistenSession.deleted_at.is_(None)]
    if date_from:
        conditions.append(Observation.local_date >= date_from)
    if date_to:
        conditions.append(Observation.local_date <= date_to)
    return (select(ColistenSession.id.label("conversation"), ColistenSession.school_id.label("school_id"))
            .select_from(Observation)
            .join(ColistenSession, ColistenSession.id == Observation.colisten_id)
            .join(Level, Level.observation_id == Observation.id)
            .where(and_(*conditions)))


def _per_conversation(school_ids, rubric_id, date_from, date_to):
    base = _ratings(school_ids, rubric_id, date_from, date_to)
    at = lambda value: func.sum(case((Level.level == value, 1), else_=0))  # noqa: E731
    return (base.add_columns(
        Level.trait_id.label("trait_id"), func.min(Observation.local_date).label("day"),
        at(0).label("c0"), at(1).label("c1"), at(2).label("c2"), func.count().label("raters"),
        func.sum(Level.level).label("total"),
        func.max(case((Observation.counted == true(), Level.level))).label("counted_level"))
        .group_by(ColistenSession.id, ColistenSession.school_id, Level.trait_id)
        .having(func.count() >= 2))


def pattern_rows(school_ids: tuple[int, ...], rubric_id: int, date_from: date | None = None,
                 date_to: date | None = None) -> list[PatternRow]:
    """Conversations per (school, trait, month of the conversation's first local day in range, pattern):
    from the calibration summary for schools whose heatmap rollup is built (it is rebuilt with it),
    from the raw rows for the others."""
    built = tuple(sorted(set(rollup.built_schools(school_ids)) & set(school_ids)))
    raw = tuple(school_id for school_id in school_ids if school_id not in built)
    counts: dict[tuple, int] = defaultdict(int)  # one count per key: rows read both ways merge
    if raw:
        _add(counts, raw_pattern_rows(raw, rubric_id, date_from, date_to))
    if built:
        days: dict = {}  # the engine's month values, parsed once each
        for school, trait, month, c0, c1, c2, level, count in summary.pattern_counts(built, rubric_id, date_from, date_to):
            day = days.get(month) or days.setdefault(month, _day(month))
            counts[(school, trait, day, (int(c0), int(c1), int(c2)), -1 if level is None else int(level))] += count
        cut = summary.cut_conversations(built, rubric_id, date_from, date_to)
        if cut:
            _add(counts, raw_pattern_rows(built, rubric_id, date_from, date_to, cut))
    return _in_key_order(counts)


def _add(counts: dict[tuple, int], rows: list[PatternRow]) -> None:
    for row in rows:
        counts[(row.school_id, row.trait_id, row.month, row.pattern,
                -1 if row.counted_level is None else row.counted_level)] += row.conversations


def _in_key_order(counts: dict[tuple, int]) -> list[PatternRow]:
    """One row per key, in key order (counted level none first: keys hold -1 for it): the bootstrap draws
    over patterns in the order met, so the same conversations give the same interval whichever way they
    were read."""
    return [PatternRow(school, trait, month, pattern, None if level < 0 else level, conversations)
            for (school, trait, month, pattern, level), conversations in sorted(counts.items())]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def raw_pattern_rows(school_ids: tuple[int, ...], rubric_id: int, date_from: date | None = None,
                     date_to: date | None = None, only: set[tuple] | None = None) -> list[PatternRow]:
    """pattern_rows from the raw rows (`only`: just these (session, trait) conversations)."""
    per = _per_conversation(school_ids, rubric_id, date_from, date_to)
    if only is not None:
        sessions = sorted({session_id for session_id, _ in only})
        per = per.where(ColistenSession.id.in_(sessions), or_(*(and_(ColistenSession.id == session_id, Level.trait_id == trait_id)
                                                             for session_id, trait_id in sorted(only))))
    per = per.subquery()
    year, month = cast(extract("year", per.c.day), Integer), cast(extract("month", per.c.day), Integer)
    # Only with two observers is the counted level needed (kappa); grouping by it otherwise splits patterns.
    counted = case((per.c.raters == 2, per.c.counted_level))
    stmt = (select(per.c.school_id, per.c.trait_id, year, month, per.c.c0, per.c.c1, per.c.c2, counted, func.count())
            .group_by(per.c.school_id, per.c.trait_id, year, month, per.c.c0, per.c.c1, per.c.c2, counted))
    return [PatternRow(school, trait, date(int(y), int(m), 1), (int(c0), int(c1), int(c2)),
                       None if level is None else int(level), count)
            for school, trait, y, m, c0, c1, c2, level, count in db.session.execute(stmt)]


def drift_rows(school_id: int, rubric_id: int, date_from: date | None = None, date_to: date | None = None,
               observer_id: int | None = None) -> list[DriftRow]:
    """Per observer and trait: conversations co-listened, and how often their level was above or below
    the mean of the others' (own x raters compared with the sum of all levels: no division). One pass
    over the school's co-listened ratings, the conversation's sum and count as window functions."""
    conversation = (ColistenSession.id, Level.trait_id)
    ratings = _ratings((school_id,), rubric_id, date_from, date_to).add_columns(
        Observation.observer_id.label("observer_id"), Level.trait_id.label("trait_id"), Level.level.label("level"),
        func.sum(Level.level).over(partition_by=conversation).label("total"),
        func.count().over(partition_by=conversation).label("raters")).subquery()
    own = ratings.c.level * ratings.c.raters
    stmt = (select(ratings.c.observer_id, ratings.c.trait_id, func.count(),
                   func.sum(case((own > ratings.c.total, 1), else_=0)), func.sum(case((own < ratings.c.total, 1), else_=0)))
            .where(ratings.c.raters >= 2, ratings.c.observer_id.is_not(None))
            .group_by(ratings.c.observer_id, ratings.c.trait_id))
    if observer_id is not None:
        stmt = stmt.where(ratings.c.observer_id == observer_id)
    return [DriftRow(observer, trait, n, int(above or 0), int(below or 0))
            for observer, trait, n, above, below in db.session.execute(stmt)]


def agreement_by_trait_raw(school_ids: tuple[int, ...], rubric_id: int) -> dict[int, tuple[int, int]]:
    """The bench's baseline: per trait, (conversations, conversations where all agreed) in one plain
    aggregate over the ratings, with no patterns, months or statistics."""
    per = (_ratings(school_ids, rubric_id, None, None)
           .add_columns(Level.trait_id.label("trait_id"),
                        (func.min(Level.level) == func.max(Level.level)).label("agreed"))
           .group_by(ColistenSession.id, Level.trait_id).having(func.count() >= 2).subquery())
    stmt = select(per.c.trait_id, func.count(), func.sum(case((per.c.agreed, 1), else_=0))).group_by(per.c.trait_id)
    found: dict[int, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for trait, n, agreed in db.session.execute(stmt):
        found[trait] = (n, int(agreed or 0))
    return dict(found)


def school_versions(school_ids: tuple[int, ...]) -> tuple:
    """What changes whenever anything the figures read changes: each school's change counter (every write
    of a log or a co-listen session takes a number from it) and the school row's creation time (a school
    deleted and made again under the same id is another school)."""
    return tuple(db.session.execute(
        select(School.id, School.created_at, ChangeCounter.last_seq)
        .outerjoin(ChangeCounter, ChangeCounter.school_id == School.id)
        .where(School.id.in_(school_ids)).order_by(School.id)).all())


def remembered(kind: str, school_ids: tuple[int, ...], args: tuple, compute: Callable[[], list]) -> list:
    """The rows as last computed while the schools were unchanged, else computed now and kept (an LRU of
    CACHE_SIZE results per process). A district's year reduces to patterns in a second; unchanged, it
    is read again in a millisecond."""
    key = (str(db.engine.url), kind, school_ids, args, school_versions(school_ids))
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = compute()
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    else:
        _cache.move_to_end(key)
    return found


def forget() -> None:
    """Drop every remembered result (the bench's cold runs)."""
    _cache.clear()
