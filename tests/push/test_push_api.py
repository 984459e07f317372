"""The push API: the server's key, and subscribing or unsubscribing the signed-in user's device."""
from __future__ import annotations

import base64

import pytest
from sqlalchemy import select

from server.db import db as database
from server.push.models import PushSubscription
from server.push.service import MAX_DEVICES
from tests.push.receiver import BrowserKeys, unb64url

URL = "/api/v1/push/subscriptions"


def devices() -> list[PushSubscription]:
    database.session.expire_all()
    return list(database.session.scalars(select(PushSubscription).order_by(PushSubscription.id)))


def test_the_key_is_the_servers_vapid_public_key(login_as, server_key):
    client, _user = login_as("observer")

    response = client.get("/api/v1/push/key")

    assert response.status_code == 200
    assert response.get_json() == {"public_key": server_key}
    assert len(unb64url(server_key)) == 65 and unb64url(server_key)[0] == 4


def test_signed_out_nobody_can_subscribe(client, receiver, loopback_allowed):
    response = client.post(URL, json=receiver.subscription("phone"))

    assert response.status_code == 401
    assert devices() == []


def test_subscribing_stores_the_device_for_the_signed_in_user(login_as, receiver, loopback_allowed):
    client, user = login_as("observer")

    response = client.post(URL, json=receiver.subscription("phone"))

    assert response.status_code == 201
    assert response.get_json()["current"] is True and response.get_json()["push_service"] == "127.0.0.1"
    assert [(d.user_id, d.endpoint) for d in devices()] == [(user.id, f"{receiver.origin}/push/phone")]


def test_subscribing_the_same_device_again_keeps_one_row_with_the_new_keys(login_as, receiver, loopback_allowed):
    client, _user = login_as("observer")
    first = receiver.subscription("phone")
    client.post(URL, json=first)
    renewed = {**first, "keys": {"p256dh": BrowserKeys().p256dh, "auth": first["keys"]["auth"]}}

    client.post(URL, json=renewed)

    assert [d.p256dh for d in devices()] == [renewed["keys"]["p256dh"]]


def test_a_shared_device_moves_to_the_user_who_subscribed_it_last(login_as, receiver, loopback_allowed):
    first_client, _first = login_as("observer")
    second_client, second = login_as("observer")
    device = receiver.subscription("shared-phone")
    first_client.post(URL, json=device)

    second_client.post(URL, json=device)

    assert [d.user_id for d in devices()] == [second.id]


def test_a_user_keeps_at_most_ten_devices_the_oldest_dropping_out(login_as, receiver, loopback_allowed):
    client, _user = login_as("observer")
    for number in range(MAX_DEVICES + 2):
        assert client.post(URL, json=receiver.subscription(f"device-{number}")).status_code == 201

    endpoints = [d.endpoint.rsplit("/", 1)[1] for d in devices()]
    assert len(endpoints) == MAX_DEVICES
    assert "device-0" not in endpoints and "device-1" not in endpoints


def test_several_devices_are_listed_without_their_secret_urls(login_as, receiver, loopback_allowed):
    client, _user = login_as("observer")
    client.post(URL, json=receiver.subscription("phone"))
    client.post(URL, json=receiver.subscription("tablet"))

    response = client.get(URL)

    assert response.status_code == 200
    assert len(response.get_json()["items"]) == 2
    assert "/push/" not in response.get_data(as_text=True)


def test_unsubscribing_removes_the_callers_device(login_as, receiver, loopback_allowed):
    client, _user = login_as("observer")
    device = receiver.subscription("phone")
    client.post(URL, json=device)

    response = client.delete(URL, json={"endpoint": device["endpoint"]})

    assert response.status_code == 204
    assert devices() == []


def test_unsubscribing_another_users_device_changes_nothing_and_answers_the_same(login_as, receiver, loopback_allowed):
    owner_client, owner = login_as("observer")
    intruder_client, _intruder = login_as("observer")
    device = receiver.subscription("phone")
    owner_client.post(URL, json=device)

    response = intruder_client.delete(URL, json={"endpoint": device["endpoint"]})

    assert response.status_code == 204
    assert [d.user_id for d in devices()] == [owner.id]


def test_another_users_devices_are_not_listed(login_as, receiver, loopback_allowed):
    owner_client, _owner = login_as("observer")
    other_client, _other = login_as("observer")
    owner_client.post(URL, json=receiver.subscription("phone"))

    assert other_client.get(URL).get_json() == {"items": []}


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("keys", [
    {"p256dh": _b64(b"\x04" + b"\x01" * 64), "auth": _b64(b"a" * 16)},  # not a point on P-256
    {"p256dh": _b64(b"\x02" + b"\x01" * 32), "auth": _b64(b"a" * 16)},  # compressed form
    {"p256dh": BrowserKeys().p256dh[:-4], "auth": _b64(b"a" * 16)},     # too short
    {"p256dh": BrowserKeys().p256dh, "auth": _b64(b"a" * 15)},          # auth of 15 bytes
    {"p256dh": BrowserKeys().p256dh, "auth": _b64(b"a" * 17)},
    {"p256dh": BrowserKeys().p256dh, "auth": "not base64!"},
    {"p256dh": "x" * 5000, "auth": _b64(b"a" * 16)},
    {"p256dh": BrowserKeys().p256dh},
    {"p256dh": BrowserKeys().p256dh, "auth": _b64(b"a" * 16), "extra": "field"},
])
def test_malformed_keys_are_refused(login_as, receiver, loopback_allowed, keys):
    client, _user = login_as("observer")

    response = client.post(URL, json={**receiver.subscription("phone"), "keys": keys})

    assert response.status_code == 422
    assert devices() == []


def test_an_unknown_field_is_refused(login_as, receiver, loopback_allowed):
    client, _user = login_as("observer")

    response = client.post(URL, json={**receiver.subscription("phone"), "user_id": 1})

    assert response.status_code == 422
    assert devices() == []


def test_subscribing_is_audited_without_the_endpoint(login_as, receiver, loopback_allowed):
    from server.audit.models import AuditEvent

    client, user = login_as("observer")
    client.post(URL, json=receiver.subscription("phone"))

    event = database.session.scalar(select(AuditEvent).where(AuditEvent.action == "push.subscribed"))
    assert event.actor_id == user.id
    assert "/push/" not in str(event.details)
