"""Sending one webhook request safely (SSRF rules, timeouts, size cap, no redirects).

A target URL is checked twice: when it is registered and at every send. At send time the host
is resolved once, every address it resolves to must be allowed, and the request connects to
that checked address (the URL's host still goes in ``Host`` and, for https, in SNI and the
certificate check), so a DNS answer that changes between the check and the connection (DNS
rebinding) cannot redirect the request. Addresses that are not global (loopback, private,
link-local such as 169.254.169.254, shared, reserved, multicast) are refused unless
``SLUIS_WEBHOOK_ALLOWED_NETWORKS`` names a network holding them.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings

from sluis.notifications import errors

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect and what to ask for."""

    scheme: str
    host: str
    port: int
    path: str
    address: str

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def target_check(*, url: str) -> Target:
    """Parse ``url``, resolve its host and check every address; raises ``WebhookUrlRefused``."""
    scheme, host, port, path = _parse(url)
    addresses = host_resolve(host=host, port=port)
    for address in addresses:
        _check_address(address, host)
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def _parse(url: str) -> tuple[str, str, int, str]:
    if len(url) > MAX_URL_LENGTH:
        raise errors.WebhookUrlRefused("The URL is too long.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise errors.WebhookUrlRefused(f"The URL is not valid: {exc}.") from None
    allowed = ("https", "http") if settings.SLUIS_WEBHOOK_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise errors.WebhookUrlRefused(
            "Only https:// URLs are accepted."
            if parts.scheme == "http"
            else f"The URL must start with {' or '.join(s + '://' for s in allowed)}."
        )
    if not parts.hostname:
        raise errors.WebhookUrlRefused("The URL has no host.")
    if parts.username or parts.password:
        raise errors.WebhookUrlRefused("The URL must not contain a user name or password.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80), path


def host_resolve(*, host: str, port: int) -> list[IPAddress]:
    """The addresses of ``host``: the system resolver, or ``SLUIS_WEBHOOK_NAMESERVERS``."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        if settings.SLUIS_WEBHOOK_NAMESERVERS:
            found = _resolve_with_nameservers(host)
        else:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            found = [str(info[4][0]) for info in infos]
    except (OSError, UnicodeError) as exc:
        raise errors.WebhookUrlRefused(f"The host {host!r} does not resolve ({exc}).") from None
    if not found:
        raise errors.WebhookUrlRefused(f"The host {host!r} does not resolve.")
    return list(dict.fromkeys(ipaddress.ip_address(a.split("%")[0]) for a in found))


def _resolve_with_nameservers(host: str) -> list[str]:
    """A and AAAA records from the configured name servers (dnspython)."""
    import dns.exception
    import dns.resolver

    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = []
    for server in settings.SLUIS_WEBHOOK_NAMESERVERS:
        address, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
        resolver.nameservers.append(address)
        if port:
            resolver.port = int(port)
    resolver.lifetime = settings.SLUIS_WEBHOOK_CONNECT_TIMEOUT
    found: list[str] = []
    for record_type in ("A", "AAAA"):
        try:
            answer = resolver.resolve(host, record_type)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            continue
        except dns.exception.DNSException as exc:
            raise OSError(str(exc) or type(exc).__name__) from None
        found += [record.to_text() for record in answer]
    return found


def _check_address(address: IPAddress, host: str) -> None:
    mapped = getattr(address, "ipv4_mapped", None)
    address = mapped or address
    if any(address in network for network in _allowed_networks()):
        return
    if address.is_global and not address.is_multicast:
        return
    shown = host if host == str(address) else f"{host} ({address})"
    raise errors.WebhookAddressRefused(
        f"{shown} is a loopback, private, link-local or reserved address; webhooks are only "
        "sent to public addresses (an operator may allow networks with "
        "SLUIS_WEBHOOK_ALLOWED_NETWORKS)."
    )


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.SLUIS_WEBHOOK_ALLOWED_NETWORKS]


def webhook_post(*, url: str, body: bytes, headers: dict[str, str]) -> Response:
    """POST ``body`` to ``url`` under the rules above; never follows a redirect. Raises
    ``WebhookUrlRefused`` for a refused target and ``DeliveryError`` when no answer came."""
    target = target_check(url=url)
    try:
        with _pool(target) as pool:
            answer = pool.urlopen(
                "POST",
                target.path,
                body=body,
                headers={**headers, "Host": target.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            try:
                return Response(status=answer.status, body=_read_capped(answer))
            finally:
                answer.release_conn()
    except urllib3.exceptions.HTTPError as exc:
        raise errors.DeliveryError(_describe(exc)) from None


def _pool(target: Target) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(
        connect=settings.SLUIS_WEBHOOK_CONNECT_TIMEOUT, read=settings.SLUIS_WEBHOOK_READ_TIMEOUT
    )
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, maxsize=1)
    return urllib3.HTTPSConnectionPool(
        target.address,
        target.port,
        timeout=timeout,
        maxsize=1,
        server_hostname=target.host,
        assert_hostname=target.host,
        cert_reqs="CERT_REQUIRED",
        ca_certs=settings.SLUIS_WEBHOOK_CA_BUNDLE or None,
    )


def _read_capped(answer) -> bytes:
    """At most ``SLUIS_WEBHOOK_MAX_RESPONSE_BYTES`` of the body, within the read timeout."""
    cap = settings.SLUIS_WEBHOOK_MAX_RESPONSE_BYTES
    deadline = time.monotonic() + settings.SLUIS_WEBHOOK_READ_TIMEOUT
    body = b""
    while len(body) < cap and time.monotonic() < deadline:
        chunk = answer.read(min(8192, cap - len(body)), decode_content=False)
        if not chunk:
            break
        body += chunk
    return body


def _describe(exc: urllib3.exceptions.HTTPError) -> str:
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return "connecting timed out"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "no answer within the read timeout"
    if isinstance(exc, urllib3.exceptions.SSLError):
        return f"TLS failed: {exc}"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "the connection was refused or the host is unreachable"
    return f"{type(exc).__name__}: {exc}"
