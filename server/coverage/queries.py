"""The rows behind a school's coverage, read once per request with grouped queries on indexed columns.

A school's linked logs and checks number in the hundreds to low thousands a year, so every figure
comes from four small aggregates keyed by (plan, local day), all through the (school, plan, day)
indexes, and is put together in Python the same way on SQLite and PostgreSQL.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select

from server.db import db
from server.heatmaps.digest import DIGEST, LANES, MAX_TRAITS, D, TraitBits, lane_count
from server.heatmaps.rollup import built_schools
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.plans.checks import PlanCheck
from server.enums import FollowUpStatus
from server.results.queries import FollowUpRow, as_utc

O = Observation.__table__.c  # Core columns on the session's connection: no ORM row machinery for plain tallies
L = ObservationTraitLevel.__table__.c
C = PlanCheck.__table__.c
F = FollowUp.__table__.c


def run(statement):
    return db.session.connection().execute(statement)


def linked(school_id: int, start: date, end: date) -> list:
    return [O.school_id == school_id, O.plan_id.is_not(None), O.plan_day >= start, O.plan_day <= end,
            O.deleted_at.is_(None)]


def heard_days(school_id: int, start: date, end: date) -> dict[tuple[int, date], int]:
    """(plan, local day) → live logs linked to that occurrence."""
    rows = run(select(O.plan_id, O.plan_day, func.count()).where(*linked(school_id, start, end))
               .group_by(O.plan_id, O.plan_day))
    return {(plan_id, day): count for plan_id, day, count in rows}


def checks(school_id: int, start: date, end: date) -> dict[tuple[int, date], str]:
    """(plan, local day) → the outcome of its latest live check."""
    rows = run(select(C.plan_id, C.day, C.outcome, C.checked_at)
               .where(C.school_id == school_id, C.day >= start, C.day <= end, C.deleted_at.is_(None)))
    latest: dict[tuple[int, date], tuple] = {}
    for plan_id, day, outcome, checked_at in rows:
        key = (plan_id, day)
        if key not in latest or as_utc(checked_at) > latest[key][1]:
            latest[key] = (getattr(outcome, "value", outcome), as_utc(checked_at))
    return {key: outcome for key, (outcome, _at) in latest.items()}


def trait_tallies(school_id: int, start: date, end: date, rubric_id: int | None,
                  trait_ids: list[int]) -> dict[tuple[int, int], list[int]]:
    """(plan, trait) → [n, heard, strong] over the logs linked to it that count (one per co-listened talk).

    Where the school's heatmap digest is built (one row per counted conversation, its levels packed into
    lanes: server/heatmaps/digest.py), each linked log is one digest row summed by plan, instead of seven
    trait rows fetched by random id: the largest read of the coverage page at a district's scale."""
    bits = TraitBits()[rubric_id] if rubric_id is not None else {}
    ranks = {trait_id: bits.get(trait_id) for trait_id in trait_ids}
    if (rubric_id is None or not trait_ids or any(rank is None or rank >= MAX_TRAITS for rank in ranks.values())
            or school_id not in built_schools([school_id])):
        return _raw_trait_tallies(school_id, start, end, trait_ids)
    rows = run(select(O.plan_id, *(func.sum(lane) for lane in LANES))
               .select_from(Observation.__table__.join(DIGEST, D.observation_id == O.id))
               .where(*linked(school_id, start, end), D.rubric_id == rubric_id)
               .group_by(O.plan_id))
    found = {}
    for plan_id, *sums in rows:
        lanes = [int(number or 0) for number in sums]
        for trait_id, rank in ranks.items():
            counters = [lane_count(lanes, 3 * rank + offset) for offset in range(3)]
            if counters[0]:
                found[(plan_id, trait_id)] = counters
    return found


def _raw_trait_tallies(school_id: int, start: date, end: date, trait_ids: list[int]) -> dict[tuple[int, int], list[int]]:
    """The same from the raw trait levels, for a school whose digest is not built yet."""
    rows = run(
        select(O.plan_id, L.trait_id, func.count(), func.sum(case((L.level >= 1, 1), else_=0)),
               func.sum(case((L.level == 2, 1), else_=0)))
        .select_from(Observation.__table__.join(ObservationTraitLevel.__table__, L.observation_id == O.id))
        .where(*linked(school_id, start, end), O.counted.is_(True), L.trait_id.in_(trait_ids))
        .group_by(O.plan_id, L.trait_id))
    return {(plan_id, trait_id): [int(n), int(heard or 0), int(strong or 0)] for plan_id, trait_id, n, heard, strong in rows}


def follow_ups(school_id: int, start: date, end: date, zone: ZoneInfo) -> dict[int, list[FollowUpRow]]:
    """plan → the live follow-ups of its linked logs, as the Results page reads them."""
    rows = run(
        select(O.plan_id, F.status, F.due_at, F.snoozed_until, F.completed_at, F.changed_practice, F.created_at)
        .select_from(FollowUp.__table__.join(Observation.__table__, O.id == F.observation_id))
        .where(*linked(school_id, start, end), F.school_id == school_id, F.deleted_at.is_(None)))
    found: dict[int, list[FollowUpRow]] = defaultdict(list)
    local_of = lambda moment: as_utc(moment).astimezone(zone).date()  # noqa: E731
    for plan_id, status, due_at, snoozed, completed, changed, created in rows:
        found[plan_id].append(FollowUpRow(
            status=FollowUpStatus(status), due_local=local_of(due_at), remind_at=as_utc(snoozed or due_at),
            completed_local=local_of(completed) if completed else None, changed_practice=changed,
            opened_local=local_of(created), linked=True))
    return found
