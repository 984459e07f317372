"""Vocabularies shared by models, schemas and the UI, in the school's own words."""
from enum import StrEnum

from sqlalchemy import Enum as SAEnum


class Role(StrEnum):
    DISTRICT_ADMIN = "district_admin"
    PRINCIPAL = "principal"
    OBSERVER = "observer"
    VIEWER = "viewer"


class LocationKind(StrEnum):
    HALLWAY = "hallway"
    LOUNGE = "lounge"
    MEETING_ROOM = "meeting_room"
    OFFICE = "office"
    LIBRARY = "library"
    CAFETERIA = "cafeteria"
    CLASSROOM = "classroom"
    OUTDOORS = "outdoors"


class Setting(StrEnum):
    INFORMAL = "informal"
    FORMAL = "formal"


class ConversationKind(StrEnum):
    """Where the talk happened socially; each kind belongs to one setting."""

    HALLWAY_CHAT = "hallway_chat"
    LOUNGE = "lounge"
    LUNCH = "lunch"
    BEFORE_AFTER_SCHOOL = "before_after_school"
    PARKING_LOT = "parking_lot"
    PLC = "plc"
    DATA_TEAM = "data_team"
    GRADE_DEPARTMENT_MEETING = "grade_department_meeting"
    POST_OBSERVATION_CONFERENCE = "post_observation_conference"
    LEARNING_WALK_DEBRIEF = "learning_walk_debrief"
    COACHING_SESSION = "coaching_session"
    PLANNING_SESSION = "planning_session"

    @property
    def setting(self) -> Setting:
        return Setting.INFORMAL if self in _INFORMAL_KINDS else Setting.FORMAL


_INFORMAL_KINDS = {
    ConversationKind.HALLWAY_CHAT,
    ConversationKind.LOUNGE,
    ConversationKind.LUNCH,
    ConversationKind.BEFORE_AFTER_SCHOOL,
    ConversationKind.PARKING_LOT,
}


class ParticipantRole(StrEnum):
    TEACHER = "teacher"
    COACH = "coach"
    ADMINISTRATOR = "administrator"
    SPECIALIST = "specialist"
    SUPPORT_STAFF = "support_staff"
    OTHER = "other"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


class PlanFrequency(StrEnum):
    """How a planned conversation recurs (RFC 5545 WEEKLY, WEEKLY;INTERVAL=2, MONTHLY;BYDAY=nXX)."""

    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class PlanCheckOutcome(StrEnum):
    """Why an observer who went to a planned conversation heard no learning conversation there."""

    NOT_HELD = "not_held"          # nobody met
    CANCELLED = "cancelled"        # called off (told on the spot, or a note on the door)
    NOT_LEARNING = "not_learning"  # it met, but talked logistics only


def db_enum(enum_cls: type[StrEnum]) -> SAEnum:
    """Store an enum as its value in a VARCHAR with a CHECK, portable across engines."""
    return SAEnum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls),
        values_callable=lambda members: [m.value for m in members],
        name=enum_cls.__name__.lower(),
        validate_strings=True,
    )
