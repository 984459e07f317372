"""Pre-aggregation: tables computed from the raw rows, whole schools or some of their days, and read.

`upkeep.py` keeps them exactly equal to the raw queries on every write; `rebuild` recomputes whole
schools. Reads fall back to the raw queries for a school that has no rollup yet or whose bell
schedule changed since (its slots would be cut wrongly), so an answer is never stale, only slower.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import Date, String, bindparam, case, cast, delete, func, insert, literal, select, text, union_all

from server.calibration import summary as calibration
from server.db import db, utcnow
from server.heatmaps import digest, queries
from server.heatmaps import rebuild as rebuilding
from server.heatmaps.exposure import PeriodSpan, Schedule
from server.heatmaps.models import HeatmapPlaceDay, HeatmapSchoolDay, HeatmapState, HeatmapTraitDay, HeatmapTraitWeek
from server.heatmaps.queries import (CONVERSATIONS, FACETS, Filters, L, O, by_date_column, spot_columns, spot_key,
                                     week_of, weekday_sql)
from server.observations.models import ObservationTraitLevel
from server.schools.models import Period, School

TRAIT_DAY = HeatmapTraitDay.__table__
TRAIT_WEEK = HeatmapTraitWeek.__table__
PLACE_DAY = HeatmapPlaceDay.__table__
SCHOOL_DAY = HeatmapSchoolDay.__table__
STATE = HeatmapState.__table__


def schedule_for(school_id: int, zone_name: str | None = None) -> Schedule:
    """The school's bell schedule; `zone_name` when the caller already holds the school (one read fewer)."""
    if zone_name is None:
        zone_name = db.session.scalar(select(School.timezone).where(School.id == school_id))
    periods = db.session.execute(
        select(Period.id, Period.name, Period.starts_at, Period.ends_at).where(Period.school_id == school_id))
    return Schedule(zone_name or "UTC", [PeriodSpan(*row) for row in periods])


# ---------------------------------------------------------------- building

def leading_facets(table) -> list:
    """The trait tables' keys start with the facet: naming every facet lets a school's days be found
    through the key instead of by scanning every school's rows."""
    return [table.c.facet.in_(FACETS)] if "facet" in table.c else []


def lock(school_id: int, days: set[date] | None) -> None:
    """PostgreSQL: one writer per school-week at a time (a recompute rewrites the week rows of its
    days from every day of those weeks), so it sees every earlier commit, no two insert one week and
    no addition falls between its delete and its sum; a rebuild of the whole school (`days` None)
    waits for them all and they for it."""
    if db.session.get_bind().dialect.name != "postgresql":
        return  # SQLite already serialises writers
    if days is None:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:school)"), {"school": school_id})
        return
    db.session.execute(text("SELECT pg_advisory_xact_lock_shared(:school)"), {"school": school_id})
    for week in sorted({week_of(day) for day in days}):
        db.session.execute(text("SELECT pg_advisory_xact_lock(:school, :week)"),
                           {"school": school_id, "week": week.toordinal()})


def rebuild(school_id: int | None = None) -> int:
    """Recompute the rollup of one school or of every school from scratch; the number of schools."""
    school_ids = [school_id] if school_id is not None else list(db.session.scalars(select(School.id).order_by(School.id)))
    for one in school_ids:
        rebuild_school(one, schedule_for(one))
    return len(school_ids)


def rebuild_school(school_id: int, schedule: Schedule) -> None:
    lock(school_id, None)
    for table in (TRAIT_DAY, TRAIT_WEEK, PLACE_DAY, SCHOOL_DAY, STATE, digest.DIGEST, digest.WALK_TIME):
        db.session.execute(delete(table).where(*leading_facets(table), table.c.school_id == school_id))
    fill_traits(school_id, None)
    rebuilding.rebuild_school(school_id, schedule)  # digest and walk time first: presence is summed from them
    calibration.rebuild_school(school_id)
    db.session.execute(insert(STATE).values(school_id=school_id, schedule_key=schedule.key, built_at=utcnow()))


def fill_traits(school_id: int, days: set[date] | None) -> None:
    """The trait day rows of these days (all days without `days`), then the week rows of their weeks."""
    if days is None:
        db.session.execute(day_rows_statement(False), {"school_id": school_id})
    else:
        db.session.execute(day_rows_statement(True), {"school_id": school_id, "days": sorted(days)})
    fill_weeks(school_id, days)


def fill_presence(school_id: int, schedule: Schedule, days: set[date] | None) -> None:
    """The place and school day rows: where conversations were heard, and the listening time."""
    place_rows, school_rows = presence_rows(school_id, queries.presence(school_id, schedule, Filters(), by_date=True, days=days))
    if place_rows:
        db.session.execute(insert(PLACE_DAY), place_rows)
        db.session.execute(insert(SCHOOL_DAY), school_rows)


