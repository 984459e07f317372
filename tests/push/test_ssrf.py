"""SSRF through push endpoints: refused when a device subscribes, and again when a push is sent."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from server.db import db as database
from server.push.endpoint_guard import EndpointPolicy, EndpointRefused, check_endpoint
from server.push.models import PushSubscription, Reminder, ReminderStatus
from tests import factories
from tests.followups.helpers import create_follow_up
from tests.push.conftest import add_device, make_dispatcher
from tests.push.receiver import Behaviour, BrowserKeys, PushReceiver

PUBLIC_ADDRESS = "142.250.74.42"
FCM = "https://fcm.googleapis.com/fcm/send/device-token"

MALICIOUS_ENDPOINTS = [
    "http://fcm.googleapis.com/fcm/send/x",
    "https://user:pass@fcm.googleapis.com/fcm/send/x",
    "https://user@fcm.googleapis.com/fcm/send/x",
    "https://fcm.googleapis.com@evil.example.com/x",
    "https://fcm.googleapis.com:8443/fcm/send/x",
    "https://fcm.googleapis.com:80/fcm/send/x",
    "https://fcm.googleapis.com:0/fcm/send/x",
    "https://fcm.googleapis.com:99999/fcm/send/x",
    "https://127.0.0.1/x",
    "https://127.0.0.1:443/x",
    "https://10.0.0.5/x",
    "https://172.16.0.1/x",
    "https://192.168.1.1/x",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/x",
    "https://0.0.0.0/x",
    "https://224.0.0.1/x",
    "https://192.0.2.1/x",
    "https://[::1]/x",
    "https://[::]/x",
    "https://[::ffff:127.0.0.1]/x",
    "https://[::ffff:7f00:1]/x",
    "https://[fd00:ec2::254]/x",
    "https://[fe80::1]/x",
    "https://2130706433/x",
    "https://0x7f000001/x",
    "https://0177.0.0.1/x",
    "https://127.1/x",
    "https://localhost/x",
    "https://localhost.localdomain/x",
    "https://push.localhost/x",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://push.service.internal/x",
    "https://fcm.googleapis.com.evil.example/x",
    "https://evilfcm.googleapis.com.attacker.net/x",
    "https://notfcm.googleapis.co/x",
    "https://fcm.googleapis.com./fcm/send/x",
    "https://fcm.googleapis.com/fcm/send/" + "a" * 3000,
    "ftp://fcm.googleapis.com/x",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "javascript:alert(1)",
    "https://fcm.googleapis.com#@127.0.0.1/",
    "https://fcm.googleapis.com\\@127.0.0.1/",
    "https://fcm.googleapis.com%2F@127.0.0.1/",
    " https://fcm.googleapis.com/fcm/send/x",
    "https://fcm.googleapis.com/x\r\nHost: 127.0.0.1",
    "https://xn--fcm-googleapis-9fb.com/x",
    "https://push.example.com/x",  # a public host, but not a push service
]
# Names resolving to places a push must never go, for the resolver hook (any public host allowed).
RESOLVING_TO = {
    "loopback.example.com": ["127.0.0.1"],
    "ten.example.com": ["10.1.2.3"],
    "metadata.example.com": ["169.254.169.254"],
    "cgnat.example.com": ["100.64.1.1"],
    "v6-loopback.example.com": ["::1"],
    "v4-mapped.example.com": ["::ffff:10.0.0.1"],
    "ula.example.com": ["fd00::1"],
    "nat64.example.com": ["64:ff9b::a00:1"],
    "mixed.example.com": [PUBLIC_ADDRESS, "192.168.0.10"],
    "nothing.example.com": [],
}


def fake_dns(table: dict[str, list[str]]):
    def resolve(host: str, _port: int) -> list[str]:
        if host not in table:
            raise EndpointRefused("The push service's host name could not be resolved.")
        return table[host]
    return resolve


def body(endpoint: str) -> dict:
    keys = BrowserKeys()
    return {"endpoint": endpoint, "expirationTime": None, "keys": {"p256dh": keys.p256dh, "auth": keys.auth}}


@pytest.fixture()
def dns(app):
    """The app's resolver hook, answering for the known push services and for RESOLVING_TO."""
    table = {"fcm.googleapis.com": [PUBLIC_ADDRESS], "updates.push.services.mozilla.com": [PUBLIC_ADDRESS],
             "web.push.apple.com": ["17.253.1.1"], "wns2-par02p.notify.windows.com": ["2603:1000::1"], **RESOLVING_TO}
    before = {key: app.config.get(key) for key in ("PUSH_RESOLVER", "PUSH_HOST_ALLOWLIST")}
    app.config["PUSH_RESOLVER"] = fake_dns(table)
    yield table
    app.config.update(before)


