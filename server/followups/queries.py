"""The school view of follow-ups: open and overdue counts, and how often they ended in changed practice.

"Ended in a change of practice" = closed (done or dropped) and done with changed_practice true.
Each share carries its n and a 95% Wilson interval, so a share of 2 never looks like a share of 40.
Broken down by the setting of the observation a follow-up came from and by each trait heard in it.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from server.access import Action, require_school
from server.db import db, utcnow
from server.enums import FollowUpStatus
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.rubrics.models import Trait

DUE_SOON = timedelta(days=7)
Z_95 = 1.959964


def wilson(changed: int, n: int) -> dict:
    if n == 0:
        return {"n": 0, "changed": 0, "share": None, "low": None, "high": None}
    p = changed / n
    denominator = 1 + Z_95**2 / n
    centre = (p + Z_95**2 / (2 * n)) / denominator
    half = Z_95 * math.sqrt(p * (1 - p) / n + Z_95**2 / (4 * n * n)) / denominator
    return {"n": n, "changed": changed, "share": round(p, 4),
            "low": round(max(0.0, centre - half), 4), "high": round(min(1.0, centre + half), 4)}


def summary(user, school_id: int, now: datetime | None = None) -> dict:
    require_school(Action.VIEW_AGGREGATES, school_id, user)
    now = now or utcnow()
    live = (FollowUp.school_id == school_id) & FollowUp.deleted_at.is_(None)
    is_open = FollowUp.status == FollowUpStatus.OPEN
    remind_at = func.coalesce(FollowUp.snoozed_until, FollowUp.due_at)

    def tally(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    counts = db.session.execute(select(
        tally(is_open), tally(is_open & (remind_at < now)),
        tally(is_open & (remind_at >= now) & (remind_at < now + DUE_SOON)),
        tally(FollowUp.status == FollowUpStatus.DONE), tally(FollowUp.status == FollowUpStatus.DROPPED),
    ).where(live)).one()
    closed = live & FollowUp.status.in_([FollowUpStatus.DONE, FollowUpStatus.DROPPED])
    changed = tally((FollowUp.status == FollowUpStatus.DONE) & FollowUp.changed_practice.is_(True))
    overall = db.session.execute(select(func.count(), changed).where(closed)).one()
    linked = (Observation.id == FollowUp.observation_id) & Observation.deleted_at.is_(None)
    by_setting = db.session.execute(
        select(Observation.setting, func.count(), changed).select_from(FollowUp).outerjoin(Observation, linked)
        .where(closed).group_by(Observation.setting)
    ).all()
    by_trait = db.session.execute(
        select(Trait.id, Trait.key, Trait.label, Trait.rubric_id, func.count(), changed)
        .select_from(FollowUp).join(Observation, linked)
        .join(ObservationTraitLevel, (ObservationTraitLevel.observation_id == Observation.id) & (ObservationTraitLevel.level >= 1))
        .join(Trait, Trait.id == ObservationTraitLevel.trait_id)
        .where(closed).group_by(Trait.id, Trait.key, Trait.label, Trait.rubric_id, Trait.position)
        .order_by(Trait.rubric_id, Trait.position)
    ).all()
    return {
        "school_id": school_id, "as_of": now,
        "open": counts[0], "overdue": counts[1], "due_soon": counts[2], "done": counts[3], "dropped": counts[4],
        "changed_practice": wilson(int(overall[1]), overall[0]),
        "by_trait": [{"trait_id": row[0], "trait_key": row[1], "label": row[2], "rubric_id": row[3], **wilson(int(row[5]), row[4])}
                     for row in by_trait],
        "by_setting": sorted(
            ({"setting": str(row[0]) if row[0] is not None else None, **wilson(int(row[2]), row[1])} for row in by_setting),
            key=lambda item: (item["setting"] is None, item["setting"] or ""),
        ),
    }