def presence_rows(school_id: int, tallies: dict[tuple, list[float]]) -> tuple[list[dict], list[dict]]:
    """Place day rows from (day, place, slot) → [conversations, walked, listening seconds], and the
    school day rows that sum them."""
    place_rows, by_day = [], defaultdict(lambda: [0, 0, 0.0])
    for (day, place, slot), (conversations, walked, seconds) in tallies.items():
        place_rows.append({"school_id": school_id, "local_date": day, "location_id": place, "slot": slot,
                           "conversations": conversations, "walked": walked, "listening_seconds": seconds})
        total = by_day[day]
        total[0] += conversations
        total[1] += walked
        total[2] += seconds
    school_rows = [{"school_id": school_id, "local_date": day, "conversations": c, "walked": w, "listening_seconds": s}
                   for day, (c, w, s) in by_day.items()]
    return place_rows, school_rows


@lru_cache(maxsize=2)
def day_rows_statement(some_days: bool):
    """One INSERT … SELECT of every facet's trait and conversation rows for the school `:school_id`, on
    all its days or on `:days`; built once, so each sync only binds its values."""
    conditions = [O.school_id == bindparam("school_id"), queries.counted()]
    if some_days:
        conditions.append(O.local_date.in_(bindparam("days", expanding=True)))
    parts = []
    for facet in FACETS:
        value = facet_sql(facet)
        group = [O.local_date, *queries.facet_columns(facet)]
        parts.append(
            select(literal(facet), O.school_id, O.local_date, L.trait_id, value, func.count(),
                   func.sum(case((L.level >= 1, 1), else_=0)), func.sum(case((L.level == 2, 1), else_=0)),
                   func.sum(queries.walked_flag()))
            .select_from(queries.live_walk_join().join(ObservationTraitLevel.__table__, L.observation_id == O.id))
            .where(*conditions).group_by(O.school_id, L.trait_id, *group))
        parts.append(
            select(literal(facet), O.school_id, O.local_date, literal(CONVERSATIONS), value, func.count(),
                   literal(0), literal(0), func.sum(queries.walked_flag()))
            .select_from(queries.live_walk_join()).where(*conditions).group_by(O.school_id, *group))
    columns = ["facet", "school_id", "local_date", "trait_id", "value", "n", "heard", "strong", "walked"]
    return insert(TRAIT_DAY).from_select(columns, union_all(*parts))


