"""Time spent listening: a school's day cut into slots, and each walk's time given to places and slots.

Rule (docs/performance.md, "Exposure"): a walk listens from its start to its end, stretched to take
in any conversation logged within MAX_WALK of its start, and cut at MAX_WALK long (a walk left
running all afternoon is not an afternoon of listening). Its time goes to the places where it
logged conversations: each stretch between two logs is split at the midpoint, so a leader is taken
to be at the place of the nearest log; before the first log they were at the first place, after the
last at the last. Only logs within the walk's window steer its time. A walk that logged nothing
there listened somewhere unknown (location 0): its time counts in the school's totals but in no
place's row. Each piece is then split by the school's bell
schedule on its local day, in the school's zone, so a walk crossing two periods counts in both and
a daylight-saving week keeps local periods at local times.
"""
from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

BEFORE, BETWEEN, AFTER = -1, -2, -3
SLOT_NAMES = {BEFORE: "Before school", BETWEEN: "Between periods", AFTER: "After school"}
UNPLACED = 0
MAX_WALK = timedelta(hours=4)
UTC = timezone.utc


@lru_cache(maxsize=128)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True)
class PeriodSpan:
    id: int
    name: str
    starts_at: time
    ends_at: time


class Schedule:
    """A school's bell schedule in its zone: which slot a moment falls in, and each day's slots in UTC."""

    def __init__(self, timezone_name: str, periods: Iterable[PeriodSpan]):
        self.zone = zone(timezone_name)
        self.timezone_name = timezone_name
        spans, last_end = [], time(0)
        for period in sorted(periods, key=lambda p: (p.starts_at, p.id)):
            start = max(period.starts_at, last_end)  # overlapping periods: the earlier one keeps the overlap
            if period.ends_at > start:
                spans.append(PeriodSpan(period.id, period.name, start, period.ends_at))
                last_end = period.ends_at
        self.periods = spans
        self._starts = [p.starts_at for p in spans]
        self._day_cache: dict[date, list[tuple[datetime, datetime, int]]] = {}

    @property
    def key(self) -> str:
        """Changes whenever slots would be cut differently: a stale rollup is noticed, not trusted."""
        text = self.timezone_name + ";" + ";".join(f"{p.id},{p.starts_at},{p.ends_at}" for p in self.periods)
        return hashlib.sha256(text.encode()).hexdigest()

    def slots(self) -> list[tuple[int, str]]:
        """Columns in the order of the day: before the first period, the periods (and the gaps), after the last."""
        if not self.periods:
            return [(BEFORE, "Any time")]
        first, last = self.periods[0].starts_at, self.periods[-1].ends_at
        return [(BEFORE, f"Before {first:%H:%M}"), *((p.id, p.name) for p in self.periods),
                (BETWEEN, SLOT_NAMES[BETWEEN]), (AFTER, f"After {last:%H:%M}")]

    def slot_at(self, moment: datetime) -> int:
        local = moment.astimezone(self.zone).time()
        if not self.periods or local < self.periods[0].starts_at:
            return BEFORE
        index = bisect_right(self._starts, local) - 1
        period = self.periods[index]
        if local < period.ends_at:
            return period.id
        return AFTER if index == len(self.periods) - 1 else BETWEEN

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def day_slots(self, day: date) -> list[tuple[datetime, datetime, int]]:
        """The local day from midnight to midnight as (start UTC, end UTC, slot), in order."""
        cached = self._day_cache.get(day)
        if cached is not None:
            return cached
        edges: list[tuple[time, int]] = []  # (local start, slot that begins there)
        cursor = time(0)
        for period in self.periods:
            if period.starts_at > cursor:
                edges.append((cursor, BETWEEN if edges else BEFORE))
            edges.append((period.starts_at, period.id))
            cursor = period.ends_at
        edges.append((cursor, AFTER if self.periods else BEFORE))
        bounds = [self._utc(day, start) for start, _ in edges] + [self._utc(day + timedelta(days=1), time(0))]
        result = [(bounds[i], bounds[i + 1], slot) for i, (_, slot) in enumerate(edges) if bounds[i + 1] > bounds[i]]
        self._day_cache[day] = result
        return result

    def _utc(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True)
class Stop:
    """A conversation logged on a walk: when and where."""

    observed_at: datetime
    location_id: int


def walk_window(started_at: datetime, ended_at: datetime | None, stops: list[Stop]) -> tuple[datetime, datetime]:
    """Start to end, stretched to the stops logged within MAX_WALK of the start, and at most MAX_WALK long.

    So a walk's time always lies within MAX_WALK of its start, whatever its device's clock said.
    """
    near = [s.observed_at for s in stops if abs(s.observed_at - started_at) <= MAX_WALK]
    start = min([started_at, *near])
    end = max([ended_at or started_at, *near])
    return start, max(start, min(end, start + MAX_WALK))


def walk_pieces(started_at: datetime, ended_at: datetime | None, stops: list[Stop]) -> list[tuple[datetime, datetime, int]]:
    """The walk's time as (from, to, place): split at midpoints between logs at different places."""
    start, end = walk_window(started_at, ended_at, stops)
    inside = [stop for stop in stops if start <= stop.observed_at <= end]
    if not inside:
        return [(start, end, UNPLACED)] if end > start else []
    ordered = sorted(inside, key=lambda s: (s.observed_at, s.location_id))
    pieces, piece_start, place = [], start, ordered[0].location_id
    for previous, following in zip(ordered, ordered[1:]):
        if following.location_id == place:
            continue
        middle = previous.observed_at + (following.observed_at - previous.observed_at) / 2
        pieces.append((piece_start, middle, place))
        piece_start, place = middle, following.location_id
    pieces.append((piece_start, end, place))
    return [piece for piece in pieces if piece[1] > piece[0]]


def walk_exposure(schedule: Schedule, started_at: datetime, ended_at: datetime | None,
                  stops: list[Stop]) -> dict[tuple[date, int, int], float]:
    """Seconds of listening by (local day, place, slot)."""
    seconds: dict[tuple[date, int, int], float] = {}
    for piece_start, piece_end, place in walk_pieces(started_at, ended_at, stops):
        day = schedule.local_date(piece_start)
        last_day = schedule.local_date(piece_end)
        while day <= last_day:
            for slot_start, slot_end, slot in schedule.day_slots(day):
                overlap = (min(piece_end, slot_end) - max(piece_start, slot_start)).total_seconds()
                if overlap > 0:
                    key = (day, place, slot)
                    seconds[key] = seconds.get(key, 0.0) + overlap
            day += timedelta(days=1)
    return seconds


def walk_days(schedule: Schedule, started_at: datetime, ended_at: datetime | None, stops: list[Stop]) -> set[date]:
    """Local days a walk's listening time falls on."""
    start, end = walk_window(started_at, ended_at, stops)
    first, last = schedule.local_date(start), schedule.local_date(end)
    return {first + timedelta(days=offset) for offset in range((last - first).days + 1)}
