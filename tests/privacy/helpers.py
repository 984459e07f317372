"""A school with a row in every table that can hold school data, built directly (no services to bypass)."""
from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, select

from server.audit.models import AuditEvent
from server.auth.models import AuthSession, Invitation, Membership
from server.db import db
from server.colisten.models import ColistenSession
from server.enums import ConversationKind, PlanCheckOutcome, PlanFrequency, Role
from server.followups.models import FollowUp
from server.heatmaps import rollup
from server.observations.models import Observation, ObservationTraitLevel
from server.plans.checks import PlanCheck
from server.plans.models import PlanFeed, PlannedConversation, PlanSchedule
from server.push.models import PushSubscription, Reminder, ReminderAttempt, ReminderKind, WeeklyNudge
from server.schools.models import Location
from server.walks.models import Walk
from tests import factories
from tests.practice.helpers import answer_as, create_scenario

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def add_observation(school, observer, *, note: str | None = "Talked about the unit plan", days_ago: int = 1,
                    walk=None, deleted: bool = False, team: str | None = "Grade 7") -> Observation:
    rubric = factories.default_rubric()
    place = db.session.scalar(select(Location).where(Location.school_id == school.id).order_by(Location.id).limit(1))
    observed_at = NOW - timedelta(days=days_ago)
    observation = Observation(
        id=uuid.uuid4(), school_id=school.id, observer_id=observer.id if observer else None,
        walk_id=walk.id if walk else None, rubric_id=rubric.id, location_id=place.id, observed_at=observed_at,
        local_date=observed_at.date(), team=team, note=note, deleted_at=NOW if deleted else None,
        trait_levels=[] if deleted else [ObservationTraitLevel(trait_id=t.id, level=i % 3) for i, t in enumerate(rubric.traits)],
    )
    db.session.add(observation)
    db.session.flush()
    return observation


def add_walk(school, observer, days_ago: int = 1) -> Walk:
    started = NOW - timedelta(days=days_ago, minutes=30)
    walk = Walk(id=uuid.uuid4(), school_id=school.id, observer_id=observer.id, started_at=started,
                ended_at=started + timedelta(minutes=20))
    db.session.add(walk)
    db.session.flush()
    return walk


def populate(school, tag: str) -> dict:
    """Staff, a walk, observations with trait levels, a follow-up with a reminder and its attempt, a device,
    a session, an invitation, a weekly nudge, audit events, the heatmap rollup and a practice scenario with an
    answer: one of each, at least."""
    principal = factories.create_user("principal", school, email=f"principal-{tag}@example.org", name=f"Principal {tag}")
    observer = factories.create_user("observer", school, email=f"observer-{tag}@example.org", name=f"Observer {tag}")
    walk = add_walk(school, observer)
    observation = add_observation(school, observer, walk=walk, note=f"Note {tag}")
    add_observation(school, principal, days_ago=3, note=None)
    follow_up = FollowUp(id=uuid.uuid4(), school_id=school.id, observation_id=observation.id, owner_id=observer.id,
                         created_by_id=principal.id, action=f"Follow up {tag}", due_at=NOW + timedelta(days=2))
    device = PushSubscription(user_id=observer.id, endpoint=f"https://push.example.org/{tag}/{uuid.uuid4().hex}",
                              p256dh="k" * 87, auth="a" * 22)
    db.session.add_all([follow_up, device])
    db.session.flush()
    reminder = Reminder(kind=ReminderKind.FOLLOW_UP, dedupe_key=f"{tag}-{uuid.uuid4().hex}", school_id=school.id,
                        user_id=observer.id, follow_up_id=follow_up.id, subscription_id=device.id,
                        due_at=follow_up.due_at, next_attempt_at=follow_up.due_at)
    db.session.add(reminder)
    db.session.flush()
    db.session.add_all([
        ReminderAttempt(reminder_id=reminder.id, worker="test", outcome="retry", status_code=503),
        AuthSession(token_hash=uuid.uuid4().hex + uuid.uuid4().hex[:32], user_id=observer.id),
        Invitation(token_hash=uuid.uuid4().hex + uuid.uuid4().hex[:32], school_id=school.id,
                   email=f"invitee-{tag}@example.org", role=Role.VIEWER, expires_at=NOW + timedelta(days=7)),
        WeeklyNudge(school_id=school.id, enabled=True),
        AuditEvent(action="school.settings_changed", actor_id=principal.id, school_id=school.id,
                   district_id=school.district_id, object_type="school", object_id=str(school.id)),
    ])
    db.session.flush()
    plan = PlannedConversation(school_id=school.id, name=f"PLC {tag}", purpose="Planning instruction", kind=ConversationKind.PLC,
                            owner_id=principal.id, focus_traits=["evidence"], schedules=[PlanSchedule(
                                version=1, frequency=PlanFrequency.WEEKLY, weekdays=[1], starts_at=time(15),
                                ends_at=time(16), first_day=date(2026, 10, 20), last_day=date(2026, 11, 17))])
    session = ColistenSession(id=uuid.uuid4(), school_id=school.id, code="K7Q2MX", lead_observer_id=observer.id,
                              started_at=NOW - timedelta(days=2), expires_at=NOW - timedelta(days=2) + timedelta(hours=2))
    db.session.add_all([plan, session])
    db.session.flush()
    db.session.add_all([
        PlanCheck(id=uuid.uuid4(), school_id=school.id, plan_id=plan.id, day=date(2026, 10, 27), observer_id=observer.id,
                  outcome=PlanCheckOutcome.NOT_HELD, checked_at=datetime(2026, 10, 27, 15, 5, tzinfo=timezone.utc)),
        PlanFeed(school_id=school.id, token_hash=hashlib.sha256(tag.encode()).hexdigest(), created_at=NOW),
    ])
    db.session.flush()
    rollup.rebuild(school.id)
    from server.calibration.models import CalibrationConversation, CalibrationMonth  # a co-listened pair's summary
    db.session.add(CalibrationConversation(colisten_id=session.id, rubric_id=observation.rubric_id,
                                           trait_id=observation.trait_levels[0].trait_id, school_id=school.id,
                                           month=date(2026, 10, 1), local_date=date(2026, 10, 20),
                                           last_date=date(2026, 10, 20), c0=1, c1=1, c2=0, pair_level=0))
    db.session.add(CalibrationMonth(school_id=school.id, rubric_id=observation.rubric_id, month=date(2026, 10, 1),
                                    trait_id=observation.trait_levels[0].trait_id, c0=1, c1=1, c2=0, pair_level=0,
                                    conversations=1))
    db.session.commit()
    scenario = create_scenario(school, principal, title=f"Scenario {tag}")
    answer_as(observer, scenario, {"substantive": 2})
    return {"principal": principal, "observer": observer, "observation": observation, "walk": walk,
            "follow_up": follow_up, "device": device}


def table_counts() -> dict[str, int]:
    return {table.name: db.session.scalar(select(func.count()).select_from(table)) for table in db.metadata.sorted_tables}


def memberships_of(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == user_id))
