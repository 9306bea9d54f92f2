"""Who is calling, and may they?

On 127.0.0.1 (the default) the studio is a personal tool: no login, every video visible.
Bound to any other address it requires authentication (runstudio refuses to start without
it): API keys (`Authorization: Bearer <key>`, from STUDIO_API_KEYS) for scripts, or user
accounts with a session login for the web page. Each user then sees only their own videos.
Cookie-authenticated writes need Django's CSRF token; cross-site writes are refused even
without a login, so a web page elsewhere cannot drive a studio on localhost.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware

from videos.errors import error_response
from videos.route_policy import Auth, route_for

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSP = (
    "default-src 'self'; img-src 'self' data: blob:{media}; media-src 'self' blob:{media}; "
    "style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def content_security_policy() -> str:
    """With S3 presigned redirects the player and posters load from the bucket's origin."""
    media = ""
    if settings.STUDIO_S3_BUCKET and settings.STUDIO_S3_PRESIGNED_REDIRECT:
        endpoint = urlsplit(settings.STUDIO_S3_ENDPOINT_URL)
        media = f" {endpoint.scheme}://{endpoint.netloc}" if endpoint.netloc else " https://*.amazonaws.com"
    return CSP.format(media=media)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_keys() -> dict[str, str]:
    """STUDIO_API_KEYS="alice:key1,bob:key2" -> {key: user}."""
    keys = {}
    for pair in settings.STUDIO_API_KEYS.split(","):
        user, sep, key = pair.strip().partition(":")
        if sep and user and len(key) >= 16:
            keys[key] = user
    return keys


def auth_configured() -> bool:
    from django.contrib.auth import get_user_model

    return bool(api_keys()) or get_user_model().objects.filter(is_active=True).exists()


def _key_user(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    sent = header[7:].strip().encode()
    for key, user in api_keys().items():
        if hmac.compare_digest(sent, key.encode()):
            return user
    return None


def _deny(status: int, message: str, code: str) -> JsonResponse:
    return error_response(message, status=status, code=code)


def owner_of(request: HttpRequest) -> str:
    """The name videos are filed under: the user when auth is on, '' on a personal studio."""
    return getattr(request, "studio_user", "") or ""


def is_admin(request: HttpRequest) -> bool:
    """May pause the whole queue and move anyone's jobs: everyone on a personal studio; with
    sign-in on, the names in STUDIO_ADMINS and Django superusers."""
    owner = owner_of(request)
    if not settings.STUDIO_AUTH_REQUIRED and not owner:
        return True
    user = getattr(request, "user", None)
    return owner in settings.STUDIO_ADMINS or bool(user is not None and getattr(user, "is_superuser", False))


class AccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)
        self.csp = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        denied = self._check(request)
        response = denied or self.get_response(request)
        if not request.path.startswith("/v1/docs"):  # Swagger UI runs inline scripts
            response.setdefault("Content-Security-Policy", self.csp)
        return response

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        request.studio_user = ""  # type: ignore[attr-defined]
        if request.method in UNSAFE and request.headers.get("Sec-Fetch-Site") == "cross-site":
            return _deny(403, "Cross-site requests may not change anything here.", "cross_site")
        key_user = _key_user(request)
        if key_user:
            request.studio_user = key_user  # type: ignore[attr-defined]
            return None  # a bearer key is not sent by browsers on their own: no CSRF risk
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.studio_user = user.get_username()  # type: ignore[attr-defined]
            if request.method in UNSAFE:
                return self.csrf.process_view(request, None, (), {})  # type: ignore[arg-type]
            return None
        if not settings.STUDIO_AUTH_REQUIRED:
            return None
        if route_for(request.path).auth is not Auth.SIGNED_IN:  # open, or the view checks its own token
            return None
        return _deny(401, "Sign in, or send an API key as 'Authorization: Bearer <key>'.", "unauthenticated")
