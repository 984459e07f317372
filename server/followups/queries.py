"""The school view of follow-ups: open and overdue counts, and how often they ended in changed practice.

"Changed practice" = done with changed_practice true, out of the follow-ups done with an answer
(server/followups/outcomes.py, shared with the Results page).
Each share carries its n and a 95% Wilson interval, so a share of 2 never looks like a share of 40.
Broken down by the setting of the observation a follow-up came from and by each trait heard in it.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select

from server.access import Action, require_school
from server.db import db, utcnow
from server.enums import FollowUpStatus
from server.followups.models import FollowUp
from server.followups.outcomes import practice_answer
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


@dataclass
class Counts:
    """Follow-ups that answered "did practice change?" (see server/followups/outcomes.py) and how many said yes."""

    answered: int = 0
    changed: int = 0

    def add(self, status, changed_practice) -> None:
        answer = practice_answer(status, changed_practice)
        if answer is not None:
            self.answered += 1
            self.changed += answer

    def share(self) -> dict:
        return wilson(self.changed, self.answered)


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
    linked = (Observation.id == FollowUp.observation_id) & Observation.deleted_at.is_(None)
    overall, by_setting, by_trait = Counts(), defaultdict(Counts), defaultdict(Counts)
    for status, changed_practice, setting in db.session.execute(
            select(FollowUp.status, FollowUp.changed_practice, Observation.setting)
            .select_from(FollowUp).outerjoin(Observation, linked).where(closed)):
        overall.add(status, changed_practice)
        by_setting[str(getattr(setting, "value", setting)) if setting is not None else None].add(status, changed_practice)
    traits = {}
    for trait_id, key, label, rubric_id, position, status, changed_practice in db.session.execute(
            select(Trait.id, Trait.key, Trait.label, Trait.rubric_id, Trait.position, FollowUp.status, FollowUp.changed_practice)
            .select_from(FollowUp).join(Observation, linked)
            .join(ObservationTraitLevel, (ObservationTraitLevel.observation_id == Observation.id) & (ObservationTraitLevel.level >= 1))
            .join(Trait, Trait.id == ObservationTraitLevel.trait_id).where(closed)):
        traits[trait_id] = (rubric_id, position, key, label)
        by_trait[trait_id].add(status, changed_practice)
    return {
        "school_id": school_id, "as_of": now,
        "open": counts[0], "overdue": counts[1], "due_soon": counts[2], "done": counts[3], "dropped": counts[4],
        "changed_practice": overall.share(),
        "by_trait": [{"trait_id": trait_id, "trait_key": key, "label": label, "rubric_id": rubric_id, **by_trait[trait_id].share()}
                     for trait_id, (rubric_id, _position, key, label) in sorted(traits.items(), key=lambda item: item[1][:2])],
        "by_setting": sorted(({"setting": setting, **counts.share()} for setting, counts in by_setting.items()),
                             key=lambda item: (item["setting"] is None, item["setting"] or "")),
    }
