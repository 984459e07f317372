"""Plain `create_*` functions that build realistic rows through the app's own services."""
from __future__ import annotations

import functools
import itertools
from datetime import time

from sqlalchemy import select

from server.auth import passwords
from server.auth import service as auth_service
from server.db import db
from server.enums import LocationKind, Role
from server.rubrics.models import Rubric
from server.schools.models import District, Location, Period, School

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)

DEFAULT_PERIODS = [
    ("Before school", time(7, 0), time(8, 0)),
    ("Period 1", time(8, 0), time(9, 0)),
    ("Period 2", time(9, 0), time(10, 0)),
    ("Lunch", time(11, 30), time(12, 15)),
    ("After school", time(15, 0), time(17, 0)),
]
DEFAULT_LOCATIONS = [
    ("Main hallway", LocationKind.HALLWAY),
    ("Staff lounge", LocationKind.LOUNGE),
    ("Room 204 (PLC)", LocationKind.MEETING_ROOM),
]


def create_district(name: str | None = None) -> District:
    district = District(name=name or f"District {next(_sequence)}")
    db.session.add(district)
    db.session.flush()
    return district


def create_school(name: str | None = None, district: District | None = None, timezone: str = "America/Chicago") -> School:
    district = district or create_district()
    school = School(name=name or f"School {next(_sequence)}", district_id=district.id, timezone=timezone,
                    schedule_confirmed=True)  # a school already set up with its own schedule
    db.session.add(school)
    db.session.flush()
    for period_name, starts, ends in DEFAULT_PERIODS:
        db.session.add(Period(school_id=school.id, name=period_name, starts_at=starts, ends_at=ends))
    for location_name, kind in DEFAULT_LOCATIONS:
        db.session.add(Location(school_id=school.id, name=location_name, kind=kind))
    db.session.commit()
    return school


@functools.cache
def password_hash_of(hasher) -> str:
    """PASSWORD hashed once per hashing profile: every seeded user shares it, as a salted hash it still
    verifies. Hashing it per user was ~28 ms each (the tests' eased profile), thousands of users a run."""
    return hasher.hash(PASSWORD)


def create_user(role: str = "observer", school: School | None = None, email: str | None = None, name: str | None = None):
    number = next(_sequence)
    user = auth_service.create_user(email or f"user{number}@example.org", name or f"Staff Member {number}")
    user.password_hash = password_hash_of(passwords.hasher())
    if role == Role.DISTRICT_ADMIN:
        auth_service.grant_role(user, Role.DISTRICT_ADMIN, district_id=school.district_id)
    elif school is not None:
        auth_service.grant_role(user, Role(role), school=school)
    db.session.commit()
    return user


def default_rubric() -> Rubric:
    return db.session.scalar(select(Rubric).where(Rubric.is_default.is_(True), Rubric.district_id.is_(None)))
