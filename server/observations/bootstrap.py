"""What the capture app caches from a cold start: the user's schools, places, schedules, rubrics, words."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from server.access import Action, can, school_roles
from server.db import db, utcnow
from server.enums import ConversationKind, LocationKind, ParticipantRole, Setting
from server.plans.walk_next import EMPTY as EMPTY_PLANS, school_plans
from server.rubrics.models import Rubric
from server.schools.models import Location, Period, School

CONVERSATION_KIND_LABELS = {
    ConversationKind.HALLWAY_CHAT: "Hallway chat",
    ConversationKind.LOUNGE: "Teachers' lounge",
    ConversationKind.LUNCH: "Lunch",
    ConversationKind.BEFORE_AFTER_SCHOOL: "Before/after school",
    ConversationKind.PARKING_LOT: "Parking lot",
    ConversationKind.PLC: "PLC",
    ConversationKind.DATA_TEAM: "Data team",
    ConversationKind.GRADE_DEPARTMENT_MEETING: "Grade/department meeting",
    ConversationKind.POST_OBSERVATION_CONFERENCE: "Post-observation conference",
    ConversationKind.LEARNING_WALK_DEBRIEF: "Learning-walk debrief",
    ConversationKind.COACHING_SESSION: "Coaching session",
    ConversationKind.PLANNING_SESSION: "Planning session",
}


def vocabulary() -> dict:
    return {
        "location_kinds": [kind.value for kind in LocationKind],
        "settings": [setting.value for setting in Setting],
        "conversation_kinds": [
            {"value": kind.value, "label": CONVERSATION_KIND_LABELS[kind], "setting": kind.setting.value}
            for kind in ConversationKind
        ],
        "participant_roles": [role.value for role in ParticipantRole],
    }


def bootstrap(user) -> dict:
    """Every school the user can reach (viewers too, with can_log false), in a handful of queries."""
    roles = school_roles(user)
    schools = db.session.scalars(select(School).where(School.id.in_(roles)).order_by(School.name)).all()
    school_ids = [school.id for school in schools]
    periods: dict[int, list] = {}
    for period in db.session.scalars(select(Period).where(Period.school_id.in_(school_ids)).order_by(Period.starts_at)):
        periods.setdefault(period.school_id, []).append(period)
    locations: dict[int, list] = {}
    for location in db.session.scalars(
        select(Location).where(Location.school_id.in_(school_ids), Location.archived.is_(False)).order_by(Location.name)
    ):
        locations.setdefault(location.school_id, []).append(location)
    district_ids = {school.district_id for school in schools}
    now = utcnow()
    can_log = {school.id: can(Action.LOG, school.id, user) for school in schools}
    rubrics = db.session.scalars(
        select(Rubric).options(selectinload(Rubric.traits))
        .where(or_(Rubric.district_id.is_(None), Rubric.district_id.in_(district_ids)))
        .order_by(Rubric.is_default.desc(), Rubric.name)
    ).all()
    return {
        "user": user,
        "schools": [
            {
                "id": school.id, "name": school.name, "timezone": school.timezone,
                "role": roles[school.id].value, "can_log": can_log[school.id],
                "walk_idle_minutes": school.walk_idle_minutes,
                "periods": periods.get(school.id, []), "locations": locations.get(school.id, []),
                "rubrics": [r for r in rubrics if r.district_id in (None, school.district_id)],
                "plans": school_plans(school, now) if can_log[school.id] else EMPTY_PLANS,
            }
            for school in schools
        ],
        "vocabulary": vocabulary(),
        "server_time": now,
    }
