"""Requests that arrive through a trusted reverse proxy (STUDIO_TRUSTED_PROXIES).

Only when the connection comes from one of those addresses are its X-Forwarded-Proto and
X-Forwarded-For believed: the request then counts as HTTPS when the proxy says so (session
and CSRF cookies get `Secure`, Django's CSRF check expects the https origin), and the client
address is the proxy's report of it (so rate limits and sign-in throttling count people, not
the proxy). From any other address both headers are ignored: anyone can send them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(spec: str) -> list[Network]:
    """'10.0.0.5, 192.168.0.0/16, ::1' -> networks; an entry that is no address is skipped."""
    networks = []
    for part in spec.split(","):
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            continue
    return networks


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.trusted = trusted_networks(settings.STUDIO_TRUSTED_PROXIES)

    def _is_trusted(self, text: str) -> bool:
        address = _address(text)
        return address is not None and any(address in net for net in self.trusted)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.trusted and self._is_trusted(request.META.get("REMOTE_ADDR", "")):
            self._believe_proxy(request)
        response = self.get_response(request)
        if request.is_secure():
            # Per request, not SESSION_COOKIE_SECURE: the same studio may also be reached over
            # plain HTTP on localhost, where a Secure cookie would never come back.
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["secure"] = True
        return response

    def _believe_proxy(self, request: HttpRequest) -> None:
        meta = request.META
        # The last value is the one the nearest (trusted) proxy wrote.
        proto = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            meta["wsgi.url_scheme"] = proto  # what request.is_secure() reads (META is the environ)
        # The client is the nearest hop that is not itself a trusted proxy.
        hops = [hop for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if _address(hop)]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                meta["REMOTE_ADDR"] = str(_address(hop))
                return
        if hops:
            meta["REMOTE_ADDR"] = str(_address(hops[0]))
