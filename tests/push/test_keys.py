"""The VAPID key pair: from the environment or instance/, and refused when the two halves disagree."""
from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

from server.push.keys import VapidKeyError, application_server_key, ensure_key_pair, load_vapid
from server.push.sender import retry_after_seconds


def generated() -> Vapid:
    vapid = Vapid()
    vapid.generate_keys()
    return vapid


def raw_private(vapid: Vapid) -> str:
    number = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return base64.urlsafe_b64encode(number).rstrip(b"=").decode()


def test_init_makes_one_key_pair_and_keeps_it(tmp_path):
    assert ensure_key_pair(tmp_path) is True
    first = application_server_key(load_vapid({"INSTANCE_DIR": str(tmp_path)}))

    assert ensure_key_pair(tmp_path) is False
    assert application_server_key(load_vapid({"INSTANCE_DIR": str(tmp_path)})) == first


@pytest.mark.parametrize("form", ["raw", "pem"])
def test_a_key_from_the_environment_wins_over_instance(tmp_path, form):
    vapid = generated()
    private = raw_private(vapid) if form == "raw" else vapid.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()

    loaded = load_vapid({"INSTANCE_DIR": str(tmp_path), "VAPID_PRIVATE_KEY": private,
                         "VAPID_PUBLIC_KEY": application_server_key(vapid)})

    assert application_server_key(loaded) == application_server_key(vapid)


def test_a_public_key_that_is_not_the_private_keys_half_is_refused(tmp_path):
    with pytest.raises(VapidKeyError, match="public half"):
        load_vapid({"INSTANCE_DIR": str(tmp_path), "VAPID_PRIVATE_KEY": raw_private(generated()),
                    "VAPID_PUBLIC_KEY": application_server_key(generated())})


@pytest.mark.parametrize("private", ["not-a-key", "-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----"])
def test_an_unreadable_private_key_is_refused(tmp_path, private):
    with pytest.raises(VapidKeyError):
        load_vapid({"INSTANCE_DIR": str(tmp_path), "VAPID_PRIVATE_KEY": private})


def test_no_key_at_all_says_to_run_init(tmp_path):
    with pytest.raises(VapidKeyError, match="hallpulse init"):
        load_vapid({"INSTANCE_DIR": str(tmp_path)})


@pytest.mark.parametrize(("header", "seconds"), [
    ("120", 120.0), (None, None), ("soon", None), ("99999999", 6 * 3600.0),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0),
])
def test_retry_after_is_read_as_seconds_or_an_http_date(header, seconds):
    now = 1445412420.0  # 21 Oct 2015 07:27:00 GMT

    assert retry_after_seconds(header, now=now) == seconds