def stored_devices() -> int:
    return database.session.scalar(select(func.count()).select_from(PushSubscription))


def test_the_corpus_has_at_least_forty_endpoints():
    assert len(MALICIOUS_ENDPOINTS) + len(RESOLVING_TO) >= 40


@pytest.mark.parametrize("endpoint", MALICIOUS_ENDPOINTS)
def test_a_malicious_endpoint_is_refused_at_subscribe_time(login_as, dns, endpoint):
    client, _user = login_as("observer")

    response = client.post("/api/v1/push/subscriptions", json=body(endpoint))

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert stored_devices() == 0


@pytest.mark.parametrize("host", sorted(RESOLVING_TO))
def test_a_name_resolving_to_a_private_address_is_refused_at_subscribe_time(app, login_as, dns, host):
    app.config["PUSH_HOST_ALLOWLIST"] = "*"
    client, _user = login_as("observer")

    response = client.post("/api/v1/push/subscriptions", json=body(f"https://{host}/push/x"))

    assert response.status_code == 422
    assert stored_devices() == 0


def test_an_allowlisted_push_service_resolving_to_a_private_address_is_refused(login_as, dns):
    dns["fcm.googleapis.com"] = ["10.0.0.7"]
    client, _user = login_as("observer")

    response = client.post("/api/v1/push/subscriptions", json=body(FCM))

    assert response.status_code == 422


@pytest.mark.parametrize("endpoint", [
    FCM, "https://updates.push.services.mozilla.com/wpush/v2/gAAAA", "https://web.push.apple.com/QGx",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
])
def test_the_browsers_push_services_are_accepted(login_as, dns, endpoint):
    client, _user = login_as("observer")

    response = client.post("/api/v1/push/subscriptions", json=body(endpoint))

    assert response.status_code == 201, response.get_json()
    assert stored_devices() == 1


def test_the_loopback_setting_is_ignored_outside_testing():
    config = {"PUSH_ALLOW_LOOPBACK": True, "TESTING": False, "HALLPULSE_ENV": "production"}

    assert EndpointPolicy.from_config(config).allow_loopback is False


def test_a_loopback_receiver_is_refused_at_subscribe_time_without_the_testing_setting(login_as, receiver):
    client, _user = login_as("observer")

    response = client.post("/api/v1/push/subscriptions", json=receiver.subscription("phone"))

    assert response.status_code == 422
    assert receiver.connections == 0


def test_a_stored_loopback_endpoint_is_refused_at_send_time_without_the_testing_setting(app, db, school, receiver):
    owner = factories.create_user("observer", school)
    add_device(owner, receiver.subscription("phone"))
    create_follow_up(school, owner)

    with make_dispatcher(app, policy=EndpointPolicy(), pool_size=2) as dispatcher:
        summary = dispatcher.run_pass()

    assert summary.outcomes == {"refused": 1}
    assert receiver.connections == 0
    assert database.session.scalar(select(Reminder.status)) == ReminderStatus.FAILED


def test_a_name_that_rebinds_to_loopback_after_subscribing_is_refused_at_connect_time(app, db, school, receiver):
    """DNS rebinding: public when checked at subscribe time, loopback when the sender connects."""
    answers = iter([[PUBLIC_ADDRESS], ["127.0.0.1"], ["127.0.0.1"]])
    port = int(receiver.origin.rsplit(":", 1)[1])
    policy = EndpointPolicy(hosts=None, ports=frozenset({443, port}), resolver=lambda _host, _port: next(answers))
    endpoint = f"https://rebind.example.com:{port}/push/phone"
    check_endpoint(endpoint, policy)  # what subscribing checked
    owner = factories.create_user("observer", school)
    add_device(owner, {**receiver.subscription("phone"), "endpoint": endpoint})
    create_follow_up(school, owner)

    with make_dispatcher(app, policy=policy, pool_size=2) as dispatcher:
        summary = dispatcher.run_pass()

    assert summary.outcomes == {"refused": 1}
    assert receiver.connections == 0


def test_a_redirect_from_the_push_service_is_never_followed(app, db, school, receiver, server_key):
    with PushReceiver(server_key) as internal:
        internal_url = internal.subscription("admin")["endpoint"]
        owner = factories.create_user("observer", school)
        add_device(owner, receiver.subscription("phone", Behaviour(status=307, headers={"Location": internal_url})))
        create_follow_up(school, owner)

        with make_dispatcher(app, pool_size=2) as dispatcher:
            summary = dispatcher.run_pass()

        assert internal.requests == 0 and internal.connections == 0
    assert summary.outcomes == {"failed": 1}
    assert receiver.requests == 1
