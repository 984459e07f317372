"""The demo district: two schools, every role and a seeded fall semester, loaded in one transaction.

`load_demo` keeps demo data that is already there (and reports it); `reset=True` replaces it.
The semester ends on the day of the load and nothing in it is in the future (semester.py).
Everything is drawn from random.Random(seed), so one seed loaded at one moment always gives the
same walks, observations, trait levels and follow-ups. In short: three walkers per school take about two
10–40 minute walks a school day; conversations are heard at rates per hour that depend on place and
time of day; formal meetings carry far more Evidence, Questions and Action than hallway talk, and
Lincoln improves after its October PD day while Riverside stays flat. Details: semester.py
(calendar, walks, rates) and conversations.py (kinds of talk, people, trait levels).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select

from server.auth import passwords
from server.auth import service as auth_service
from server.auth.models import Membership, User
from server.colisten.models import ColistenSession
from server.db import db, utcnow
from server.demo.people_places import (DISTRICT_NAME, SCHOOLS, create_district, create_school, create_staff,
                                       demo_emails)
from server.demo.colisten import add_co_listens
from server.demo.coverage import coverage_rows
from server.demo.plans import create_plans
from server.demo.scenarios import add_practice_scenarios
from server.demo.semester import Calendar, SemesterRows, SemesterWriter
from server.enums import Role
from server.followups.models import FollowUp
from server.observations.models import Observation, ObservationTraitLevel
from server.plans.checks import PlanCheck
from server.plans.models import PlanFeed, PlannedConversation
from server.practice.models import PracticeScenario
from server.rubrics.models import Rubric, Trait
from server.schools.models import District, Location, Period, School
from server.walks.models import Walk

DEMO_PASSWORD = "hallway-pulse-demo"
HINT_EMAIL = "principal@lincoln.demo"

__all__ = ["DEMO_PASSWORD", "DemoSummary", "demo_login_hint", "load_demo", "remove_demo"]


@dataclass(frozen=True)
class SchoolSummary:
    name: str
    timezone: str
    walks: int
    observations: int
    follow_ups: int


@dataclass(frozen=True)
class DemoSummary:
    """What the demo district holds, and the accounts to sign in with."""

    district: str
    schools: list[SchoolSummary]
    accounts: int
    first_day: date | None
    last_day: date | None
    logins: list[tuple[str, str, str]]  # (email, role, school or district name)
    kept_existing: bool

    def describe(self) -> str:
        lines = []
        if self.kept_existing:
            lines.append("The demo data was already loaded and is kept (--reset replaces it).")
        span = f"{self.first_day} to {self.last_day}" if self.first_day else "no observations yet"
        lines.append(f"{self.district}: {len(self.schools)} schools, {self.accounts} accounts, {span}")
        lines += [f"  {s.name} ({s.timezone}): {s.walks:,} walks, {s.observations:,} observations, "
                  f"{s.follow_ups:,} follow-ups" for s in self.schools]
        return "\n".join(lines)


def find_demo_district() -> District | None:
    return db.session.scalar(select(District).where(District.name == DISTRICT_NAME).order_by(District.id))


def load_demo(seed: int = 2026, reset: bool = False, now: datetime | None = None) -> DemoSummary:
    """Load the demo district and its semester up to `now` (default: the clock); keep one there unless `reset`."""
    existing = find_demo_district()
    if existing is not None and not reset:
        return summarise(existing, kept_existing=True)
    remove_demo()
    now = now or utcnow()
    rng = random.Random(seed)
    rubric = db.session.scalar(select(Rubric).where(Rubric.is_default.is_(True), Rubric.district_id.is_(None)))
    trait_ids = {trait.key: trait.id for trait in db.session.scalars(select(Trait).where(Trait.rubric_id == rubric.id))}
    first_day = min(Calendar.ending(now.astimezone(ZoneInfo(plan.timezone)).date()).first_day for plan in SCHOOLS)
    set_up_at = datetime.combine(first_day - timedelta(days=7), time(15, 0), tzinfo=timezone.utc)
    district = create_district(set_up_at)
    built = [create_school(district, plan, set_up_at) for plan in SCHOOLS]
    create_staff(district, built, DEMO_PASSWORD, set_up_at)
    plans = {school.plan.key: create_plans(school, Calendar.ending(now.astimezone(ZoneInfo(school.plan.timezone)).date()),
                                           set_up_at) for school in built}
    db.session.flush()
    rows = SemesterRows()
    for school in built:
        SemesterWriter(rng, school, rubric.id, trait_ids, rows, now).write()
    rows.drop_after(now)
    rows.ask_relistens()
    sessions = add_co_listens(seed, rows, trait_ids)
    for school in built:
        principal_id = db.session.scalar(select(Membership.user_id).where(
            Membership.school_id == school.school.id, Membership.role == Role.PRINCIPAL).order_by(Membership.id))
        add_practice_scenarios(school.school.id, principal_id)
    for model, batch in ((Walk, rows.walks), (ColistenSession, sessions), (Observation, rows.observations),
                         (ObservationTraitLevel, rows.trait_levels), (FollowUp, rows.follow_ups)):
        insert_rows(model, batch)
    for school in built:  # the coverage history: walks to planned conversations, linked logs, checks
        linked, checks = coverage_rows(seed, school, rubric.id, trait_ids, plans[school.plan.key], now)
        for model, batch in ((Walk, linked.walks), (Observation, linked.observations),
                             (ObservationTraitLevel, linked.trait_levels), (FollowUp, linked.follow_ups),
                             (PlanCheck, checks)):
            insert_rows(model, batch)
    db.session.commit()
    return summarise(district, kept_existing=False)


def insert_rows(model, rows: list[dict]) -> None:
    """One Core executemany on the table: no per-row ORM bookkeeping for some 40,000 rows."""
    if rows:
        db.session.execute(insert(model.__table__), rows)


def remove_demo() -> None:
    """Delete the demo district with everything in it, and the demo accounts (flushes, no commit)."""
    district_ids = select(District.id).where(District.name == DISTRICT_NAME).scalar_subquery()
    school_ids = select(School.id).where(School.district_id.in_(district_ids)).scalar_subquery()
    observation_ids = select(Observation.id).where(Observation.school_id.in_(school_ids)).scalar_subquery()
    statements = [delete(ObservationTraitLevel).where(ObservationTraitLevel.observation_id.in_(observation_ids))]
    statements += [delete(model).where(model.school_id.in_(school_ids))
                   for model in (PracticeScenario, FollowUp, PlanCheck, Observation, ColistenSession, Walk, PlannedConversation, PlanFeed,
                                 Location, Period)]
    statements += [delete(User).where(User.email.in_(demo_emails())),
                   delete(District).where(District.id.in_(district_ids))]  # cascades to schools and roles
    for statement in statements:
        db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.expire_all()


def summarise(district: District, kept_existing: bool) -> DemoSummary:
    schools = db.session.scalars(select(School).where(School.district_id == district.id).order_by(School.name)).all()
    school_ids = [school.id for school in schools]

    def count_by_school(model) -> dict[int, int]:
        query = select(model.school_id, func.count()).where(model.school_id.in_(school_ids),
                                                            model.deleted_at.is_(None)).group_by(model.school_id)
        return dict(db.session.execute(query).all())

    walks, observations, follow_ups = (count_by_school(m) for m in (Walk, Observation, FollowUp))
    first_day, last_day = db.session.execute(
        select(func.min(Observation.local_date), func.max(Observation.local_date))
        .where(Observation.school_id.in_(school_ids))
    ).one()
    accounts = db.session.scalar(
        select(func.count(func.distinct(Membership.user_id))).where(Membership.district_id == district.id))
    return DemoSummary(
        district=district.name,
        schools=[SchoolSummary(s.name, s.timezone, walks.get(s.id, 0), observations.get(s.id, 0),
                               follow_ups.get(s.id, 0)) for s in schools],
        accounts=accounts or 0,
        first_day=first_day,
        last_day=last_day,
        logins=demo_logins(district, {school.id: school.name for school in schools}),
        kept_existing=kept_existing,
    )


def demo_logins(district: District, school_names: dict[int, str]) -> list[tuple[str, str, str]]:
    """The demo accounts still present, in the printed order, with their role and where it applies."""
    order = {email: position for position, email in enumerate(demo_emails())}
    query = (select(User.email, Membership.role, Membership.school_id).join(Membership, Membership.user_id == User.id)
             .where(Membership.district_id == district.id, User.email.in_(order)))
    found = sorted(db.session.execute(query).all(), key=lambda row: order[row.email])
    return [(row.email, row.role.value, school_names.get(row.school_id, district.name)) for row in found]


def demo_login_hint() -> str | None:
    """One line for `hallpulse serve`, only while the demo principal still has the demo password."""
    user = auth_service.find_user(HINT_EMAIL)
    if user is None or not passwords.verify(user.password_hash, DEMO_PASSWORD):
        return None
    return f"Demo sign-in: {HINT_EMAIL} / {DEMO_PASSWORD}"