def week_sql(column):
    """The Monday of a date column's week, in each engine's words."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", column), Date)
    return func.date(column, "weekday 0", "-6 days")


def fill_weeks(school_id: int, days: set[date] | None) -> None:
    """Sum the day rows of the weeks these days fall in (all weeks without `days`) into the week table."""
    t = TRAIT_DAY.c
    week = week_sql(t.local_date)
    conditions = [*leading_facets(TRAIT_DAY), t.school_id == school_id]
    if days is not None:
        conditions.append(t.local_date.in_(sorted({week_of(day) + timedelta(days=offset)
                                                  for day in days for offset in range(7)})))
    rows = (select(t.facet, t.school_id, week, t.trait_id, t.value, func.sum(t.n), func.sum(t.heard),
                   func.sum(t.strong), func.sum(t.walked))
            .where(*conditions).group_by(t.facet, t.school_id, week, t.trait_id, t.value))
    db.session.execute(insert(TRAIT_WEEK).from_select(
        ["facet", "school_id", "week", "trait_id", "value", "n", "heard", "strong", "walked"], rows))


def facet_sql(facet: str):
    if facet == "place":
        return cast(O.location_id, String(20))
    if facet == "talk":
        return (func.coalesce(cast(O.setting, String(20)), "") + "/"
                + func.coalesce(cast(O.conversation_kind, String(40)), ""))
    if facet == "team":
        return func.coalesce(O.team, "")
    return literal("")


# ---------------------------------------------------------------- reads

def built_schools(school_ids: Iterable[int]) -> dict[int, str]:
    """Schools with a rollup, and the schedule key it was cut with."""
    return dict(db.session.execute(select(STATE.c.school_id, STATE.c.schedule_key)
                                   .where(STATE.c.school_id.in_(list(school_ids)))).all())


def date_conditions(table, filters: Filters) -> list:
    conditions = []
    if filters.date_from:
        conditions.append(table.c.local_date >= filters.date_from)
    if filters.date_to:
        conditions.append(table.c.local_date <= filters.date_to)
    return conditions


def trait_tallies(filters: Filters, trait_ids: list[int], facet: str, grain: str | None,
                  by_value: bool = True) -> dict[tuple, list[int]]:
    """Same shape as queries.trait_tallies; the filters must all live in `facet`. Without `by_value` the
    facet's values are summed (value ''), as queries.trait_tallies sums them for the 'all' facet: a view
    filtered within a facet but not grouped by it (trends or the district under a setting) reads what it
    shows, not a row per day and value (a district's days by value were ~60k rows for Python to add up).

    Whole weeks inside the date range are read from the week table, the days at its edges from the
    day table, so a year is ~52 rows per key whatever the range.
    """
    tallies: dict[tuple, list[int]] = {}
    kept = queries.kept_values(facet, filters)
    if grain == "day":
        parts = [(TRAIT_DAY, TRAIT_DAY.c.local_date, date_conditions(TRAIT_DAY, filters))]
    else:
        parts = week_and_edge_parts(filters.date_from, filters.date_to)
    for table, when, conditions in parts:
        t = table.c
        dims = ([t.value] if by_value else []) + ([when] if grain else [])
        statement = (
            select(t.school_id, t.trait_id, *dims, func.sum(t.n), func.sum(t.heard), func.sum(t.strong), func.sum(t.walked))
            .where(t.facet == facet, t.school_id.in_(filters.school_ids), t.trait_id.in_(trait_ids), *conditions,
                   *([t.value.in_(kept)] if kept is not None else []))
            .group_by(t.school_id, t.trait_id, *dims)
        )
        for row in db.session.execute(statement):
            school_id, trait_id, *keys = row[:-4]
            value = keys.pop(0) if by_value else ""
            moment = (week_of(keys[0]) if grain == "week" else keys[0]) if grain else None
            total = tallies.setdefault((school_id, trait_id, value, moment), [0, 0, 0, 0])
            for index, number in enumerate(row[-4:]):
                total[index] += int(number or 0)
    return tallies


def week_and_edge_parts(date_from: date | None, date_to: date | None) -> list:
    """(table, date column, conditions) covering [date_from, date_to]: whole weeks, then edge days."""
    first_week = week_of(date_from + timedelta(days=6)) if date_from else None   # first Monday on or after
    last_week = week_of(date_to + timedelta(days=1)) - timedelta(days=7) if date_to else None  # last whole week
    if first_week and last_week and last_week < first_week:
        day = TRAIT_DAY.c.local_date
        return [(TRAIT_DAY, day, [day >= date_from, day <= date_to])]
    week, day = TRAIT_WEEK.c.week, TRAIT_DAY.c.local_date
    week_conditions = ([week >= first_week] if first_week else []) + ([week <= last_week] if last_week else [])
    parts = [(TRAIT_WEEK, week, week_conditions)]
    if date_from and date_from < first_week:
        parts.append((TRAIT_DAY, day, [day >= date_from, day < first_week]))
    if date_to and date_to >= last_week + timedelta(days=7):
        parts.append((TRAIT_DAY, day, [day >= last_week + timedelta(days=7), day <= date_to]))
    return parts


def presence(school_id: int, filters: Filters, by_date: bool | str) -> dict[tuple, list[float]]:
    """(day, weekday or None; place; slot, None by weekday) → [conversations, walked, seconds], as queries.presence."""
    p = PLACE_DAY.c
    when = by_date_column(p.local_date, by_date)
    group = [*([when] if when is not None else []), *spot_columns(p, by_date)]
    statement = (
        select(*group, func.sum(p.conversations), func.sum(p.walked), func.sum(p.listening_seconds))
        .where(p.school_id == school_id, *date_conditions(PLACE_DAY, filters))
        .group_by(*group)
    )
    return {spot_key(row, by_date): [int(row[-3]), int(row[-2]), float(row[-1])] for row in db.session.execute(statement)}


def school_weekdays(filters: Filters) -> dict[tuple, list[float]]:
    """(school, weekday 0 = Monday) → [conversations, walked, listening seconds] for the schools in the filters."""
    s = SCHOOL_DAY.c
    day_of_week = weekday_sql(s.local_date)
    statement = (select(s.school_id, day_of_week, func.sum(s.conversations), func.sum(s.walked), func.sum(s.listening_seconds))
                 .where(s.school_id.in_(filters.school_ids), *date_conditions(SCHOOL_DAY, filters))
                 .group_by(s.school_id, day_of_week))
    return {(row[0], (int(row[1]) + 6) % 7): [int(row[2]), int(row[3]), float(row[4])] for row in db.session.execute(statement)}


def school_days(filters: Filters) -> dict[tuple, list[float]]:
    """(school, day) → [conversations, walked, listening seconds] for every school in the filters."""
    s = SCHOOL_DAY.c
    statement = select(s.school_id, s.local_date, s.conversations, s.walked, s.listening_seconds).where(
        s.school_id.in_(filters.school_ids), *date_conditions(SCHOOL_DAY, filters))
    return {(row[0], row[1]): [row[2], row[3], row[4]] for row in db.session.execute(statement)}


def facet_values(school_id: int, facet: str) -> list[str]:
    t = TRAIT_DAY.c
    return list(db.session.scalars(select(t.value).where(
        t.facet == facet, t.school_id == school_id, t.trait_id == CONVERSATIONS).distinct()))
