"""The API blueprint class: authentication by default, documented security, JSON-only bodies."""
from __future__ import annotations

from functools import wraps

import flask_smorest
from webargs.flaskparser import FlaskParser
from flask import abort, current_app, request
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

JSON_METHODS = {"POST", "PUT", "PATCH"}
SESSION_SECURITY = [{"session": []}]


class RecordId(IntegerConverter):
    """`<int:…>` ids within the databases' INTEGER range: a larger one is a 404 like any unknown id,
    not an out-of-range error from PostgreSQL (found by the API fuzzer); documented as the maximum."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class StrictParser(FlaskParser):
    """Query strings and headers follow their schema's own `unknown` too: a misspelt filter is a 422."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}


class ApiBlueprint(flask_smorest.Blueprint):
    """Every route requires a signed-in user unless registered with `public=True`."""

    ARGUMENTS_PARSER = StrictParser()

    def route(self, rule, *, public: bool = False, **options):
        register = super().route(rule, **options)

        def decorator(view):
            if not public:
                for guard in (
                    _require_user,
                    self.doc(security=SESSION_SECURITY),
                    self.alt_response(401, response="UNAUTHORIZED"),
                ):
                    view = self._decorate_view_func_or_method_view(guard, view)
            return register(view)

        return decorator


def _require_user(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            abort(401, description="Sign in to continue.")
        return view(*args, **kwargs)

    guarded.requires_sign_in = True
    return guarded


def requires_sign_in() -> bool:
    """Whether the matched API route (and method) is one of the sign-in-only ones."""
    view = current_app.view_functions.get(request.endpoint or "")
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class else view
    return bool(getattr(handler, "requires_sign_in", False))


def require_json_body() -> None:
    """A body-carrying API request must be JSON (415), within the size limit (413) and well formed (400).

    Checked before any view, so a route that ignores its body still refuses a bad one.
    """
    if request.method not in JSON_METHODS:
        return
    if not request.is_json:
        if not request.content_length and not request.content_type:
            return  # no body at all (a bare POST such as sign-out): nothing to parse
        abort(415, description="Send the request body as application/json.")
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        abort(413, description=f"The request body is larger than {limit} bytes.")
    if request.get_data(cache=True):
        try:
            request.get_json()
        except BadRequest:
            abort(400, description="The request body is not valid JSON.")
