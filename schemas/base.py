"""Shared schema pieces: strict by default, UTC datetimes, clean text, the problem shape."""
from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from marshmallow import fields, validate


class StrictSchema(ma.Schema):
    """Unknown fields are errors, so a misspelt field or filter never passes silently."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


class CleanString(fields.String):
    """Text without NUL or other control characters (bar tab and newline), trimmed."""

    default_error_messages = {"control": "Control characters are not allowed."}

    def __init__(self, *, strip: bool = True, **kwargs):
        """`strip=False` for values that must arrive exactly as sent (a push endpoint URL)."""
        super().__init__(**kwargs)
        self.strip = strip

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if any((ord(ch) < 32 and ch not in "\t\n\r") or 0xD800 <= ord(ch) <= 0xDFFF for ch in text):
            raise self.make_error("control")
        return text.strip() if self.strip else text


class AwareDateTime(fields.AwareDateTime):
    """ISO 8601 with an offset; stored and returned as UTC."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "iso")
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).astimezone(timezone.utc)


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details, the one error shape of the API."""

    type = fields.String(metadata={"description": "A URI naming the kind of problem"})
    title = fields.String(metadata={"description": "Short summary of the problem kind"})
    status = fields.Integer()
    detail = fields.String(metadata={"description": "What went wrong, in plain words"})
    errors = fields.Dict(metadata={"description": "Field errors, keyed by location then field"})


class PaginationArgsSchema(StrictSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


def email_field(**kwargs) -> fields.Email:
    return fields.Email(validate=validate.Length(max=254), **kwargs)
