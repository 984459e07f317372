"""Rubrics and their traits, as an observer's capture screen needs them."""
from marshmallow import fields, validate

from schemas.base import StrictSchema

MAX_ID = 2**31 - 1


class TraitSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    key = fields.String(dump_only=True)
    label = fields.String(dump_only=True)
    description = fields.String(dump_only=True)
    position = fields.Integer(dump_only=True)


class RubricSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    key = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    description = fields.String(dump_only=True)
    is_default = fields.Boolean(dump_only=True)
    built_in = fields.Function(
        lambda rubric: rubric.district_id is None,
        metadata={"type": "boolean", "description": "Shipped with the app, not the district's own"},
    )
    traits = fields.List(fields.Nested(TraitSchema), dump_only=True)


class RubricQueryArgsSchema(StrictSchema):
    school_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
