"""Sends one encrypted push message through pywebpush over a hardened requests.Session.

pywebpush does no endpoint checks, waits forever by default and follows redirects, so every send
goes through a session per thread that follows no redirect, ignores proxy settings, pins each
connection to an address vetted by the endpoint guard at connect time, and has bounded timeouts.
"""
from __future__ import annotations

import email.utils
import threading
import time
from dataclasses import dataclass
from datetime import timezone
from urllib.parse import urlsplit

import requests
from py_vapid import Vapid
from pywebpush import WebPusher
from requests.adapters import HTTPAdapter
from urllib3 import connection as urllib3_connection
from urllib3 import connectionpool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

from server.push.endpoint_guard import EndpointPolicy, EndpointRefused, check_url, vetted_addresses

DEFAULT_TIMEOUT = (3.05, 10.0)  # (connect, read) seconds; requests' default is to wait forever
VAPID_LIFETIME = 12 * 3600
VAPID_RENEW_BEFORE = 3600
MAX_RETRY_AFTER = 6 * 3600

DELIVERED, GONE, RETRY, REFUSED, FAILED = "delivered", "gone", "retry", "refused", "failed"


@dataclass(frozen=True)
class PushMessage:
    reminder_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    topic: str
    ttl: int
    urgency: str = "normal"


@dataclass(frozen=True)
class SendResult:
    reminder_id: int
    outcome: str
    status_code: int | None = None
    retry_after: float | None = None
    duration_ms: int = 0
    detail: str | None = None


def _guarded_connect(conn, policy: EndpointPolicy):
    """Resolve, vet every address, then connect to a vetted one (the TLS name stays the host's)."""
    addresses = vetted_addresses(conn._dns_host, conn.port, policy)
    last_error: OSError | None = None
    for address in addresses:
        try:
            return urllib3_connection.connection.create_connection(
                (address, conn.port), conn.timeout, source_address=conn.source_address,
                socket_options=conn.socket_options,
            )
        except TimeoutError as error:
            raise ConnectTimeoutError(conn, f"Connection to {conn.host} timed out.") from error
        except OSError as error:
            last_error = error
    raise NewConnectionError(conn, f"Failed to establish a new connection: {last_error}")


def guarded_adapter(policy: EndpointPolicy) -> HTTPAdapter:
    """An HTTPAdapter whose every new connection passes the endpoint guard on its resolved address."""

    class GuardedHTTPConnection(urllib3_connection.HTTPConnection):
        def _new_conn(self):
            return _guarded_connect(self, policy)

    class GuardedHTTPSConnection(urllib3_connection.HTTPSConnection):
        def _new_conn(self):
            return _guarded_connect(self, policy)

    class GuardedHTTPPool(connectionpool.HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSPool(connectionpool.HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    class GuardedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = {"http": GuardedHTTPPool, "https": GuardedHTTPSPool}

        def proxy_manager_for(self, *_args, **_kwargs):
            raise EndpointRefused("Push messages never go through a proxy.")

    return GuardedAdapter(pool_connections=4, pool_maxsize=4, max_retries=0)


def hardened_session(policy: EndpointPolicy) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or netrc from the environment
    session.max_redirects = 0  # a redirect raises before anything is sent to its target
    adapter = guarded_adapter(policy)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or an HTTP date), capped; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    delta = moment.timestamp() - (now if now is not None else time.time())
    return min(max(delta, 0.0), MAX_RETRY_AFTER)


def classify(response: requests.Response) -> tuple[str, float | None]:
    """Push service answers: 2xx sent; 404/410 the device is gone; 408/429/5xx retry; other 4xx fail."""
    code = response.status_code
    if 200 <= code < 300:
        return DELIVERED, None
    if code in (404, 410):
        return GONE, None
    if code in (408, 429) or code >= 500:
        return RETRY, retry_after_seconds(response.headers.get("Retry-After"))
    return FAILED, None


class PushSender:
    """Thread-safe: each pool thread gets its own hardened session (keep-alive per push host)."""

    def __init__(self, vapid: Vapid, subject: str, policy: EndpointPolicy, timeout: tuple[float, float] = DEFAULT_TIMEOUT,
                 ca_bundle: str | None = None):
        self.vapid = vapid
        self.subject = subject
        self.policy = policy
        self.timeout = timeout
        self.ca_bundle = ca_bundle  # None: the system's trusted CAs (tests pass their own CA)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._vapid_headers: dict[str, tuple[dict, float]] = {}

    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = hardened_session(self.policy)
            if self.ca_bundle:
                session.verify = self.ca_bundle
        return session

    def vapid_headers(self, endpoint: str) -> dict:
        """The VAPID Authorization header for the endpoint's origin, signed once per origin and renewed.

        A fresh claims dict per signature: pywebpush and py_vapid write `aud` and `exp` into the one given.
        """
        parts = urlsplit(endpoint)
        origin = f"{parts.scheme}://{parts.netloc}"
        now = time.time()
        with self._lock:
            cached = self._vapid_headers.get(origin)
            if cached and cached[1] - VAPID_RENEW_BEFORE > now:
                return cached[0]
        expires = int(now) + VAPID_LIFETIME
        headers = self.vapid.sign({"sub": self.subject, "aud": origin, "exp": expires})
        with self._lock:
            self._vapid_headers[origin] = (headers, expires)
        return headers

    def send(self, message: PushMessage) -> SendResult:
        started = time.perf_counter()

        def result(outcome: str, **kwargs) -> SendResult:
            elapsed = int((time.perf_counter() - started) * 1000)
            return SendResult(message.reminder_id, outcome, duration_ms=elapsed, **kwargs)

        try:
            check_url(message.endpoint, self.policy)
            headers = {**self.vapid_headers(message.endpoint), "Topic": message.topic, "Urgency": message.urgency}
            pusher = WebPusher(
                {"endpoint": message.endpoint, "keys": {"p256dh": message.p256dh, "auth": message.auth}},
                requests_session=self.session(),
            )
            response = pusher.send(message.payload, headers, ttl=message.ttl, content_encoding="aes128gcm", timeout=self.timeout)
        except EndpointRefused as error:
            return result(REFUSED, detail=str(error)[:200])
        except requests.TooManyRedirects:
            return result(FAILED, detail="The push service answered with a redirect, which is never followed.")
        except requests.Timeout:
            return result(RETRY, detail=f"No answer within {self.timeout[0]} s to connect / {self.timeout[1]} s to read.")
        except requests.RequestException as error:
            return result(RETRY, detail=f"Network error: {error.__class__.__name__}")
        except Exception as error:  # a malformed key in a stored subscription: fail this one, not the pass
            return result(FAILED, detail=f"Could not encrypt or send: {error.__class__.__name__}")
        outcome, retry_after = classify(response)
        detail = None if outcome == DELIVERED else f"{response.status_code} {response.reason or ''}".strip()[:200]
        return result(outcome, status_code=response.status_code, retry_after=retry_after, detail=detail)
