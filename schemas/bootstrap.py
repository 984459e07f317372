"""Everything capture needs from a cold start, cached by the app for offline use."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema


class BootstrapUserSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)


class BootstrapPeriodSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    starts_at = fields.Time(format="%H:%M", required=True, metadata={"description": "School-local time"})
    ends_at = fields.Time(format="%H:%M", required=True)


class BootstrapLocationSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)


class BootstrapTraitSchema(StrictSchema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    label = fields.String(required=True)
    description = fields.String(required=True)


class BootstrapRubricSchema(StrictSchema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    is_default = fields.Boolean(required=True)
    traits = fields.List(fields.Nested(BootstrapTraitSchema), required=True)


class BootstrapPlanSchema(StrictSchema):
    """A planned conversation meeting from today through the next few days (issue 16: where to walk next)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    location_id = fields.Integer(required=True, allow_none=True)
    state = fields.String(required=True, validate=validate.OneOf(("done", "not_yet", "never_heard")), metadata={
        "description": "done: heard or checked this week (by anyone); not_yet: not this week; never_heard: not this term"})
    occurrences = fields.List(fields.String(), required=True, metadata={
        "description": "Today's and the next meeting day's occurrences, each its local day and times, "
                       "e.g. 2026-12-08T15:00/16:00 (compact: the bootstrap stays small)"})


class BootstrapSchoolSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    timezone = fields.String(required=True)
    role = fields.String(required=True)
    can_log = fields.Boolean(required=True, metadata={"description": "May this user sync observations here"})
    walk_idle_minutes = fields.Integer(required=True)
    periods = fields.List(fields.Nested(BootstrapPeriodSchema), required=True)
    locations = fields.List(fields.Nested(BootstrapLocationSchema), required=True,
                            metadata={"description": "Active places only"})
    rubrics = fields.List(fields.Nested(BootstrapRubricSchema), required=True)
    plans = fields.List(fields.Nested(BootstrapPlanSchema), required=True,
                        metadata={"description": "Schools the user can log in only; soonest first"})


class ConversationKindSchema(StrictSchema):
    value = fields.String(required=True)
    label = fields.String(required=True)
    setting = fields.String(required=True)


class VocabularySchema(StrictSchema):
    location_kinds = fields.List(fields.String(), required=True)
    settings = fields.List(fields.String(), required=True)
    conversation_kinds = fields.List(fields.Nested(ConversationKindSchema), required=True)
    participant_roles = fields.List(fields.String(), required=True)


class BootstrapSchema(StrictSchema):
    user = fields.Nested(BootstrapUserSchema, required=True)
    schools = fields.List(fields.Nested(BootstrapSchoolSchema), required=True)
    vocabulary = fields.Nested(VocabularySchema, required=True)
    server_time = fields.AwareDateTime(format="iso", required=True)
