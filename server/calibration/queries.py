"""The read side of calibration: co-listened conversations reduced in the database to rating patterns.

A conversation is a co-listen session with its linked, non-deleted logs of one rubric; per trait it
becomes (c0, c1, c2), the number of observers at each level, plus the counted log's level (for the
two-observer kappa). The database then counts conversations per pattern, so a district's year comes
back as a few hundred rows instead of every rating. The walk starts from the schools' co-listened
logs (a partial index of the 5 % or so of logs in a co-listen, by school), then their sessions and levels.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Integer, and_, case, cast, extract, func, or_, select, true

from server.calibration import summary

from server.changes import ChangeCounter
from server.colisten.models import ColistenSession
from server.db import db
from server.heatmaps import rollup
from server.observations.models import Observation, ObservationTraitLevel
from server.schools.models import School

Level = ObservationTraitLevel
CACHE_SIZE = 1024  # results and schools' pattern counts (a few kB each)
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


SCHOOL, TRAIT, MONTH, C0, C1, C2, PAIR = range(7)  # the columns of Patterns.keys


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_date(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def _ranked(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The column's distinct values in order, and each row's rank among them: counted over the values'
    range when it is narrow (ids, levels, months), so no sort."""
    low, high = int(column.min()), int(column.max())
    if high - low > 4 * len(column) + 1024:
        values, rank = np.unique(column, return_inverse=True)
        return values, rank.ravel()
    present = np.bincount(column - low, minlength=high - low + 1) > 0
    return np.flatnonzero(present) + low, (np.cumsum(present) - 1)[column - low]


@dataclass(frozen=True)
class Tally:
    """One group's conversations per trait: rating patterns, and the (counted, other) levels of the
    two-observer ones (kappa's pairs)."""

    patterns: dict[int, dict[tuple[int, int, int], int]]
    pairs: dict[int, dict[tuple[int, int], int]]


EMPTY = Tally({}, {})


class Patterns:
    """Conversations per (school, trait, month, pattern, counted level) as numpy columns.

    A district's year is about 20,000 such rows: as Python objects, walked once for the pooled figures,
    once per school and once per month, they cost more than the query (150 ms at 1M observations);
    numpy groups them in a few milliseconds. `keys` holds school, trait, month number (year × 12 +
    month − 1), c0, c1, c2 and the counted level (−1: none); rows may repeat a key (read two ways)."""

    def __init__(self, keys: np.ndarray, counts: np.ndarray):
        self.keys, self.counts = keys.reshape(-1, 7), counts
        self._ranks: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # column → (distinct values, each row's rank)

    @classmethod
    def of(cls, rows: list[tuple]) -> Patterns:
        """From (school, trait, month number, c0, c1, c2, level or −1, conversations) rows of plain ints."""
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=8 * len(rows)).reshape(-1, 8)
        return cls(flat[:, :7], flat[:, 7])

    @classmethod
    def of_rows(cls, rows: list[PatternRow]) -> Patterns:
        return cls.of([(r.school_id, r.trait_id, month_number(r.month), *r.pattern,
                        -1 if r.counted_level is None else r.counted_level, r.conversations) for r in rows])

    @classmethod
    def joined(cls, parts: list[Patterns]) -> Patterns:
        if not parts:
            return cls.of([])
        return cls(np.concatenate([p.keys for p in parts]), np.concatenate([p.counts for p in parts]))

    def __len__(self) -> int:
        return len(self.counts)

    def by_school(self) -> dict[int, Patterns]:
        order = np.argsort(self.keys[:, SCHOOL], kind="stable")
        keys, counts = self.keys[order], self.counts[order]
        schools, starts = np.unique(keys[:, SCHOOL], return_index=True)
        ends = [*starts[1:].tolist(), len(keys)]
        return {school: Patterns(keys[start:end], counts[start:end])
                for school, start, end in zip(schools.tolist(), starts.tolist(), ends)}

    def grouped(self, columns: list[int]) -> tuple[list[list[int]], list[int]]:
        """The distinct values of these key columns, in order, and the conversations of each: each row's
        key as one number in mixed radix over the columns' distinct values, then counted in a dense
        array of every possible key (a few hundred thousand slots at most here), so no sort."""
        if not len(self):
            return [], []
        code, space, parts = np.zeros(len(self), dtype=np.int64), 1, []
        for column in columns:
            if column not in self._ranks:
                self._ranks[column] = _ranked(self.keys[:, column])
            values, rank = self._ranks[column]
            code, space = code * len(values) + rank, space * len(values)
            parts.append(values)
        if space > 64 * len(self) + 65536:  # sparse: sort instead
            found, group = np.unique(code, return_inverse=True)
            sums = np.bincount(group.ravel(), weights=self.counts)
        else:
            sums = np.bincount(code, weights=self.counts, minlength=space)
            found = np.flatnonzero(sums)
            sums = sums[found]
        keys = np.empty((len(found), len(columns)), dtype=np.int64)
        for index in range(len(columns) - 1, -1, -1):
            found, rank = np.divmod(found, len(parts[index]))
            keys[:, index] = parts[index][rank]
        return keys.tolist(), np.rint(sums).astype(np.int64).tolist()

    def tallies(self, by: int | None = None) -> dict:
        """Tally per value of the `by` column (SCHOOL or MONTH), or the one tally of all under None. Patterns
        come in key order: the bootstrap draws over them in the order met, so the same conversations give
        the same interval whichever way they were read."""
        head = [] if by is None else [by]
        found: dict = {}
        keys, sums = self.grouped(head + [TRAIT, C0, C1, C2, PAIR])
        for key, n in zip(keys, sums):
            group = key[0] if head else None
            trait, c0, c1, c2, level = key[-5:]
            tally = found.get(group)
            if tally is None:
                tally = found[group] = Tally({}, {})
            patterns = tally.patterns.setdefault(trait, {})
            patterns[(c0, c1, c2)] = patterns.get((c0, c1, c2), 0) + n
            if level >= 0 and c0 + c1 + c2 == 2:
                pairs = tally.pairs.setdefault(trait, {})
                pair = (level, c1 + 2 * c2 - level)
                pairs[pair] = pairs.get(pair, 0) + n
        return found

    def total(self) -> Tally:
        return self.tallies().get(None, EMPTY)

    def __iter__(self):
        """As PatternRows, one per key, in key order (the consistency tests compare them with the raw rows)."""
        keys, sums = self.grouped([SCHOOL, TRAIT, MONTH, C0, C1, C2, PAIR])
        for (school, trait, month, c0, c1, c2, level), n in zip(keys, sums):
            yield PatternRow(school, trait, month_date(month), (c0, c1, c2), None if level < 0 else level, n)


