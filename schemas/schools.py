"""Schools, their settings, bell schedule, places and staff."""
from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from zoneinfo import available_timezones

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import CleanString, PatchSchema, StrictSchema

LOCATION_KINDS = ("hallway", "lounge", "meeting_room", "office", "library", "cafeteria", "classroom", "outdoors")
ROLES = ("district_admin", "principal", "observer", "viewer")
SCHOOL_ROLES = ("principal", "observer", "viewer")
MAX_PERIODS = 20
MAX_ID = 2**31 - 1
MIN_LISTENING_HOURS, MAX_LISTENING_HOURS = 0.25, 20


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_timezone(value: str) -> None:
    if value not in known_timezones():
        raise ValidationError("Not a known time zone: use a name such as America/Chicago.")


class WholeNumber(fields.Integer):
    """An integer sent as a JSON number: not a string, a fraction or a boolean."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class JsonNumber(fields.Float):
    """A finite number sent as a JSON number (whole or decimal): not a string or a boolean."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class JsonBoolean(fields.Boolean):
    """true or false, not 1, "yes" or "on"."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class ClockTime(fields.String):
    """A time of day on the school's clock, "HH:MM" (24-hour)."""

    PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"
    default_error_messages = {"clock": 'Use a 24-hour time such as "08:15".'}

    def __init__(self, **kwargs):
        metadata = {"pattern": self.PATTERN, "example": "08:15", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.strftime("%H:%M")

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(self.PATTERN, text):
            raise self.make_error("clock")
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))


def school_name_field(**kwargs) -> CleanString:
    return CleanString(validate=validate.Length(min=1, max=120), **kwargs)


class SchoolSchema(StrictSchema):
    """A school the signed-in user can reach, and their role there."""

    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    district_id = fields.Integer(dump_only=True)
    timezone = fields.String(dump_only=True)
    role = fields.String(dump_only=True, validate=validate.OneOf(ROLES))


class SchoolDetailSchema(SchoolSchema):
    district_name = fields.String(dump_only=True)
    min_cell_n = fields.Integer(dump_only=True, metadata={"description": "Heatmap cells with fewer conversations are hidden"})
    min_listening_hours = fields.Float(
        dump_only=True, metadata={"description": "Heatmap rates with less listening time behind them are too thin to read"}
    )
    walk_idle_minutes = fields.Integer(dump_only=True, metadata={"description": "A walk with no activity this long ends"})
    note_retention_days = fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "Notes older than this are erased; null keeps them"}
    )


class SchoolPatchSchema(PatchSchema):
    name = school_name_field()
    timezone = fields.String(validate=validate_timezone, metadata={"example": "America/Chicago"})
    min_cell_n = WholeNumber(validate=validate.Range(min=1, max=100))
    min_listening_hours = JsonNumber(validate=validate.Range(min=MIN_LISTENING_HOURS, max=MAX_LISTENING_HOURS))
    walk_idle_minutes = WholeNumber(validate=validate.Range(min=5, max=240))
    note_retention_days = WholeNumber(allow_none=True, validate=validate.Range(min=7, max=3650))


class SchoolCreateSchema(StrictSchema):
    name = school_name_field(required=True)
    timezone = fields.String(required=True, validate=validate_timezone, metadata={"example": "America/Chicago"})
    district_id = WholeNumber(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Needed only by admins of several districts"},
    )


def bell_schedule_problems(periods: list[dict]) -> list[str]:
    """What is wrong with a whole schedule: its size, repeated names, backwards or overlapping periods."""
    if not 1 <= len(periods) <= MAX_PERIODS:
        return [f"A bell schedule has between 1 and {MAX_PERIODS} periods."]
    problems = []
    seen: set[str] = set()
    for period in periods:
        key = period["name"].casefold()
        if key in seen:
            problems.append(f"Two periods are called \u201c{period['name']}\u201d: give each its own name.")
        seen.add(key)
        if period["starts_at"] >= period["ends_at"]:
            problems.append(f"\u201c{period['name']}\u201d must end after it starts.")
    ordered = sorted((p for p in periods if p["starts_at"] < p["ends_at"]), key=lambda p: p["starts_at"])
    for earlier, later in zip(ordered, ordered[1:]):
        if later["starts_at"] < earlier["ends_at"]:
            problems.append(
                f"\u201c{earlier['name']}\u201d ({clock(earlier['starts_at'])}\u2013{clock(earlier['ends_at'])}) overlaps "
                f"\u201c{later['name']}\u201d ({clock(later['starts_at'])}\u2013{clock(later['ends_at'])})."
            )
    return problems


def clock(value: time) -> str:
    return value.strftime("%H:%M")


class PeriodSchema(StrictSchema):
    """One block of the bell schedule, in the school's local time. PUT the whole list to replace it."""

    id = fields.Integer(dump_only=True)
    name = CleanString(required=True, validate=validate.Length(min=1, max=60))
    starts_at = ClockTime(required=True)
    ends_at = ClockTime(required=True)

    @validates_schema(pass_collection=True)
    def schedule_is_coherent(self, data, many, **kwargs):
        problems = bell_schedule_problems(data if many else [data])
        if not many:
            problems = [p for p in problems if not p.startswith("A bell schedule")]
        if problems:
            raise ValidationError(problems)


class LocationSchema(StrictSchema):
    """A place a leader walks past. Archived places leave capture lists but stay in history."""

    id = fields.Integer(dump_only=True)
    name = CleanString(required=True, validate=validate.Length(min=1, max=80))
    kind = fields.String(required=True, validate=validate.OneOf(LOCATION_KINDS))
    archived = fields.Boolean(dump_only=True)


class LocationPatchSchema(PatchSchema):
    name = CleanString(validate=validate.Length(min=1, max=80))
    kind = fields.String(validate=validate.OneOf(LOCATION_KINDS))
    archived = JsonBoolean(metadata={"description": "false restores an archived place"})


class LocationQueryArgsSchema(StrictSchema):
    include_archived = fields.Boolean(load_default=False)


class MemberSchema(StrictSchema):
    """A staff member's role in one school."""

    id = fields.Integer(dump_only=True, metadata={"description": "The membership id"})
    user_id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    role = fields.String(dump_only=True, validate=validate.OneOf(SCHOOL_ROLES))


class MembershipPatchSchema(StrictSchema):
    role = fields.String(required=True, validate=validate.OneOf(SCHOOL_ROLES))
