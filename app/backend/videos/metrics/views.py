"""GET /metrics: Prometheus's text format (docs/metrics.md)."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from videos.access.middleware import owner_of
from videos.errors import error_response
from videos.metrics.jobs import exposition


def _allowed(request: HttpRequest) -> bool:
    """STUDIO_METRICS_TOKEN when set; a signed-in user or an API key always; else open unless
    the studio requires sign-in (the API's rule)."""
    if owner_of(request):
        return True
    token = settings.STUDIO_METRICS_TOKEN
    if token:
        sent = request.headers.get("Authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    return not settings.STUDIO_AUTH_REQUIRED


@require_http_methods(["GET", "HEAD"])
def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        return error_response(
            "Send the metrics token (STUDIO_METRICS_TOKEN) or an API key as 'Authorization: Bearer <...>', or sign in.",
            status=401,
            code="unauthenticated",
        )
    body, content_type = exposition()
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
