"""The API blueprint class: authentication, then permission, before a body is read; JSON-only bodies."""
from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

import flask_smorest
from webargs import core
from webargs.flaskparser import FlaskParser
from flask import Request, abort, current_app, request
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

log = logging.getLogger(__name__)

JSON_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
SESSION_SECURITY = [{"session": []}]
NOT_JSON = "The request body is not valid JSON."
TOO_DEEP = "The JSON body is nested too deeply."


class NestedTooDeeply(ValueError):
    """JSON nested past the parser's recursion limit: bad input like any other invalid JSON (a ValueError,
    so werkzeug's get_json answers it, silent or 400), not a RecursionError that becomes a 500."""


class JsonProvider(DefaultJSONProvider):
    """The app's JSON: every body parsed through request.get_json() comes here, whichever route reads it."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise NestedTooDeeply(TOO_DEEP) from None


class JsonRequest(Request):
    """A body that is not valid JSON is a 400 that says why, logged as a client error (no traceback)."""

    def on_json_loading_failed(self, e):
        if e is None:
            return super().on_json_loading_failed(e)
        if isinstance(e, NestedTooDeeply):
            log.info("client error 400: a JSON body nested too deeply was refused")
            raise BadRequest(TOO_DEEP)
        raise BadRequest(NOT_JSON)


class RecordId(IntegerConverter):
    """`<int:…>` ids within the databases' INTEGER range: a larger one is a 404 like any unknown id,
    not an out-of-range error from PostgreSQL (found by the API fuzzer); documented as the maximum."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's name)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class StrictParser(FlaskParser):
    """Query strings and headers follow their schema's own `unknown` too: a misspelt filter is a 422."""

    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None}

    def _raw_load_json(self, req):
        """The body as request.get_json() parsed it (once, cached), not a second parse with json.loads;
        an empty body is no body, as webargs has it."""
        if not core.is_json(req.mimetype) or not req.get_data(cache=True):
            return core.missing
        return req.get_json()


class ApiBlueprint(flask_smorest.Blueprint):
    """Every route requires a signed-in user unless registered with `public=True`; a route's declared
    permission (`access`) is checked next, before its arguments are parsed."""

    ARGUMENTS_PARSER = StrictParser()

    def route(self, rule, *, public: bool = False, **options):
        register = super().route(rule, **options)

        def decorator(view):
            view = self._decorate_view_func_or_method_view(_check_access_first, view)
            if not public:
                for guard in (
                    _require_user,
                    self.doc(security=SESSION_SECURITY),
                    self.alt_response(401, response="UNAUTHORIZED"),
                ):
                    view = self._decorate_view_func_or_method_view(guard, view)
            return register(view)

        return decorator


    @staticmethod
    def access(check: Callable[..., object]):
        """Declare the permission a route (or a MethodView's method) needs: `check` gets the path's arguments
        and aborts with 404 or 403. It runs before the body or query is parsed, so someone who may not
        write gets a 403 (or a 404), never a 422 about a body they may not send. Order-free among the
        decorators: `route()` runs it, outside them all."""

        def declare(view):
            view.access_check = check
            return view

        return declare


def _check_access_first(view):
    check = getattr(view, "access_check", None)
    if check is None:
        return view

    @wraps(view)
    def checked(*args, **kwargs):
        check(**kwargs)
        return view(*args, **kwargs)

    return checked


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


def is_plain_json() -> bool:
    """application/json in UTF-8 (the only charset JSON has, RFC 8259), not a +json type such as
    merge-patch, whose meaning the API does not implement, nor a charset it would ignore."""
    charset = request.mimetype_params.get("charset", "utf-8")
    return request.mimetype == "application/json" and charset.lower() == "utf-8"


def require_json_body() -> None:
    """A body-carrying API request must be plain JSON (415), within the size limit (413) and well formed (400).

    Checked before any view, so a route that ignores its body still refuses a bad one.
    """
    if request.method not in JSON_METHODS:
        return
    if not is_plain_json():
        if not request.content_length and not request.content_type:
            return  # no body at all (a bare POST such as sign-out, a DELETE): nothing to parse
        abort(415, description="Send the request body as application/json (UTF-8).")
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        abort(413, description=f"The request body is larger than {limit} bytes.")
    if request.get_data(cache=True):
        request.get_json()  # invalid or too deeply nested: JsonRequest's 400
