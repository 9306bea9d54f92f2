"""Posting one delivery: the receiver's address is resolved and checked here, at send time, and
the connection goes to that checked address (so a DNS answer cannot swap a private one in
after the check); no redirects are followed; 15 s for the whole answer."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings

TIMEOUT_SECONDS = 15.0
USER_AGENT = "video-studio-webhooks/1"


class RefusedAddress(ValueError):
    """The URL is malformed or reaches an address the studio may not post to."""


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no HTTP answer (refused address, connect error, time-out)
    error: str = ""
    retry_after: str | None = None


def is_private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def check_url(url: str) -> tuple[str, int, str]:
    """The URL's scheme, port and one address it resolves to that may be posted to; raises
    RefusedAddress naming why not (every address is checked: one private answer refuses)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress("The webhook URL must be an http:// or https:// URL with a host.")
    if parts.username or parts.password:
        raise RefusedAddress("The webhook URL may not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedAddress("The webhook URL's port is not a number from 1 to 65535.") from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise RefusedAddress(f"The webhook host {parts.hostname!r} does not resolve.") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not settings.STUDIO_WEBHOOK_ALLOW_PRIVATE and any(is_private(a) for a in addresses):
        raise RefusedAddress(
            f"The webhook host {parts.hostname!r} is a loopback, private or link-local address; "
            "set STUDIO_WEBHOOK_ALLOW_PRIVATE=true to allow it."
        )
    return parts.scheme, port, addresses[0]


def post(url: str, body: str, headers: dict[str, str]) -> Answer:
    """One attempt. Never raises: a failure is an Answer without a status."""
    try:
        scheme, port, address = check_url(url)
    except RefusedAddress as exc:
        return Answer(None, str(exc))
    parts = urlsplit(url)
    host = f"[{address}]" if ":" in address else address
    pinned = urlunsplit((scheme, f"{host}:{port}", parts.path or "/", parts.query, ""))
    hostname = parts.hostname or ""
    default_port = port == (443 if scheme == "https" else 80)
    host_header = hostname if default_port else f"{hostname}:{port}"
    all_headers = {
        **headers,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": host_header,
    }
    # TLS still checks the certificate against the URL's host name (sni_hostname), not the address.
    extensions = {"sni_hostname": hostname} if scheme == "https" else {}
    try:
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            response = client.post(pinned, content=body.encode(), headers=all_headers, extensions=extensions)
            return Answer(response.status_code, "", response.headers.get("retry-after"))
    except httpx.TimeoutException:
        return Answer(None, f"No answer within {TIMEOUT_SECONDS:.0f} s.")
    except httpx.HTTPError as exc:
        return Answer(None, f"Could not reach the endpoint ({type(exc).__name__}).")
