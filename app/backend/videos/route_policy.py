"""Every route's policy in one table: how large its request body may be, how it is admitted,
who may call it, whether it counts as a new job for the rate limit, and whose error shape it
answers in.

The edge (serving/edge.py), the access and rate-limit middlewares, the API envelope and nginx's
configuration (serving/front.py) all read it. A new route is one line here (before any broader
pattern that would match it first). Patterns are regular expressions matched against the whole
path; the first that matches decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property, lru_cache

from django.conf import settings


class Body(Enum):
    FORM = "form"  # a JSON body or a form with an image or two: STUDIO_MAX_REQUEST_BYTES
    CLIP = "clip"  # may upload a source clip: STUDIO_MAX_CLIP_REQUEST_BYTES


class Admission(Enum):
    SLOT = "slot"  # waits for one of STUDIO_MAX_CONCURRENT_REQUESTS, then a JSON 503 past the queue
    PROBE = "probe"  # never queues (liveness and scrapes)
    WAITS = "waits"  # waits on something slow (its video, a chat model): a pool of its own, never the slots
    WAITS_WHEN_SYNC = "waits_when_sync"  # WAITS for POSTs when VIDEO_SERVE_ASYNC=false, else SLOT


class Auth(Enum):
    OPEN = "open"  # anyone (the page, health, sign-in, the docs)
    OWN = "own"  # the view checks its own token (serve mode, /metrics)
    SIGNED_IN = "signed_in"  # an API key or a session when sign-in is required, else 401


@dataclass(frozen=True)
class Route:
    pattern: str
    auth: Auth
    body: Body = Body.FORM
    admission: Admission = Admission.SLOT
    creates_job: frozenset[str] = frozenset()  # methods that count against VIDEO_RATE_LIMIT_PER_MINUTE
    api_envelope: bool = False  # HEAD answered as GET, and an unhandled error a JSON 500

    @cached_property
    def regex(self) -> re.Pattern[str]:
        # DOTALL: a path may hold any character (%0a decodes to a newline); "." must match it too.
        return re.compile(self.pattern, re.DOTALL)

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None


POST = frozenset({"POST"})
ID = r"[^/]+"

ROUTES: tuple[Route, ...] = (
    Route("/healthz", Auth.OPEN, admission=Admission.PROBE),
    Route("/metrics", Auth.OWN, admission=Admission.PROBE),
    # tt-media-server's liveness and health (serve mode): open, as the server's are.
    Route(r"/tt-liveness|/health", Auth.OPEN, admission=Admission.PROBE),
    # tt-media-server's video API (serve mode): its own token.
    Route(rf"/v1/videos/generations/{ID}/cancel", Auth.OWN, api_envelope=True),
    Route(r"/v1/videos/generations(/.*)?", Auth.OWN, admission=Admission.WAITS_WHEN_SYNC, api_envelope=True),
    Route(r"/v1/docs(/.*)?|/v1/openapi\.json", Auth.OPEN, api_envelope=True),
    Route(r"/v1/videos", Auth.SIGNED_IN, creates_job=POST, api_envelope=True),
    # A sweep counts once, as a create with n variations does (its cells are up to 64 jobs).
    Route(r"/v1/videos/sweeps", Auth.SIGNED_IN, creates_job=POST, api_envelope=True),
    # The first request renders the grid (seconds for 9 cells of 832x480): apart from the slots.
    Route(rf"/v1/videos/sweeps/{ID}/content", Auth.SIGNED_IN, admission=Admission.WAITS, api_envelope=True),
    Route(r"/v1/videos/(extensions|edits)", Auth.SIGNED_IN, body=Body.CLIP, api_envelope=True),
    # An uploaded MP4 read for its watermark or its settings (videos/api/file_routes.py).
    Route(r"/v1/videos/(detect|settings)", Auth.SIGNED_IN, body=Body.CLIP, api_envelope=True),
    Route(rf"/v1/videos/{ID}/retry", Auth.SIGNED_IN, creates_job=POST, api_envelope=True),
    # A storyboard's create, change and re-roll each count once (its shots are up to 32 jobs).
    Route(rf"/v1/storyboards(/{ID}(/shots/{ID}/regenerate)?)?", Auth.SIGNED_IN, creates_job=POST, api_envelope=True),
    # Joins the shots when no worker has yet (a changed seam): apart from the request slots, as a sweep's grid.
    Route(rf"/v1/storyboards/{ID}/content", Auth.SIGNED_IN, admission=Admission.WAITS, api_envelope=True),
    # Waits on a chat model for up to PROMPT_ENHANCER_TIMEOUT: apart from the slots, as the seed's endpoint.
    Route(r"/v1/prompts/enhance", Auth.SIGNED_IN, admission=Admission.WAITS, api_envelope=True),
    Route(r"/v1/.*", Auth.SIGNED_IN, api_envelope=True),
    # The seed's synchronous endpoint waits in its thread until the video is made.
    Route(r"/models-api/video-generation-cloud/", Auth.SIGNED_IN, admission=Admission.WAITS, creates_job=POST),
    Route(r"/models-api/.*", Auth.SIGNED_IN, admission=Admission.WAITS),
    Route(r"/auth/.*", Auth.OPEN),
    Route(r"/links/.*", Auth.OPEN),  # the signature is the permission (videos/access/links.py)
    Route(r".*", Auth.OPEN),  # the page and its assets
)


@lru_cache(maxsize=4096)  # paths carry ids: bounded, the busiest stay
def route_for(path: str) -> Route:
    return next(route for route in ROUTES if route.matches(path))


def admission(path: str, method: str) -> Admission:
    chosen = route_for(path).admission
    if chosen is Admission.WAITS_WHEN_SYNC:
        return Admission.WAITS if method == "POST" and not settings.VIDEO_SERVE_ASYNC else Admission.SLOT
    return chosen


def body_limit(path: str) -> int:
    """The largest request body this path takes, in bytes."""
    return _limit(route_for(path).body)


def largest_body() -> int:
    """The largest body any route takes: what nginx lets through before the studio decides."""
    return max(_limit(route.body) for route in ROUTES)


def creates_job(path: str, method: str) -> bool:
    return method in route_for(path).creates_job


def _limit(body: Body) -> int:
    return int(settings.STUDIO_MAX_CLIP_REQUEST_BYTES if body is Body.CLIP else settings.STUDIO_MAX_REQUEST_BYTES)
