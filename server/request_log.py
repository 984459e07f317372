"""One JSON line per request: what was asked, how it ended, for whom, and how long it took.

Only the URL rule is logged (`/api/v1/locations/<int:location_id>`), never the raw path, query
string, headers, cookies or body: those carry invitation and CSRF tokens, passwords, notes and
push subscription keys. This is the one access log (`hallpulse serve` turns gunicorn's off).
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, g, request
from sqlalchemy import inspect

log = logging.getLogger("hallpulse.requests")

REQUEST_ID_HEADER = "X-Request-ID"
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def init_app(app: Flask) -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False  # one line per request, not a second copy through the root logger

    @app.before_request
    def start_clock():
        g.request_started = time.perf_counter()
        g.request_id = request_id()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        identifier = g.get("request_id") or request_id()
        response.headers.setdefault(REQUEST_ID_HEADER, identifier)
        log.info(json.dumps(request_entry(response.status_code, started, identifier), separators=(",", ":")))
        return response


def request_id() -> str:
    """The proxy's request id when it looks like one (so lines can be joined up), else a new one."""
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    return sent if VALID_REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex


def request_entry(status: int, started: float | None, identifier: str) -> dict:
    view_args = request.view_args or {}
    school_id = view_args.get("school_id")
    return {
        "event": "request",
        "request_id": identifier,
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "user_id": signed_in_user_id(),
        "school_id": school_id if isinstance(school_id, int) else None,
    }


def signed_in_user_id() -> int | None:
    """The id of the user this request signed in as, read from the loaded object's identity: after a
    commit or a failed database its attributes would need a query, which the log line must not make."""
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None
