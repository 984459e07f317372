"""Plan checks ("checked, not heard", issue 16) as the server holds them, and the own-records listing.

Written through POST /sync as records of type "plan_check" (schemas/sync.py PlanCheckRecordSchema);
read back in the shape the app sends them, plus `deleted_at` and `updated_at`.
"""
from __future__ import annotations

from marshmallow import fields

from schemas.base import StrictSchema
from schemas.observations import Cursor, OwnRecordsQueryArgsSchema


class PlanCheckSchema(StrictSchema):
    type = fields.Constant("plan_check", dump_only=True)
    id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    plan_id = fields.Integer(dump_only=True)
    day = fields.Date(dump_only=True, metadata={"description": "The occurrence's day in the school's zone"})
    outcome = fields.String(dump_only=True, metadata={"description": "not_held, cancelled or not_learning"})
    checked_at = fields.DateTime(format="iso", dump_only=True, metadata={"description": "With the device's UTC offset"})
    note = fields.String(dump_only=True, allow_none=True)
    deleted_at = fields.DateTime(format="iso", dump_only=True, allow_none=True)
    updated_at = fields.DateTime(format="iso", dump_only=True)


class PlanCheckQueryArgsSchema(OwnRecordsQueryArgsSchema):
    """The signed-in user's own plan checks in one school, tombstones included."""


class PlanCheckPageSchema(StrictSchema):
    items = fields.List(fields.Nested(PlanCheckSchema), required=True)
    next_cursor = Cursor(required=True, metadata={"description": "Pass as `since` next time (always given)"})
    has_more = fields.Boolean(required=True, metadata={"description": "True: fetch again now with next_cursor"})
