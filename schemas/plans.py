"""Planned learning conversations: what, why, who, where, and when (a recurrence in the school's time).

The recurrence is structured, not free RFC 5545 text, so every value can be checked: weekly or
every other week on some weekdays, or monthly on the nth (or last) weekday; a start and end time on
the school's clock; a term's first and last day; single days added or cancelled.
"""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import CleanString, Day, PatchSchema, StrictSchema
from schemas.schools import MAX_ID, ClockTime, JsonBoolean, WholeNumber

PURPOSES = (
    "A shared picture of strong instruction",
    "Using data to see where practice falls short",
    "Practices for particular students' needs",
    "Why data-team work does or does not change practice",
    "Planning instruction",
    "Reflecting on what worked",
)
KINDS = ("hallway_chat", "lounge", "lunch", "before_after_school", "parking_lot", "plc", "data_team",
         "grade_department_meeting", "post_observation_conference", "learning_walk_debrief", "coaching_session",
         "planning_session")
FREQUENCIES = ("weekly", "biweekly", "monthly")
WEEKS_OF_MONTH = (1, 2, 3, 4, -1)
MAX_TERM_DAYS = 400          # a school year and a summer: a plan must end
MAX_LISTED_DAYS = 100
MAX_WINDOW_DAYS = 400
def day_list(**kwargs) -> fields.List:
    return fields.List(Day(), validate=validate.Length(max=MAX_LISTED_DAYS), **kwargs)


class RecurrenceSchema(StrictSchema):
    """When the conversation happens, on the school's clock and calendar."""

    frequency = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    weekdays = fields.List(WholeNumber(validate=validate.Range(min=0, max=6)), required=True,
                           validate=validate.Length(min=1, max=7),
                           metadata={"description": "0 = Monday … 6 = Sunday"})
    week_of_month = WholeNumber(load_default=None, allow_none=True, validate=validate.OneOf(WEEKS_OF_MONTH),
                                metadata={"description": "Monthly only: 1–4, or -1 for the last such weekday"})
    starts_at = ClockTime(required=True)
    ends_at = ClockTime(required=True)
    first_day = Day(required=True, metadata={"description": "The term's first day"})
    last_day = Day(required=True, metadata={"description": "The term's last day (a plan must end)"})
    added_dates = day_list(load_default=list, metadata={"description": "Extra days it meets, within the term"})
    cancelled_dates = day_list(load_default=list, metadata={"description": "Days it does not meet (a snow day)"})

    @validates_schema
    def coherent(self, data, **_kwargs):
        problems: dict[str, str] = {}
        if len(set(data["weekdays"])) != len(data["weekdays"]):
            problems["weekdays"] = "Name each weekday once."
        if data["frequency"] == "monthly" and data.get("week_of_month") is None:
            problems["week_of_month"] = "Say which week of the month: 1–4, or -1 for the last."
        if data["frequency"] != "monthly" and data.get("week_of_month") is not None:
            problems["week_of_month"] = "Only a monthly plan has a week of the month."
        if data["ends_at"] <= data["starts_at"]:
            problems["ends_at"] = "The conversation must end after it starts."
        first, last = data["first_day"], data["last_day"]
        if last < first:
            problems["last_day"] = "The term's last day comes before its first."
        elif (last - first).days >= MAX_TERM_DAYS:
            problems["last_day"] = f"A plan covers at most {MAX_TERM_DAYS} days: plan the next term separately."
        for name in ("added_dates", "cancelled_dates"):
            if any(not first <= day <= last for day in data.get(name, [])):
                problems[name] = "Each day must be within the term."
        if problems:
            raise ValidationError(problems)


class RecurrenceOutSchema(RecurrenceSchema):
    version = fields.Integer(dump_only=True, metadata={"description": "Changes once an occurrence has passed"})
    valid_from = fields.AwareDateTime(dump_only=True, allow_none=True,
                                      metadata={"description": "Occurrences before this moment follow an earlier version"})


