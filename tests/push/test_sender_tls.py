"""Over HTTPS the sender connects to the address the guard vetted and still checks the host's certificate."""
from __future__ import annotations

import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from server.push.endpoint_guard import EndpointPolicy
from server.push.keys import load_vapid
from server.push.sender import DELIVERED, FAILED, RETRY, PushMessage, PushSender
from tests.push.receiver import PushReceiver

HOST = "push.example.com"


def certificate(tmp_path, host: str) -> tuple[str, ssl.SSLContext]:
    """A CA file the sender trusts, and a TLS context serving a certificate for `host` signed by it."""
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test push CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False).sign(key, hashes.SHA256()))
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "key.pem")
    return str(tmp_path / "ca.pem"), context


@pytest.fixture()
def tls_receiver(tmp_path, server_key):
    ca_file, context = certificate(tmp_path, HOST)
    with PushReceiver(server_key, tls=context, host_name=HOST) as receiver:
        yield receiver, ca_file


def send(app, receiver, ca_file, endpoint_host: str = HOST) -> str:
    """One push to the TLS receiver, its host name pinned by the resolver hook to the receiver's address."""
    port = int(receiver.origin.rsplit(":", 1)[1])
    policy = EndpointPolicy(hosts=None, allow_loopback=True, ports=frozenset({443, port}),
                            resolver=lambda _host, _port: ["127.0.0.1"])
    sender = PushSender(load_vapid(app.config), app.config["VAPID_SUBJECT"], policy, timeout=(2, 3), ca_bundle=ca_file)
    device = receiver.subscription("phone")
    endpoint = device["endpoint"].replace(HOST, endpoint_host)
    message = PushMessage(1, endpoint, device["keys"]["p256dh"], device["keys"]["auth"], b'{"v":1}', "topic", 60)
    return sender.send(message).outcome


def test_an_https_push_reaches_the_vetted_address_and_verifies(app, tls_receiver):
    receiver, ca_file = tls_receiver

    outcome = send(app, receiver, ca_file)

    assert outcome == DELIVERED
    assert receiver.errors == [] and receiver.deliveries[0].claims["aud"] == receiver.origin


def test_a_certificate_for_another_host_is_refused(app, tls_receiver):
    receiver, ca_file = tls_receiver

    outcome = send(app, receiver, ca_file, endpoint_host="other.example.com")

    assert outcome in (RETRY, FAILED)
    assert receiver.deliveries == []
