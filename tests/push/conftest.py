"""Push fixtures: the server's VAPID key, a loopback push receiver, the testing-only loopback setting."""
from __future__ import annotations

from pathlib import Path

import pytest

from server.db import db as database
from server.push.dispatcher import Dispatcher
from server.push.endpoint_guard import EndpointPolicy
from server.push.keys import application_server_key, ensure_key_pair, load_vapid
from server.push.models import PushSubscription
from server.push.sender import PushSender
from tests.push.receiver import PushReceiver

LOOPBACK = EndpointPolicy(allow_loopback=True)


@pytest.fixture()
def server_key(app) -> str:
    """The server's VAPID public key (made in the test instance folder, as `hallpulse init` does)."""
    ensure_key_pair(Path(app.config["INSTANCE_DIR"]))
    return application_server_key(load_vapid(app.config))


@pytest.fixture()
def loopback_allowed(app):
    """HALLPULSE_PUSH_ALLOW_LOOPBACK for this test only (the app is a testing app, so it is honoured)."""
    before = app.config.get("PUSH_ALLOW_LOOPBACK")
    app.config["PUSH_ALLOW_LOOPBACK"] = True
    yield
    app.config["PUSH_ALLOW_LOOPBACK"] = before


@pytest.fixture()
def receiver(server_key):
    with PushReceiver(server_key) as push_service:
        yield push_service


def make_dispatcher(app, policy: EndpointPolicy = LOOPBACK, timeout=(3.05, 10.0), **options) -> Dispatcher:
    sender = PushSender(load_vapid(app.config), app.config["VAPID_SUBJECT"], policy, timeout=timeout)
    return Dispatcher(sender, **options)


@pytest.fixture()
def dispatcher(app, db, server_key):
    with make_dispatcher(app, pool_size=4) as running:
        yield running


def add_device(user, subscription: dict) -> PushSubscription:
    """Store a device as the subscribe API would (bypassing its checks: for send-time tests)."""
    row = PushSubscription(user_id=user.id, endpoint=subscription["endpoint"],
                           p256dh=subscription["keys"]["p256dh"], auth=subscription["keys"]["auth"])
    database.session.add(row)
    database.session.commit()
    return row
