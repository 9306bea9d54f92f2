"""Every answer under /v1 is the API's: HEAD is GET without the body. A wrong method anywhere
(/v1, /auth, /models-api, /metrics, the page) gets the JSON error envelope (405 with Allow),
never Django's empty text/html one; so does an error nobody handled (logged, never shown), and
a database another program holds locked past its timeout is a 503 to retry, not a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from serving.handoff import REPLAY, take_handoff
from videos.errors import error_response
from videos.route_policy import route_for

log = logging.getLogger("django.request")
LOCKED = "The studio's database is held locked by another program (a backup, a sqlite3 shell); try again in a moment."


class ApiEnvelopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        head = request.method == "HEAD" and route_for(request.path).api_envelope
        if head:
            request.method = "GET"  # the routes declare GET; HEAD is answered as GET, bodiless
        response = self.get_response(request)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            methods = ", ".join(m.strip() for m in allowed.split(",") if m.strip())
            message = f"{request.method} is not allowed on {request.path[:80]}; use {methods or 'another method'}."
            replaced = error_response(message, status=405, code="method_not_allowed")
            if allowed:
                replaced["Allow"] = allowed
            response = replaced
        if head:
            request.method = "HEAD"
            handed_off = take_handoff(response)  # HEAD wants the headers alone: nothing to send or replay
            if (handed_off is None or handed_off["kind"] == REPLAY) and isinstance(response, HttpResponse):
                length = len(response.content)
                response.content = b""
                if not response.has_header("Content-Length"):
                    response["Content-Length"] = str(length)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if isinstance(exception, OperationalError) and "locked" in str(exception):
            log.warning("%s %s: %s", request.method, request.path[:200], exception)
            busy = error_response(LOCKED, status=503, code="database_locked")
            busy["Retry-After"] = "5"
            return busy
        if not route_for(request.path).api_envelope:
            return None  # Django's own handling (the page's routes)
        log.error("Internal error: %s %s", request.method, request.path[:200], exc_info=exception)
        return error_response(
            "The studio hit an internal error; it is in the studio's log.", status=500, code="server_error"
        )
