"""SSRF guard for Web Push endpoints: https push-service hosts on public addresses only.

A subscription's endpoint is a URL the browser hands us and the server later POSTs to, so it is
checked when a device subscribes and again on every connection the sender opens (on the resolved
address, which defeats DNS rebinding and covers anything a redirect could aim at).
"""
from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_ENDPOINT_LENGTH = 2048
HTTPS_PORT = 443
# The push services of Chrome/Edge/Samsung (FCM), Firefox, Safari and Windows; suffix match.
DEFAULT_PUSH_HOSTS = (
    "fcm.googleapis.com",
    "jmt17.google.com",
    "updates.push.services.mozilla.com",
    "push.services.mozilla.com",
    "web.push.apple.com",
    "notify.windows.com",
)
ANY_PUBLIC_HOST = "*"
# Names that never lead to a public push service (RFC 6761 / 6762 and common internal zones).
SPECIAL_USE_SUFFIXES = (
    "localhost", "localdomain", "local", "internal", "intranet", "lan", "home", "corp", "private",
    "arpa", "test", "invalid", "onion",
)
HOSTNAME = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# Ranges `ipaddress` does not flag everywhere, or that embed an IPv4 address we could not vet.
BLOCKED_NETWORKS = tuple(ipaddress.ip_network(net) for net in (
    "0.0.0.0/8", "100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    "64:ff9b::/96", "64:ff9b:1::/48", "2001::/32", "2001:db8::/32", "2002::/16", "fc00::/7", "fec0::/10",
    "ff00::/8",
))

Resolver = Callable[[str, int], list[str]]


class EndpointRefused(ValueError):
    """The endpoint is not one the server will ever send to; the message says why, for the client."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (IPv4 and IPv6)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise EndpointRefused("The push service's host name could not be resolved.") from error
    return list(dict.fromkeys(str(sockaddr[0]).split("%")[0] for *_rest, sockaddr in answers))


@dataclass(frozen=True)
class EndpointPolicy:
    """Where pushes may go. `hosts=None` means any public host; `allow_loopback` is for tests only."""

    hosts: tuple[str, ...] | None = DEFAULT_PUSH_HOSTS
    allow_loopback: bool = False
    ports: frozenset[int] = frozenset({HTTPS_PORT})
    resolver: Resolver = field(default=system_resolver, compare=False)

    @classmethod
    def from_config(cls, config: Mapping) -> EndpointPolicy:
        """Built from the app's settings; loopback is honoured only in a testing app."""
        testing = bool(config.get("TESTING")) or config.get("HALLPULSE_ENV") == "testing"
        listed = config.get("PUSH_HOST_ALLOWLIST")
        if listed is None or not str(listed).strip():
            hosts: tuple[str, ...] | None = DEFAULT_PUSH_HOSTS
        elif str(listed).strip() == ANY_PUBLIC_HOST:
            hosts = None
        else:
            hosts = tuple(h.strip().lower().strip(".") for h in str(listed).split(",") if h.strip())
        return cls(
            hosts=hosts,
            allow_loopback=testing and bool(config.get("PUSH_ALLOW_LOOPBACK")),
            resolver=config.get("PUSH_RESOLVER") or system_resolver,
        )


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    loopback: bool  # a testing-only loopback receiver


def _loopback_literal(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(endpoint: object, policy: EndpointPolicy) -> Endpoint:
    """The URL's own shape: https, port 443, no user info, a push-service host name. No DNS here."""
    if not isinstance(endpoint, str) or not endpoint:
        raise EndpointRefused("The endpoint must be a URL.")
    if len(endpoint) > MAX_ENDPOINT_LENGTH:
        raise EndpointRefused(f"The endpoint is longer than {MAX_ENDPOINT_LENGTH} characters.")
    if any(ord(ch) <= 32 or ord(ch) >= 127 for ch in endpoint) or "\\" in endpoint:
        raise EndpointRefused("The endpoint contains characters a push service URL never has.")
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        raise EndpointRefused("The endpoint is not a valid URL.") from None
    if "@" in parts.netloc:
        raise EndpointRefused("The endpoint must not carry a user name or password.")
    if parts.fragment or "#" in endpoint:
        raise EndpointRefused("The endpoint must not have a fragment.")
    host = (parts.hostname or "").lower()
    loopback = policy.allow_loopback and _loopback_literal(host)
    scheme = parts.scheme.lower()
    if loopback:
        if scheme not in ("http", "https"):
            raise EndpointRefused("The endpoint must use https.")
        return Endpoint(host, port or (HTTPS_PORT if scheme == "https" else 80), True)
    if scheme != "https":
        raise EndpointRefused("The endpoint must use https.")
    port = HTTPS_PORT if port is None else port
    if port not in policy.ports:
        raise EndpointRefused("The endpoint must use the standard https port.")
    if not HOSTNAME.match(host):
        raise EndpointRefused("The endpoint must name a push service by its host name, not an address.")
    if host.rsplit(".", 1)[-1] in SPECIAL_USE_SUFFIXES or any(host.endswith("." + s) for s in SPECIAL_USE_SUFFIXES):
        raise EndpointRefused("The endpoint's host is an internal name.")
    if policy.hosts is not None and not any(host == h or host.endswith("." + h) for h in policy.hosts):
        raise EndpointRefused("The endpoint is not on a known push service.")
    return Endpoint(host, port, False)


def check_address(address: str, policy: EndpointPolicy) -> None:
    """A resolved address must be public unicast (loopback only for a testing receiver)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise EndpointRefused("The push service resolved to something that is not an address.") from None
    if policy.allow_loopback and ip.is_loopback:
        return
    if isinstance(ip, ipaddress.IPv6Address) and (ip.ipv4_mapped or ip.sixtofour or ip.teredo):
        raise EndpointRefused("The push service resolved to an IPv4-mapped or tunnelled address.")
    private = (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified or not ip.is_global or any(ip in net for net in BLOCKED_NETWORKS if net.version == ip.version)
    )
    if private:
        raise EndpointRefused("The push service resolved to a private, loopback or reserved address.")


def vetted_addresses(host: str, port: int, policy: EndpointPolicy) -> list[str]:
    """Resolve host and return its addresses, refusing the host if any of them is not public."""
    addresses = policy.resolver(host, port)
    if not addresses:
        raise EndpointRefused("The push service's host name could not be resolved.")
    for address in addresses:
        check_address(address, policy)
    return addresses


def check_endpoint(endpoint: object, policy: EndpointPolicy) -> Endpoint:
    """The full check at subscribe time: the URL's shape, then every address its host resolves to."""
    parsed = check_url(endpoint, policy)
    vetted_addresses(parsed.host, parsed.port, policy)
    return parsed
