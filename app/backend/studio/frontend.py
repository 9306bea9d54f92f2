"""Serves the built React app's index.html for every page route (client-side routing)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from videos.errors import error_response

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>Video Studio</title>
<h1>Video Studio</h1><p>The web page has not been built yet. Run <code>python3 run.py</code>,
which builds it, or use the API at <a href="/v1/docs">/v1/docs</a>.</p>"""


# Written by the page's build (vite.config.ts, routePreloads): per page path, its chunks.
ROUTE_PRELOADS = ".vite/route-preloads.json"


@functools.lru_cache(maxsize=4)
def _pages(index: Path, built: float) -> dict[str, bytes]:
    """index.html per page path, naming that page's chunks in its head, so the browser fetches them
    beside the first script instead of after it has run (docs/performance.md, Lighthouse). Keyed by
    the build's time, so a rebuild is read again."""
    html = index.read_bytes()
    try:
        preloads = json.loads((index.parent / ROUTE_PRELOADS).read_text())
    except (OSError, ValueError):  # an older build: the page still works, its chunks come later
        return {"": html}
    pages = {"": html}
    for path, files in preloads.items():
        links = "".join(f'<link rel="modulepreload" crossorigin href="{file}">' for file in files)
        pages[path] = html.replace(b"</head>", f"{links}</head>".encode(), 1)
    return pages


def spa_index(request: HttpRequest, path: str = "") -> HttpResponse:
    index = settings.FRONTEND_DIST / "index.html"
    if index.is_file():
        pages = _pages(index, index.stat().st_mtime)
        page = pages.get(request.path.rstrip("/"), pages[""])
        response = HttpResponse(page, content_type="text/html; charset=utf-8")
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
