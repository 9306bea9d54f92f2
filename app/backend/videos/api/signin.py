"""Session login for the web page when the studio requires authentication."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from serving.replay import forget_all
from videos.access import throttle
from videos.api.body import json_object
from videos.errors import InvalidRequest, error_from, error_response


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """CSRF_FAILURE_VIEW: a signed-in write without the page's token gets the API's JSON, not
    Django's HTML page."""
    message = (
        f"Refused: {reason or 'CSRF check failed.'} A signed-in write needs the X-CSRFToken header "
        "(the csrftoken cookie's value, set by GET /auth/me): reload the page, or sign in again."
    )
    return error_response(message, status=403, code="csrf_failed")


@require_GET
@ensure_csrf_cookie
def me(request: HttpRequest) -> JsonResponse:
    """Who the page is signed in as, and whether it must sign in at all (sets the CSRF cookie)."""
    user = getattr(request, "studio_user", "") or None
    return JsonResponse({"user": user, "auth_required": settings.STUDIO_AUTH_REQUIRED})


@require_POST
@csrf_protect
def sign_in(request: HttpRequest) -> JsonResponse:
    try:
        body = json_object(request)
    except InvalidRequest as exc:
        return error_from(exc)
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return error_response("Send username and password.", code="missing")
    address = request.META.get("REMOTE_ADDR", "")
    try:
        wait = throttle.locked_for(username, address)
        if wait > 0:
            # Checked before the password, so a lock cannot be guessed through.
            response = error_response(
                f"Too many failed sign-ins for this user or from this address. Try again in {math.ceil(wait)} s.",
                status=429,
                code="too_many_sign_ins",
            )
            response["Retry-After"] = str(math.ceil(wait))
            return response
        user = authenticate(request, username=username, password=password)
        if user is None:
            throttle.record_failure(username, address)
            return error_response("Wrong username or password.", status=401, code="wrong_credentials")
        throttle.record_success(username, address)
    except throttle.ThrottleUnavailable:
        return error_response(
            "Sign-in is unavailable: the studio cannot reach its shared cache (Redis). Try again shortly.",
            status=503,
            code="unavailable",
        )
    login(request, user)
    return JsonResponse({"user": user.get_username(), "auth_required": settings.STUDIO_AUTH_REQUIRED})


@require_POST
@csrf_protect
def sign_out(request: HttpRequest) -> JsonResponse:
    logout(request)
    forget_all()  # no status answer shared with the session is given again
    return JsonResponse({"user": None, "auth_required": settings.STUDIO_AUTH_REQUIRED})
