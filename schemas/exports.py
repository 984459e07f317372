"""Whole-school export, erasing a person and deleting a school: the requests and what comes back."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import CleanString, StrictSchema


class SchoolDeletionSchema(StrictSchema):
    confirm_name = CleanString(required=True, validate=validate.Length(min=1, max=120),
                               metadata={"description": "The school's name, typed exactly: deletion cannot be undone"})


class SchoolDeletedSchema(StrictSchema):
    school_id = fields.Integer(dump_only=True)
    rows = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True)
    staff_deleted = fields.Integer(dump_only=True)


class ErasedUserSchema(StrictSchema):
    user_id = fields.Integer(dump_only=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True)
