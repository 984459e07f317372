"""The follow-ups behind the Results page, read once per request as plain rows.

A school's follow-ups number in the hundreds or low thousands a year, so they are read with their
conversation's setting, kind and team (and the traits heard in it) and tallied in Python: the same
code answers on SQLite and PostgreSQL, and each figure is easy to check by hand.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import aliased

from server.db import db
from server.enums import FollowUpStatus
from server.followups.models import FollowUp
from server.heatmaps.queries import Filters
from server.observations.models import Observation, ObservationTraitLevel
from server.plans.models import PlannedConversation


@dataclass
class FollowUpRow:
    """One follow-up, with the conversation it came from (None where it came from none)."""

    status: FollowUpStatus
    due_local: date
    remind_at: datetime
    completed_local: date | None
    changed_practice: bool | None
    opened_local: date
    setting: str | None = None
    kind: str | None = None
    team: str | None = None
    plan: str | None = None                # the planned conversation it was heard at, as "<id>" (None: not at one)
    plan_name: str | None = None
    linked: bool = False
    traits: set[int] = field(default_factory=set)
    source_id: uuid.UUID | None = None     # the conversation it came from
    evidence_id: uuid.UUID | None = None   # a later conversation linked as evidence of change (live, same school)


def as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def local_bounds(filters: Filters, zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
    """The date filters as UTC instants: from the start of the first local day to the end of the last."""
    start = end = None
    if filters.date_from:
        start = datetime.combine(filters.date_from, time(0), tzinfo=zone).astimezone(timezone.utc)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time(0), tzinfo=zone).astimezone(timezone.utc)
    return start, end


def outcome_row(zone: ZoneInfo, status, due_at, snoozed, completed, changed, created) -> FollowUpRow:
    """A follow-up's status and dates as the tallies read them (days in the school's zone)."""
    local_of = lambda moment: as_utc(moment).astimezone(zone).date()  # noqa: E731
    return FollowUpRow(status=FollowUpStatus(status), due_local=local_of(due_at), remind_at=as_utc(snoozed or due_at),
                       completed_local=local_of(completed) if completed else None, changed_practice=changed,
                       opened_local=local_of(created))


def outcome_rows_by_school(schools, date_from: date, date_to: date) -> dict[int, list[FollowUpRow]]:
    """Each school's live follow-ups opened in the date range (its own local days), in one query for all of
    them: what the district brief tallies, without the conversation each came from (unfiltered, as there)."""
    found: dict[int, list[FollowUpRow]] = {school.id: [] for school in schools}
    if not schools:
        return found
    filters = Filters(date_from=date_from, date_to=date_to)
    bounds = {school.id: (ZoneInfo(school.timezone), *local_bounds(filters, ZoneInfo(school.timezone))) for school in schools}
    query = (select(FollowUp.school_id, FollowUp.status, FollowUp.due_at, FollowUp.snoozed_until, FollowUp.completed_at,
                    FollowUp.changed_practice, FollowUp.created_at)
             .where(FollowUp.school_id.in_(list(found)), FollowUp.deleted_at.is_(None),
                    FollowUp.created_at >= min(start for _zone, start, _end in bounds.values()),
                    FollowUp.created_at < max(end for _zone, _start, end in bounds.values())))
    for school_id, status, due_at, snoozed, completed, changed, created in db.session.execute(query):
        zone, start, end = bounds[school_id]
        if start <= as_utc(created) < end:  # the widest range was read: each school keeps its own local days
            found[school_id].append(outcome_row(zone, status, due_at, snoozed, completed, changed, created))
    return found


def follow_up_rows(school_id: int, zone: ZoneInfo, filters: Filters, trait_ids: list[int]) -> list[FollowUpRow]:
    """Live follow-ups of the school opened in the date range; the conversation filters narrow them to
    follow-ups of matching conversations (so a follow-up from no conversation only counts unfiltered)."""
    linked = (Observation.id == FollowUp.observation_id) & Observation.deleted_at.is_(None)
    later = aliased(Observation)
    evidence = ((later.id == FollowUp.evidence_observation_id) & later.deleted_at.is_(None)
                & (later.school_id == FollowUp.school_id))
    query = (select(FollowUp.id, FollowUp.status, FollowUp.due_at, FollowUp.snoozed_until, FollowUp.completed_at,
                    FollowUp.changed_practice, FollowUp.created_at, Observation.id, Observation.setting,
                    Observation.conversation_kind, Observation.team, later.id, PlannedConversation.id, PlannedConversation.name)
             .select_from(FollowUp).outerjoin(Observation, linked).outerjoin(later, evidence)
             .outerjoin(PlannedConversation, (PlannedConversation.id == Observation.plan_id)
                        & (PlannedConversation.school_id == FollowUp.school_id))
             .where(FollowUp.school_id == school_id, FollowUp.deleted_at.is_(None)))
    start, end = local_bounds(filters, zone)
    if start is not None:
        query = query.where(FollowUp.created_at >= start)
    if end is not None:
        query = query.where(FollowUp.created_at < end)
    if filters.setting:
        query = query.where(Observation.setting == filters.setting)
    if filters.conversation_kind:
        query = query.where(Observation.conversation_kind == filters.conversation_kind)
    if filters.team is not None:
        query = query.where(Observation.team == filters.team)
    if filters.observer_id is not None:
        query = query.where(Observation.observer_id == filters.observer_id)
    if filters.planned is not None:
        query = query.where(Observation.plan_id.is_not(None) if filters.planned else Observation.plan_id.is_(None))
    rows: dict = {}
    for (fid, status, due_at, snoozed, completed, changed, created, obs_id, setting, kind, team, later_id, plan_id,
         plan_name) in db.session.execute(query):
        rows[fid] = replace(
            outcome_row(zone, status, due_at, snoozed, completed, changed, created), setting=getattr(setting, "value", setting),
            kind=getattr(kind, "value", kind), team=team or None, linked=obs_id is not None,
            source_id=obs_id, evidence_id=later_id if obs_id is not None else None,
            plan=str(plan_id) if plan_id is not None else None, plan_name=plan_name)
    if rows and trait_ids:
        heard = (select(FollowUp.id, ObservationTraitLevel.trait_id).select_from(FollowUp)
                 .join(Observation, linked)
                 .join(ObservationTraitLevel, ObservationTraitLevel.observation_id == Observation.id)
                 .where(FollowUp.school_id == school_id, FollowUp.deleted_at.is_(None),
                        ObservationTraitLevel.level >= 1, ObservationTraitLevel.trait_id.in_(trait_ids)))
        found = defaultdict(set)
        for fid, trait_id in db.session.execute(heard):
            found[fid].add(trait_id)
        for fid, traits in found.items():
            if fid in rows:
                rows[fid].traits = traits
    return list(rows.values())
