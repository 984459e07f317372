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


class BootstrapPlansSchema(StrictSchema):
    """The planned conversations meeting today and on the next day any plan meets (issue 16: where to walk
    next, offline), soonest first, as parallel lists: entry i of each list is plan i. Columns rather than an
    object per plan keep the bootstrap within its budget (docs/performance.md)."""

    id = fields.List(fields.Integer(), required=True)
    name = fields.List(fields.String(), required=True)
    location_id = fields.List(fields.Integer(allow_none=True), required=True)
    state = fields.List(fields.Integer(validate=validate.OneOf((0, 1, 2))), required=True, metadata={
        "description": "0: not heard this term; 1: not heard or checked this week (by anyone); 2: heard or checked "
                       "this week. A plan meeting only in a later week than today is 0 or 1."})
    occurrences = fields.List(fields.List(fields.String()), required=True, metadata={
        "description": "Each plan's occurrences in the window: its local day and start, and how long it meets "
                       "on the school's clock, e.g. 2026-12-08T15:00/PT60M (ISO 8601 start/duration)"})


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
    plans = fields.Nested(BootstrapPlansSchema, required=True,
                          metadata={"description": "Empty lists unless the user can log in this school"})


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
