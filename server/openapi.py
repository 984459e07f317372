"""What the OpenAPI document says that marshmallow alone does not."""
from __future__ import annotations

from apispec import BasePlugin

from schemas.base import PatchSchema


class AtLeastOneField(BasePlugin):
    """A change schema (schemas.base.PatchSchema) refuses an empty body: say so, as minProperties 1,
    so clients and the fuzzer know `{}` is not a valid request."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        schema_class = schema if isinstance(schema, type) else type(schema)
        if isinstance(schema_class, type) and issubclass(schema_class, PatchSchema):
            return {"minProperties": 1}
        return None
