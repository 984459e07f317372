"""Observations and walks as the server holds them, and the own-records listing with its cursor.

A record is returned in the shape the app sends it (plus `deleted_at` and `updated_at`), so a
client can store the server's record as it stands, e.g. after a conflict.
"""
from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime

from marshmallow import fields, validate

from schemas.base import Moment, StrictSchema
from schemas.sync import MAX_ID


class Cursor(fields.String):
    """An opaque resume point: (change_seq, id) of the last record seen, base64url-encoded.

    A cursor from before the change sequence ((updated_at, id)) loads as None: that pull starts over
    from the first change (the client upserts by id and version, so repeats are harmless).
    """

    default_error_messages = {"cursor": "Not a valid cursor."}
    PREFIX = "c:"
    MAX_SEQ = 2**63 - 1

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        change_seq, record_id = value
        text = f"{self.PREFIX}{change_seq}|{record_id.hex}"
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > 200:
            raise self.make_error("cursor")
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
            position, record_hex = decoded.split("|")
            record_id = uuid.UUID(hex=record_hex)
            if not position.startswith(self.PREFIX):
                updated_at = datetime.fromisoformat(position)  # an (updated_at, id) cursor of an older server
                if updated_at.tzinfo is None:
                    raise ValueError("naive")
                return None
            digits = position.removeprefix(self.PREFIX)
            change_seq = int(digits) if digits.isdigit() else -1
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise self.make_error("cursor") from None
        if not 0 <= change_seq <= self.MAX_SEQ:
            raise self.make_error("cursor")
        return change_seq, record_id


class ObservationSchema(StrictSchema):
    type = fields.Constant("observation", dump_only=True)
    id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    walk_id = fields.UUID(dump_only=True, allow_none=True)
    rubric_id = fields.Integer(dump_only=True)
    location_id = fields.Integer(dump_only=True)
    observed_at = fields.DateTime(format="iso", dump_only=True, metadata={"description": "With the device's UTC offset"})
    setting = fields.String(dump_only=True, allow_none=True)
    conversation_kind = fields.String(dump_only=True, allow_none=True)
    participant_count = fields.Integer(dump_only=True, allow_none=True)
    participant_roles = fields.List(fields.String(), dump_only=True)
    team = fields.String(dump_only=True, allow_none=True)
    note = fields.String(dump_only=True, allow_none=True)
    needs_follow_up = fields.Boolean(dump_only=True)
    trait_levels = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True)
    plan_id = fields.Integer(dump_only=True, allow_none=True, metadata={"description": "The planned occurrence it was logged at"})
    plan_day = fields.Date(dump_only=True, allow_none=True)
    local_date = fields.Date(dump_only=True, metadata={"description": "The day in the school's time zone"})
    colisten_code = fields.String(dump_only=True, allow_none=True, metadata={"description": "The co-listen code sent"})
    colisten_id = fields.UUID(dump_only=True, allow_none=True, metadata={
        "description": "The co-listen session the server linked this log to (GET /api/v1/colisten/<id>)"})
    deleted_at = fields.DateTime(format="iso", dump_only=True, allow_none=True)
    updated_at = fields.DateTime(format="iso", dump_only=True)


class WalkSchema(StrictSchema):
    type = fields.Constant("walk", dump_only=True)
    id = fields.UUID(dump_only=True)
    version = fields.Integer(dump_only=True)
    started_at = fields.DateTime(format="iso", dump_only=True)
    ended_at = fields.DateTime(format="iso", dump_only=True, allow_none=True)
    deleted_at = fields.DateTime(format="iso", dump_only=True, allow_none=True)
    updated_at = fields.DateTime(format="iso", dump_only=True)


class OwnRecordsQueryArgsSchema(StrictSchema):
    school_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    since = Cursor(load_default=None, metadata={"description": "`next_cursor` of the previous page or pull"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class RecentWindowArgsMixin(StrictSchema):
    """`from`: a new device's first pull asks only for a recent window, not the whole history."""

    from_ = Moment(data_key="from", load_default=None, metadata={
        "description": "Only records observed (walks: started) at or after this moment, ISO 8601 with an offset",
    })


class ObservationQueryArgsSchema(OwnRecordsQueryArgsSchema, RecentWindowArgsMixin):
    """The signed-in user's own observations in one school, tombstones included."""


class WalkQueryArgsSchema(OwnRecordsQueryArgsSchema, RecentWindowArgsMixin):
    """The signed-in user's own walks in one school, tombstones included."""


class ObservationPageSchema(StrictSchema):
    items = fields.List(fields.Nested(ObservationSchema), required=True)
    next_cursor = Cursor(required=True, metadata={"description": "Pass as `since` next time (always given)"})
    has_more = fields.Boolean(required=True, metadata={"description": "True: fetch again now with next_cursor"})


class WalkPageSchema(StrictSchema):
    items = fields.List(fields.Nested(WalkSchema), required=True)
    next_cursor = Cursor(required=True)
    has_more = fields.Boolean(required=True)
