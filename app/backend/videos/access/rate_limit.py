"""A per-client limit on creating jobs (a sliding one-minute window, per studio process).

Clients are the signed-in user or API key's user, else the remote address. Reads are not
limited: the page polls status often and those requests are cheap.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from videos import route_policy
from videos.errors import error_response

WINDOW = 60.0


class JobRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.VIDEO_RATE_LIMIT_PER_MINUTE
        creates = route_policy.creates_job(request.path, request.method or "")
        if limit > 0 and creates:
            wait = self._take(self._client(request), limit)
            if wait is not None:
                response = error_response(
                    f"Too many new videos: at most {limit} a minute. Try again in {wait:.0f} s.",
                    status=429,
                    code="rate_limited",
                )
                response["Retry-After"] = str(int(wait) + 1)
                return response
        return self.get_response(request)

    @staticmethod
    def _client(request: HttpRequest) -> str:
        user = getattr(request, "studio_user", "")
        return f"user:{user}" if user else f"addr:{request.META.get('REMOTE_ADDR', '')}"

    def _take(self, client: str, limit: int) -> float | None:
        """Record a hit; None when allowed, else seconds until a slot frees."""
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and now - hits[0] >= WINDOW:
                hits.popleft()
            if len(hits) >= limit:
                return WINDOW - (now - hits[0])
            hits.append(now)
            if len(self._hits) > 10000:  # forget idle clients so memory stays bounded
                for key in [k for k, v in self._hits.items() if not v]:
                    del self._hits[key]
            return None
