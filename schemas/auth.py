"""Sign-in, the signed-in user, invitations and password changes."""
from marshmallow import fields, validate

from schemas.base import AwareDateTime, CleanString, StrictSchema, email_field

ROLES = ("district_admin", "principal", "observer", "viewer")
SCHOOL_ROLES = ("principal", "observer", "viewer")


class LoginSchema(StrictSchema):
    email = email_field(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class SchoolRoleSchema(StrictSchema):
    school_id = fields.Integer(required=True)
    school_name = fields.String(required=True)
    district_id = fields.Integer(required=True)
    timezone = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))


class MeSchema(StrictSchema):
    id = fields.Integer(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    schools = fields.List(fields.Nested(SchoolRoleSchema), required=True)


class CsrfTokenSchema(StrictSchema):
    csrf_token = fields.String(required=True)


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class InvitationCreateSchema(StrictSchema):
    email = email_field(required=True)
    name = CleanString(load_default="", validate=validate.Length(max=120))
    role = fields.String(required=True, validate=validate.OneOf(SCHOOL_ROLES))


class InvitationSchema(StrictSchema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    expires_at = AwareDateTime(dump_only=True)
    used_at = AwareDateTime(dump_only=True, allow_none=True)
    link = fields.String(dump_only=True, metadata={"description": "Shown once, at creation"})


class InvitationAcceptSchema(StrictSchema):
    name = CleanString(load_default="", validate=validate.Length(max=120))
    password = fields.String(load_default="", validate=validate.Length(max=256))
