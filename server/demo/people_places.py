"""The demo district: two schools, their bell schedules, places and staff accounts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from server.auth import service as auth_service
from server.auth.models import Membership, User
from server.db import db
from server.enums import LocationKind as Kind
from server.enums import Role
from server.schools.models import District, Location, Period, School

DISTRICT_NAME = "Maple Valley School District"
DISTRICT_ADMIN_EMAIL = "district@maplevalley.demo"

BEFORE, CLASS, LUNCH, AFTER = "before", "class", "lunch", "after"


@dataclass(frozen=True)
class PeriodPlan:
    name: str
    starts_at: time
    ends_at: time
    block: str  # before, class, lunch or after: what the adults are doing then
    activity: float = 1.0  # how much talk there is then: common planning periods are busy


@dataclass(frozen=True)
class PlacePlan:
    name: str
    kind: Kind
    busyness: float  # multiplies the conversation rate of its kind: under 1 is a quiet place
    team: str | None = None  # the team that mostly talks here, if any


@dataclass(frozen=True)
class StaffPlan:
    email_local: str
    name: str
    role: Role
    walks: bool  # principal, assistant principal and coach walk; viewers only read


@dataclass(frozen=True)
class SchoolPlan:
    key: str
    name: str
    timezone: str
    periods: tuple[PeriodPlan, ...]
    places: tuple[PlacePlan, ...]
    teams: tuple[str, ...]
    staff: tuple[StaffPlan, ...]
    improves_from: date | None  # the day practice starts to improve, if it does
    plc_wednesday_mornings: bool = False  # late-start Wednesdays: PLCs before first period

    def email(self, staff: StaffPlan) -> str:
        return f"{staff.email_local}@{self.key}.demo"


def _periods(*rows: tuple) -> tuple[PeriodPlan, ...]:
    return tuple(PeriodPlan(name, time.fromisoformat(start), time.fromisoformat(end), *rest)
                 for name, start, end, *rest in rows)


LINCOLN = SchoolPlan(
    key="lincoln",
    name="Lincoln Middle School",
    timezone="America/Chicago",
    periods=_periods(
        ("Before school", "07:00", "07:45", BEFORE),
        ("Period 1", "07:45", "08:40", CLASS, 0.4),
        ("Period 2", "08:40", "09:35", CLASS, 1.3),  # Grade 6 common planning
        ("Period 3", "09:35", "10:30", CLASS, 1.3),  # Grade 7 common planning
        ("Period 4", "10:30", "11:25", CLASS, 0.8),
        ("Lunch A", "11:25", "11:55", LUNCH),
        ("Lunch B", "11:55", "12:25", LUNCH),
        ("Period 5", "12:25", "13:20", CLASS, 0.5),
        ("Period 6", "13:20", "14:15", CLASS, 1.3),  # Grade 8 common planning
        ("Period 7", "14:15", "15:10", CLASS, 0.4),
        ("After school", "15:10", "16:30", AFTER),
    ),
    places=(
        PlacePlan("Main hallway", Kind.HALLWAY, 1.2),
        PlacePlan("6th-grade hallway", Kind.HALLWAY, 1.0, "Grade 6"),
        PlacePlan("7th-grade hallway", Kind.HALLWAY, 1.0, "Grade 7"),
        PlacePlan("8th-grade hallway", Kind.HALLWAY, 0.7, "Grade 8"),
        PlacePlan("Staff lounge", Kind.LOUNGE, 1.0),
        PlacePlan("Library", Kind.LIBRARY, 0.9),
        PlacePlan("Cafeteria", Kind.CAFETERIA, 1.0),
        PlacePlan("Room 112 (PLC room)", Kind.MEETING_ROOM, 1.2),
        PlacePlan("Conference room", Kind.MEETING_ROOM, 0.8),
        PlacePlan("Front office", Kind.OFFICE, 0.6),
        PlacePlan("Coach's office", Kind.OFFICE, 1.0),
        PlacePlan("Science lab 204", Kind.CLASSROOM, 0.7, "Science"),
        PlacePlan("Staff parking lot", Kind.OUTDOORS, 0.6),
    ),
    teams=("Grade 6", "Grade 7", "Grade 8", "Math", "ELA", "Science", "Social studies",
           "Special education", "Electives"),
    staff=(
        StaffPlan("principal", "Angela Ruiz", Role.PRINCIPAL, True),
        StaffPlan("ap", "Derek Thompson", Role.OBSERVER, True),
        StaffPlan("coach", "Priya Natarajan", Role.OBSERVER, True),
        StaffPlan("counselor", "Jasmine Carter", Role.VIEWER, False),
        StaffPlan("teamlead", "Tom Kowalski", Role.VIEWER, False),
    ),
    improves_from=date(2026, 10, 12),
)

RIVERSIDE = SchoolPlan(
    key="riverside",
    name="Riverside High School",
    timezone="America/Denver",
    periods=_periods(
        ("Before school", "06:50", "07:30", BEFORE),
        ("Period 1", "07:30", "08:25", CLASS, 0.5),
        ("Period 2", "08:25", "09:20", CLASS, 0.9),
        ("Advisory", "09:20", "09:45", CLASS, 0.3),
        ("Period 3", "09:45", "10:40", CLASS, 1.2),
        ("Period 4", "10:40", "11:35", CLASS, 1.3),
        ("Lunch A", "11:35", "12:05", LUNCH),
        ("Lunch B", "12:05", "12:35", LUNCH),
        ("Period 5", "12:35", "13:30", CLASS, 0.6),
        ("Period 6", "13:30", "14:25", CLASS, 0.5),
        ("After school", "14:25", "16:00", AFTER),
    ),
    places=(
        PlacePlan("Main hallway", Kind.HALLWAY, 1.2),
        PlacePlan("Science wing", Kind.HALLWAY, 0.9, "Science"),
        PlacePlan("Math and English wing", Kind.HALLWAY, 1.0),
        PlacePlan("Arts and CTE wing", Kind.HALLWAY, 0.5, "CTE"),
        PlacePlan("Staff lounge", Kind.LOUNGE, 0.9),
        PlacePlan("Library and media center", Kind.LIBRARY, 0.8),
        PlacePlan("Commons (cafeteria)", Kind.CAFETERIA, 1.0),
        PlacePlan("Room 118 (PLC room)", Kind.MEETING_ROOM, 1.1),
        PlacePlan("Math department office", Kind.OFFICE, 0.8, "Math"),
        PlacePlan("Main office", Kind.OFFICE, 0.5),
        PlacePlan("Instructional coach's office", Kind.OFFICE, 0.9),
        PlacePlan("Room 231", Kind.CLASSROOM, 0.7, "English"),
        PlacePlan("Student parking lot", Kind.OUTDOORS, 0.3),
        PlacePlan("Staff parking lot", Kind.OUTDOORS, 0.7),
    ),
    teams=("Grade 9 team", "Math", "English", "Science", "Social studies", "World languages", "CTE",
           "Special education", "Fine arts"),
    staff=(
        StaffPlan("principal", "Helen Okafor", Role.PRINCIPAL, True),
        StaffPlan("ap", "Luis Herrera", Role.OBSERVER, True),
        StaffPlan("coach", "Rachel Kim", Role.OBSERVER, True),
        StaffPlan("counselor", "Brian Yazzie", Role.VIEWER, False),
        StaffPlan("teamlead", "Sofia Lindqvist", Role.VIEWER, False),
    ),
    improves_from=None,
    plc_wednesday_mornings=True,
)

SCHOOLS = (LINCOLN, RIVERSIDE)
DISTRICT_ADMIN = StaffPlan("district", "Marcus Bell", Role.DISTRICT_ADMIN, False)


def demo_emails() -> list[str]:
    """Every demo account, district admin first, in the order the sign-ins are printed."""
    return [DISTRICT_ADMIN_EMAIL] + [plan.email(staff) for plan in SCHOOLS for staff in plan.staff]


@dataclass
class BuiltSchool:
    """A school as created, with the ids the semester generator needs."""

    plan: SchoolPlan
    school: School
    location_ids: dict[str, int]
    user_ids: dict[str, int]  # email local part → user id


def create_district(set_up_at: datetime) -> District:
    """`set_up_at`, on every row made before the semester: a week before its first day."""
    district = District(name=DISTRICT_NAME, created_at=set_up_at, updated_at=set_up_at)
    db.session.add(district)
    db.session.flush()
    return district


def create_school(district: District, plan: SchoolPlan, set_up_at: datetime) -> BuiltSchool:
    school = School(district_id=district.id, name=plan.name, timezone=plan.timezone, schedule_confirmed=True,
                    created_at=set_up_at, updated_at=set_up_at)  # the demo's own schedule, not the default
    db.session.add(school)
    db.session.flush()
    db.session.add_all(Period(school_id=school.id, name=p.name, starts_at=p.starts_at, ends_at=p.ends_at)
                       for p in plan.periods)
    locations = [Location(school_id=school.id, name=p.name, kind=p.kind, created_at=set_up_at, updated_at=set_up_at)
                 for p in plan.places]
    db.session.add_all(locations)
    db.session.flush()
    return BuiltSchool(plan, school, {loc.name: loc.id for loc in locations}, {})


def create_account(email: str, staff: StaffPlan, password_hash: str, set_up_at: datetime) -> User:
    user = auth_service.create_user(email, staff.name)
    user.password_hash = password_hash
    user.created_at = user.updated_at = set_up_at
    return user


def create_staff(district: District, built: list[BuiltSchool], password: str, set_up_at: datetime) -> None:
    """Accounts through the auth service, with their roles. The shared demo password is checked
    against the password rules and hashed once (Argon2 takes a while), then given to every account."""
    admin = auth_service.create_user(DISTRICT_ADMIN_EMAIL, DISTRICT_ADMIN.name, password)
    admin.created_at = admin.updated_at = set_up_at
    auth_service.grant_role(admin, Role.DISTRICT_ADMIN, district_id=district.id)
    for school in built:
        for staff in school.plan.staff:
            user = create_account(school.plan.email(staff), staff, admin.password_hash, set_up_at)
            auth_service.grant_role(user, staff.role, school=school.school)
            school.user_ids[staff.email_local] = user.id
    for membership in db.session.scalars(db.select(Membership).where(Membership.district_id == district.id)):
        membership.created_at = set_up_at
    db.session.flush()
