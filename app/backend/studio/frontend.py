"""Serves the built React app's index.html for every page route (client-side routing)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from videos.errors import error_response

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Video Studio</title>
<h1>Video Studio</h1><p>The web page has not been built yet. Run <code>python3 run.py</code>,
which builds it, or use the API at <a href="/v1/docs">/v1/docs</a>.</p>"""


def spa_index(request: HttpRequest, path: str = "") -> HttpResponse:
    index = settings.FRONTEND_DIST / "index.html"
    if index.is_file():
        response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    else:
        response = HttpResponse(NOT_BUILT, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


# Crawlers may index the page (a studio on the open web wants its landing page found) but not
# the API or sign-in; every other path would otherwise answer the page's HTML.
ROBOTS = "User-agent: *\nAllow: /\nDisallow: /v1/\nDisallow: /auth/\nDisallow: /models-api/\nDisallow: /metrics\n"


def robots_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ROBOTS, content_type="text/plain; charset=utf-8")


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def api_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown /v1/ paths answer in the API's error shape, not an HTML page."""
    return error_response(f"No API endpoint at /v1/{path[:80]}.", status=404, code="not_found")
