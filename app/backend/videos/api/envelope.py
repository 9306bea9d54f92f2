"""Every answer under /v1 is the API's: HEAD is GET without the body. A wrong method anywhere
(/v1, /auth, /models-api, /metrics, the page) gets the JSON error envelope (405 with Allow),
never Django's empty text/html one."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from videos.errors import error_response
from videos.handoff import HANDOFF_HEADER


class ApiEnvelopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        head = request.method == "HEAD" and request.path.startswith("/v1/")
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
            if response.has_header(HANDOFF_HEADER):  # a file send: its headers are all HEAD wants
                del response[HANDOFF_HEADER]
            elif isinstance(response, HttpResponse):
                length = len(response.content)
                response.content = b""
                if not response.has_header("Content-Length"):
                    response["Content-Length"] = str(length)
        return response
