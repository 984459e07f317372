"""The audit log as principals and district admins read it: newest first, paged, filtered by action."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema

ACTION_PATTERN = r"^[a-z_]+(\.[a-z_]+)*$"


class AuditQueryArgsSchema(StrictSchema):
    action = fields.String(validate=[validate.Length(max=60), validate.Regexp(ACTION_PATTERN, error="Not an audit action name.")],
                           metadata={"description": "Only events of this action (e.g. auth.login), or of this family (e.g. auth)"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class AuditEventSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    at = fields.AwareDateTime(dump_only=True, format="iso")
    action = fields.String(dump_only=True)
    actor_id = fields.Integer(dump_only=True, allow_none=True)
    actor_name = fields.String(dump_only=True, allow_none=True)
    object_type = fields.String(dump_only=True)
    object_id = fields.String(dump_only=True)
    ip = fields.String(dump_only=True, metadata={"description": "Where the request came from"})
    details = fields.Dict(dump_only=True)


class AuditPageSchema(StrictSchema):
    items = fields.List(fields.Nested(AuditEventSchema), dump_only=True)
    page = fields.Integer(dump_only=True)
    per_page = fields.Integer(dump_only=True)
    total = fields.Integer(dump_only=True)
