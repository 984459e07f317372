"""One error shape: problem+json for the API, a plain page for browsers."""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_login import current_user
from flask_smorest import Api
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError, ServiceUnavailable, Unauthorized

from schemas.base import ProblemSchema
from server.db import db

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://hallway-pulse.invalid/problems/"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json", "application/problem+json"])
    return best not in (None, "text/html") and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def problem_response(status: int, title: str, detail: str = "", errors: dict | None = None, headers=None):
    body = {"type": PROBLEM_TYPE_BASE + title.lower().replace(" ", "-"), "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error_response(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    detail = data.get("message") or error.description or ""
    headers = dict(data.get("headers") or {})
    headers.update((name, value) for name, value in error.get_headers() if name == "Retry-After")
    if error.code == 429 and error.response is not None:
        headers.update({k: v for k, v in error.response.headers.items() if k.lower().startswith(("retry-after", "x-ratelimit"))})
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if wants_json():
        return problem_response(error.code or 500, error.name, detail, errors, headers)
    html = render_template("error.html", error=error, detail=detail), error.code
    return html[0], html[1], headers


class HallpulseApi(Api):
    """flask-smorest Api whose error handler and documented error shape are problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_responses(self):
        """Document every error response as application/problem+json, as it is sent."""
        default = self.DEFAULT_RESPONSE_CONTENT_TYPE
        self.DEFAULT_RESPONSE_CONTENT_TYPE = "application/problem+json"
        try:
            super()._register_responses()
        finally:
            self.DEFAULT_RESPONSE_CONTENT_TYPE = default

    def handle_http_exception(self, error):
        return http_error_response(error)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(IntegrityError)
    def constraint_violated(error: IntegrityError):
        """Constraint violations (a duplicate, a dangling reference) are 409, in one place."""
        db.session.rollback()
        log.info("integrity error mapped to 409: %s", error.orig)
        return http_error_response(Conflict("That conflicts with data already stored."))

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        """The database is restarting, unreachable, read-only or busy: a 503 to try again, never a 500
        (the app's outbox sends its records again; nothing was committed)."""
        try:
            db.session.rollback()
        except OperationalError:
            pass  # the connection is gone; the pool opens a new one next time
        log.warning("database unavailable, answered 503: %s", error.orig)
        return http_error_response(ServiceUnavailable(
            "The database is unavailable for a moment; try again shortly.", retry_after=5))

    @app.errorhandler(CSRFError)
    def csrf_failed(error: CSRFError):
        """Signed out, a sign-in-only API write is a 401 (sign in again), not a CSRF 400: the CSRF
        check runs first, yet without a session there is nothing for a forged request to ride on."""
        from server.blueprint import requires_sign_in

        if request.path.startswith("/api/") and requires_sign_in() and not current_user.is_authenticated:
            return http_error_response(Unauthorized("Sign in to continue."))
        return http_error_response(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error_response(error)
        db.session.rollback()
        log.exception("unhandled error")
        return http_error_response(InternalServerError())
