"""The API blueprint class: authentication by default, documented security, JSON-only bodies."""
from __future__ import annotations

from functools import wraps

import flask_smorest
from flask import abort, request
from flask_login import current_user

JSON_METHODS = {"POST", "PUT", "PATCH"}
SESSION_SECURITY = [{"session": []}]


class ApiBlueprint(flask_smorest.Blueprint):
    """Every route requires a signed-in user unless registered with `public=True`."""

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

    return guarded


def require_json_body() -> None:
    """A body-carrying API request must be JSON: anything else is 415, not a confusing 422."""
    if request.method in JSON_METHODS and not request.is_json:
        abort(415, description="Send the request body as application/json.")
