"""The request log: one JSON line per request, and nothing secret or personal in it."""
from __future__ import annotations

import io
import json
import logging

import pytest

from server.request_log import log as request_log
from tests import factories
from tests.push.conftest import loopback_allowed, receiver, server_key  # noqa: F401  (fixtures)
from tests.sync.conftest import observation_record, sync

NOTE_CANARY = "canary-note-7f3a9c Mr. Ortiz said the quiz was unfair"


@pytest.fixture()
def log_lines():
    """What the request log writes during the test, line by line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    request_log.addHandler(handler)
    yield lambda: [line for line in stream.getvalue().splitlines() if line]
    request_log.removeHandler(handler)


def test_each_request_is_one_json_line_with_its_route_status_user_and_request_id(login_as, school, log_lines):
    client, user = login_as("principal")

    response = client.get(f"/api/v1/schools/{school.id}/locations", headers={"X-Request-ID": "req-0123456789"})

    entry = json.loads(log_lines()[-1])
    assert response.headers["X-Request-ID"] == "req-0123456789"
    assert entry == {
        "event": "request", "request_id": "req-0123456789", "method": "GET",
        "route": "/api/v1/schools/<int:school_id>/locations", "status": 200,
        "duration_ms": entry["duration_ms"], "user_id": user.id, "school_id": school.id,
    }
    assert isinstance(entry["duration_ms"], float)


def test_a_request_id_that_is_not_plain_text_is_replaced(client, log_lines):
    response = client.get("/api/v1/auth/csrf", headers={"X-Request-ID": "x\" ,\"user_id\": 1"})

    entry = json.loads(log_lines()[-1])
    assert entry["request_id"] == response.headers["X-Request-ID"] != "x\" ,\"user_id\": 1"


def test_no_password_token_cookie_note_or_push_key_reaches_the_log(
        app, login_as, school, receiver, loopback_allowed, log_lines):  # noqa: F811
    user = factories.create_user("observer", school, email="canary.user@example.org")
    from tests.conftest import ApiClient

    app.test_client_class = ApiClient
    client = app.test_client()
    signed_in = client.post("/api/v1/auth/login", json={"email": user.email, "password": factories.PASSWORD})
    csrf_token = client.refresh_csrf()
    session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    synced = sync(client, school.id, observation_record(school, note=NOTE_CANARY))
    subscription = receiver.subscription("canary-phone")
    subscribed = client.post("/api/v1/push/subscriptions", json=subscription)

    written = "\n".join(log_lines())
    assert (signed_in.status_code, synced.status_code, subscribed.status_code) == (200, 200, 201)
    routes = [json.loads(line)["route"] for line in log_lines()]
    assert {"/api/v1/auth/login", "/api/v1/sync", "/api/v1/push/subscriptions"} <= set(routes)
    secrets = {
        "password": factories.PASSWORD, "note": "canary-note-7f3a9c", "csrf token": csrf_token,
        "session cookie": session_cookie, "push endpoint": subscription["endpoint"],
        "push p256dh key": subscription["keys"]["p256dh"], "push auth secret": subscription["keys"]["auth"],
        "email": user.email,
    }
    assert [name for name, value in secrets.items() if value in written] == []
