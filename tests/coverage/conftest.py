"""A hand-built term whose coverage figures are worked out by hand in the tests.

School in America/Chicago (US DST ends Sunday 1 Nov 2026), minimum n 3.
Grade 7 PLC: weekly, Tuesday 15:00–16:00, 20 Oct – 17 Nov 2026, 10 Nov cancelled in the plan.
  Tue 20 Oct (CDT)  heard: logs a (evidence 2, action 0), b (evidence 0), and c, a co-listen copy
                    that does not count for the traits (counted=false)
  Tue 27 Oct        checked: not held
  Tue  3 Nov (CST)  heard: log d, at 15:10 CST (evidence 1, action 1)   ← the week after the DST change
  Tue 10 Nov        cancelled in the plan
  Tue 17 Nov        not checked (a deleted log e and a deleted check name it)
  → n 4, checked 3, heard 2; not held 1; cancelled 1; not checked 1; logs 4
  → evidence heard 2 of 3 (strong 1), action 1 of 3, substantive 3 of 3 (a, b, d: every one level 1)
  → follow-ups: from a done, changed practice; from d open and overdue (due 6 Nov) → 2 opened, 1 done, 1 open,
    1 overdue, changed 1 of 1
Math data team: every other Thursday 07:30–08:15, 22 Oct – 19 Nov: 22 Oct, 5 Nov, 19 Nov.
  22 Oct  two checks: "cancelled" at 07:40, then "not_learning" at 08:10 → the latest: logistics only
  5 Nov   a check "not held" and a log f → heard (a log wins)
  19 Nov  only a deleted check → not checked
  → n 3, checked 2, heard 1 (too few: 2 < 3)
Whole school: n 7, checked 5, heard 3.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from schemas.plans import PlanCreateSchema
from server.enums import ConversationKind, FollowUpStatus, PlanCheckOutcome
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.plans import service as plans
from server.plans.checks import PlanCheck
from server.schools.models import Location
from tests import factories
from tests.plans.helpers import plan_body


def local(school, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(school.timezone)).astimezone(timezone.utc)


def log(db, school, observer, plan, when: str, levels: dict, day: str | None = None, **extra) -> Observation:
    """A log linked to the plan's occurrence on `day` (default: the day of `when`)."""
    rubric = factories.default_rubric()
    place = db.session.scalar(select(Location.id).where(Location.school_id == school.id).limit(1))
    at = local(school, when)
    observation = Observation(
        id=uuid.uuid4(), school_id=school.id, observer_id=observer.id, rubric_id=rubric.id, location_id=place,
        observed_at=at, local_date=at.astimezone(ZoneInfo(school.timezone)).date(), setting=plan.kind.setting,
        conversation_kind=plan.kind, plan_id=plan.id,
        plan_day=datetime.fromisoformat(day or when[:10]).date(),
        trait_levels=[ObservationTraitLevel(trait_id=t.id, level=levels.get(t.key, 0 if t.key != "substantive" else 1))
                      for t in rubric.traits], **extra)
    db.session.add(observation)
    return observation


def check(db, school, observer, plan, day: str, outcome: str, at: str, deleted: bool = False) -> PlanCheck:
    row = PlanCheck(id=uuid.uuid4(), school_id=school.id, plan_id=plan.id, day=datetime.fromisoformat(day).date(),
                    observer_id=observer.id, outcome=PlanCheckOutcome(outcome), checked_at=local(school, at),
                    deleted_at=local(school, at) if deleted else None)
    db.session.add(row)
    return row


def make_plan(school, principal, name: str, **rule):
    body = plan_body(name, **rule)
    return plans.create_plan(principal, school, PlanCreateSchema().load(body))


@pytest.fixture()
def coverage_school(db, school):
    school.min_cell_n = 3
    principal = factories.create_user("principal", school)
    observer = factories.create_user("observer", school)
    plc = make_plan(school, principal, "Grade 7 PLC", cancelled_dates=["2026-11-10"])
    team = make_plan(school, principal, "Math data team", frequency="biweekly", weekdays=[3], starts_at="07:30",
                     ends_at="08:15", first_day="2026-10-22", last_day="2026-11-19")
    team.kind = ConversationKind.DATA_TEAM
    a = log(db, school, observer, plc, "2026-10-20 15:05", {"evidence": 2})
    log(db, school, observer, plc, "2026-10-20 15:20", {})
    log(db, school, observer, plc, "2026-10-20 15:06", {"evidence": 2, "action": 2}, counted=False)
    check(db, school, observer, plc, "2026-10-27", "not_held", "2026-10-27 15:15")
    d = log(db, school, observer, plc, "2026-11-03 15:10", {"evidence": 1, "action": 1})
    log(db, school, observer, plc, "2026-11-17 15:10", {"evidence": 2}, deleted_at=local(school, "2026-11-17 16:00"))
    check(db, school, observer, plc, "2026-11-17", "not_held", "2026-11-17 15:30", deleted=True)
    check(db, school, observer, team, "2026-10-22", "cancelled", "2026-10-22 07:40")
    check(db, school, observer, team, "2026-10-22", "not_learning", "2026-10-22 08:10")
    check(db, school, observer, team, "2026-11-05", "not_held", "2026-11-05 07:50")
    log(db, school, observer, team, "2026-11-05 07:45", {"evidence": 1})
    check(db, school, observer, team, "2026-11-19", "not_held", "2026-11-19 07:50", deleted=True)
    db.session.flush()

    def follow_up(obs, due, status, completed=None, changed=None):
        db.session.add(FollowUp(
            id=uuid.uuid4(), school_id=school.id, observation_id=obs.id, owner_id=observer.id,
            created_by_id=observer.id, action="Bring the exit tickets", due_at=local(school, due), status=status,
            completed_at=local(school, completed) if completed else None, changed_practice=changed,
            created_at=obs.observed_at + timedelta(hours=1)))

    follow_up(a, "2026-10-23 15:00", FollowUpStatus.DONE, "2026-10-23 12:00", True)
    follow_up(d, "2026-11-06 15:00", FollowUpStatus.OPEN)
    db.session.commit()
    return school, plc, team
