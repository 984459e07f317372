"""Co-listening: the comparison of one co-listened conversation, shown to its observers once synced."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema
from schemas.sync import MAX_ID


class ColistenQueryArgsSchema(StrictSchema):
    school_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class ColistenObserverSchema(StrictSchema):
    name = fields.String(required=True, metadata={"description": "\"You\" for the asking observer"})
    mine = fields.Boolean(required=True)


class ColistenTraitSchema(StrictSchema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    levels = fields.List(fields.Integer(), required=True, metadata={"description": "One per observer, in `observers` order"})
    spread = fields.Integer(required=True, metadata={"description": "Highest level less lowest: 0 agreed, 1 or 2 apart"})


class ColistenComparisonSchema(StrictSchema):
    session_id = fields.UUID(required=True)
    code = fields.String(required=True)
    started_at = fields.AwareDateTime(format="iso", required=True)
    lead = fields.Boolean(required=True, metadata={"description": "Whether the asking observer started it"})
    logs = fields.Integer(required=True, metadata={"description": "Linked logs synced so far"})
    ready = fields.Boolean(required=True, metadata={"description": "At least two logs on the same rubric: levels shown"})
    other_rubric = fields.Integer(required=True, metadata={"description": "Logs made on another rubric (not compared)"})
    rubric = fields.String(allow_none=True, required=True)
    observers = fields.List(fields.Nested(ColistenObserverSchema), required=True)
    traits = fields.List(fields.Nested(ColistenTraitSchema), required=True)
    agreed = fields.List(fields.String(), required=True)
    apart_one = fields.List(fields.String(), required=True)
    apart_two = fields.List(fields.String(), required=True)
    prompt = fields.String(allow_none=True, required=True, metadata={"description": "A question to talk it through"})


class ColistenListSchema(StrictSchema):
    items = fields.List(fields.Nested(ColistenComparisonSchema), required=True)
