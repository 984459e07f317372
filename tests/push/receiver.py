"""A push service on 127.0.0.1, as strict as a real one about what matters to us.

Each request must carry a VAPID `Authorization: vapid t=<JWT>,k=<key>` whose key is the server's,
whose ES256 signature verifies with it and whose `aud` is this receiver's origin; its body must
decrypt (aes128gcm) with the private key and auth secret of the device it is addressed to, which
the test made as a browser would. Any failure is kept in `errors`. Paths can be told to answer
410, 429 with Retry-After, a redirect, or to hang.
"""
from __future__ import annotations

import base64
import json
import os
import ssl
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

HANG_LIMIT = 30.0  # a hanging path gives up after this, so no test thread outlives its test by long


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserKeys:
    """A device's push keys, made as a browser makes them: a P-256 key pair and a 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return b64url(raw)

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class Behaviour:
    status: int = 201
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None  # answer like this this many times, then 201
    hang: bool = False


@dataclass
class Delivery:
    path: str
    payload: dict
    headers: dict[str, str]
    claims: dict
    body_bytes: int


def verify_vapid(authorization: str, server_key: str, audience: str) -> dict:
    """The JWT's claims if the header is a valid VAPID header for this origin, else ValueError."""
    scheme, _, params = authorization.partition(" ")
    if scheme.lower() != "vapid":
        raise ValueError(f"not a vapid Authorization header: {scheme!r}")
    parts = dict(item.strip().split("=", 1) for item in params.split(","))
    if parts.get("k") != server_key:
        raise ValueError("k is not the server's public key")
    header_b64, claims_b64, signature_b64 = parts["t"].split(".")
    header = json.loads(unb64url(header_b64))
    if header.get("alg") != "ES256":
        raise ValueError(f"alg {header.get('alg')!r}")
    signature = unb64url(signature_b64)
    if len(signature) != 64:
        raise ValueError("an ES256 signature is 64 bytes")
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(server_key))
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("the JWT signature does not verify with the server's key") from None
    claims = json.loads(unb64url(claims_b64))
    if claims.get("aud") != audience:
        raise ValueError(f"aud {claims.get('aud')!r}, expected {audience!r}")
    if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
        raise ValueError("exp must be in the next 24 hours")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise ValueError("sub must be a mailto: or https: contact")
    return claims


class PushReceiver:
    def __init__(self, server_public_key: str, delay: float = 0.0, keep_payloads: bool = True,
                 tls: ssl.SSLContext | None = None, host_name: str = "127.0.0.1"):
        self.server_key = server_public_key
        self.delay = delay
        self.keep_payloads = keep_payloads
        self.devices: dict[str, BrowserKeys] = {}
        self.behaviours: dict[str, Behaviour] = {}
        self.deliveries: list[Delivery] = []
        self.errors: list[str] = []
        self.requests = 0
        self.connections = 0
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.origin = f"{'https' if tls else 'http'}://{host_name}:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> PushReceiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def subscription(self, name: str, behaviour: Behaviour | None = None) -> dict:
        """A new device at /push/<name>: what PushSubscription.toJSON() would give the app."""
        keys = self.devices[f"/push/{name}"] = BrowserKeys()
        if behaviour:
            self.behaviours[f"/push/{name}"] = behaviour
        return {"endpoint": f"{self.origin}/push/{name}", "expirationTime": None,
                "keys": {"p256dh": keys.p256dh, "auth": keys.auth}}

    def payloads(self, path_prefix: str = "/push/") -> list[dict]:
        with self.lock:
            return [d.payload for d in self.deliveries if d.path.startswith(path_prefix)]

    def count(self, key: str = "follow_up_id") -> dict[str, int]:
        counts: dict[str, int] = {}
        for payload in self.payloads():
            counts[payload[key]] = counts.get(payload[key], 0) + 1
        return counts

    def _accept(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict[str, str]]:
        """Check and decrypt one push request; the status and headers to answer with."""
        path = handler.path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        with self.lock:
            self.requests += 1
            behaviour = self.behaviours.get(path)
            if behaviour and behaviour.times is not None:
                behaviour.times -= 1
                if behaviour.times < 0:
                    behaviour = None
        if behaviour and behaviour.hang:
            self.stopping.wait(HANG_LIMIT)
            return 504, {}
        keys = self.devices.get(path)
        try:
            if keys is None:
                raise ValueError(f"no device at {path}")
            claims = verify_vapid(handler.headers.get("Authorization", ""), self.server_key, self.origin)
            if handler.headers.get("Content-Encoding") != "aes128gcm":
                raise ValueError(f"Content-Encoding {handler.headers.get('Content-Encoding')!r}")
            if not handler.headers.get("TTL", "").isdigit():
                raise ValueError("no TTL header")
            plaintext = http_ece.decrypt(body, private_key=keys.private_key, auth_secret=keys.auth_secret, version="aes128gcm")
            payload = json.loads(plaintext)
        except Exception as error:  # noqa: BLE001 (every failure is a finding for the test)
            with self.lock:
                self.errors.append(f"{path}: {error.__class__.__name__}: {error}")
            return 400, {}
        if self.delay:
            time.sleep(self.delay)
        if behaviour:
            return behaviour.status, behaviour.headers
        delivery = Delivery(path, payload if self.keep_payloads else {"follow_up_id": payload.get("follow_up_id")},
                            dict(handler.headers), claims, len(body))
        with self.lock:
            self.deliveries.append(delivery)
        return 201, {}

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with receiver.lock:
                    receiver.connections += 1

            def do_POST(self):  # noqa: N802
                status, headers = receiver._accept(self)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802  (the stats, for a receiver in another process)
                with receiver.lock:
                    body = json.dumps({"requests": receiver.requests, "errors": receiver.errors[:20],
                                       "error_count": len(receiver.errors), "delivered": len(receiver.deliveries),
                                       "counts": receiver.count() if self.path == "/_stats?counts=1" else None}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args):
                pass

        return Handler