class PlanFieldsSchema(StrictSchema):
    name = CleanString(validate=validate.Length(min=1, max=120), metadata={"example": "Grade 7 PLC"})
    purpose = CleanString(validate=validate.Length(min=1, max=200),
                          metadata={"description": "One of the six purposes (" + "; ".join(PURPOSES)
                                    + "), or the school's own words", "example": PURPOSES[1]})
    kind = fields.String(validate=validate.OneOf(KINDS), metadata={"description": "The setting follows from the kind"})
    location_id = WholeNumber(allow_none=True, validate=validate.Range(min=1, max=MAX_ID),
                              metadata={"description": "The usual place: one of the school's places"})
    participants = CleanString(validate=validate.Length(max=200), metadata={"example": "Grade 7 teachers, coach"})
    participant_count = WholeNumber(allow_none=True, validate=validate.Range(min=1, max=500))
    strategy = CleanString(validate=validate.Length(max=200),
                           metadata={"description": "The improvement strategy it serves", "example": "Writing across subjects"})
    focus_traits = fields.List(CleanString(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=7),
                               metadata={"description": "Trait keys of the default rubric it should show most"})
    owner_id = WholeNumber(allow_none=True, validate=validate.Range(min=1, max=MAX_ID),
                           metadata={"description": "A colleague with a role in the school"})


class PlanCreateSchema(PlanFieldsSchema):
    recurrence = fields.Nested(RecurrenceSchema, required=True)

    def on_bind_field(self, field_name, field_obj):
        if field_name in ("name", "purpose", "kind"):
            field_obj.required = True


class PlanPatchSchema(PlanFieldsSchema, PatchSchema):
    """Any fields to change; a new recurrence changes only occurrences that have not started yet."""

    recurrence = fields.Nested(RecurrenceSchema)


class PlanSchema(PlanFieldsSchema):
    id = fields.Integer(dump_only=True)
    school_id = fields.Integer(dump_only=True)
    setting = fields.String(dump_only=True, validate=validate.OneOf(("informal", "formal")))
    recurrence = fields.Nested(RecurrenceOutSchema, dump_only=True)
    rrule = fields.String(dump_only=True, metadata={"description": "The current rule as RFC 5545 RRULE"})


class CancelDateSchema(StrictSchema):
    day = Day(required=True, metadata={"description": "A day of the term, today or later"})


class OccurrenceQueryArgsSchema(StrictSchema):
    start = Day(required=True, data_key="from", metadata={"description": "First local day"})
    end = Day(required=True, data_key="to", metadata={"description": "Last local day (included)"})

    @validates_schema
    def window(self, data, **_kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("The last day comes before the first.", "to")
        if (data["end"] - data["start"]).days >= MAX_WINDOW_DAYS:
            raise ValidationError(f"Ask for at most {MAX_WINDOW_DAYS} days at a time.", "to")


class OccurrenceSchema(StrictSchema):
    plan_id = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)
    day = fields.Date(dump_only=True)
    local_start = fields.AwareDateTime(dump_only=True, metadata={"description": "In the school's zone"})
    local_end = fields.AwareDateTime(dump_only=True)
    utc_start = fields.AwareDateTime(dump_only=True)
    utc_end = fields.AwareDateTime(dump_only=True)


class PlanFeedSchema(StrictSchema):
    """The school's calendar feed: whether one is on, and (only right after a renewal) its secret URL."""

    active = fields.Boolean(dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    url = fields.String(dump_only=True, allow_none=True,
                        metadata={"description": "Shown once, when made: subscribe to it in Google Calendar or Outlook"})


class CalendarImportSchema(StrictSchema):
    """An .ics file's text: previewed unless `confirm` is true, then every plan it yields is created."""

    calendar = fields.String(required=True, validate=validate.Length(min=1, max=1_000_000),
                             metadata={"description": "The whole iCalendar file (RFC 5545), e.g. a Google or Outlook export"})
    confirm = JsonBoolean(load_default=False, metadata={"description": "false: preview only; true: create the plans"})


class SkippedEventSchema(StrictSchema):
    summary = fields.String(dump_only=True)
    reason = fields.String(dump_only=True)


class CalendarImportResultSchema(StrictSchema):
    plans = fields.List(fields.Nested(PlanSchema), dump_only=True,
                        metadata={"description": "What will be (preview) or was (confirm) created"})
    skipped = fields.List(fields.Nested(SkippedEventSchema), dump_only=True)
    created = fields.Boolean(dump_only=True)