def pattern_rows(school_ids: tuple[int, ...], rubric_id: int, date_from: date | None = None,
                 date_to: date | None = None) -> Patterns:
    """Conversations per (school, trait, month of the conversation's first local day in range, pattern):
    from the calibration summary for schools whose heatmap rollup is built (it is rebuilt with it),
    from the raw rows for the others."""
    built = tuple(sorted(set(rollup.built_schools(school_ids)) & set(school_ids)))
    raw = tuple(school_id for school_id in school_ids if school_id not in built)
    parts = []
    if raw:
        parts.append(Patterns.of_rows(raw_pattern_rows(raw, rubric_id, date_from, date_to)))
    if built:
        parts += _summary_patterns(built, rubric_id, date_from, date_to)
        cut = summary.cut_conversations(built, rubric_id, date_from, date_to)
        if cut:
            parts.append(Patterns.of_rows(raw_pattern_rows(built, rubric_id, date_from, date_to, cut)))
    return Patterns.joined(parts)


def _summary_patterns(school_ids: tuple[int, ...], rubric_id: int, date_from: date | None,
                      date_to: date | None) -> list[Patterns]:
    """Each school's pattern counts from the summary, remembered while that school is unchanged: a sync
    changes one school, so the district's next view reads that school again, not all of them (every
    missing school in one statement)."""
    url = str(db.engine.url)
    keys = {version[0]: (url, "school patterns", rubric_id, date_from, date_to, version)
            for version in school_versions(school_ids)}
    found, missing = [], []
    for school_id, key in keys.items():
        part = _cache.get(key)
        if part is None:
            missing.append(school_id)
        else:
            _cache.move_to_end(key)
            found.append(part)
    if missing:
        fresh = Patterns.of(summary.pattern_counts(tuple(missing), rubric_id, date_from, date_to)).by_school()
        for school_id in missing:
            part = fresh.get(school_id) or Patterns.of([])
            _keep(keys[school_id], part)
            found.append(part)
    return found


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
    of a log or a co-listen session takes a number from it), when its rollup and calibration summary were
    last rebuilt (`hallpulse heatmaps rebuild` after a bulk fix that took no number), and the school row's
    creation time (a school deleted and made again under the same id is another school)."""
    return tuple(db.session.execute(
        select(School.id, School.created_at, ChangeCounter.last_seq, rollup.STATE.c.built_at)
        .outerjoin(ChangeCounter, ChangeCounter.school_id == School.id)
        .outerjoin(rollup.STATE, rollup.STATE.c.school_id == School.id)
        .where(School.id.in_(school_ids)).order_by(School.id)).all())


def remembered(kind: str, school_ids: tuple[int, ...], args: tuple, compute: Callable[[], list]) -> list:
    """The rows as last computed while the schools were unchanged, else computed now and kept (an LRU of
    CACHE_SIZE entries per process, shared with each school's pattern counts). Unchanged, a district's
    year is read again in a millisecond."""
    key = (str(db.engine.url), kind, school_ids, args, school_versions(school_ids))
    found = _cache.get(key)
    if found is None:
        found = compute()
        _keep(key, found)
    else:
        _cache.move_to_end(key)
    return found


def _keep(key: tuple, value) -> None:
    _cache[key] = value
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)


def forget() -> None:
    """Drop every remembered result (the bench's cold runs)."""
    _cache.clear()
