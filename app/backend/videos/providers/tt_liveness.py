"""Reads a tt-media-server's `/tt-liveness` and `/health`: what it runs, whether its model is
ready, how full its queue is.

tt-media-server serves both at its root, whatever path its video API has
(`open_ai_api/tt_maintenance_api.py`): for `CLOUD_VIDEO_GENERATION_URL=http://h:8000/v1/videos/generations`
they are `http://h:8000/tt-liveness` and `http://h:8000/health`. `/tt-liveness` answers 200
`{"status": "alive", "model_ready": ..., "queue_size": ..., "max_queue_size": ...,
"runner_in_use": "tt-wan2.2", ...}`, or passes on the service's own refusal: 405 while the model
warms up, 503 when no worker serves (its canary gate). `/health` answers 200 `{}` when the model
is ready and 503 otherwise. An endpoint that answers neither (404: the seed's cloud endpoint, a
proxy that routes the video path only) is taken as it is configured.

The token goes with both requests (to the same host as the video URL only); answers are read
whole but at most `MAX_BYTES`, and each read ends by `timeout` however the server dribbles.
Nothing here logs; what callers log is `Liveness.detail`, which has no URL and no token.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import httpx

from videos.providers.base import ProviderError
from videos.providers.upstream_http import bounded_request, call

MAX_BYTES = 64 * 1024  # the answer is a few hundred bytes
LIVENESS_PATH = "/tt-liveness"
HEALTH_PATH = "/health"


@dataclass(frozen=True)
class Liveness:
    """One reading. `reachable`: it answered HTTP at all; `answered`: `/tt-liveness` said what it
    runs (a tt-media-server); `healthy`: it can take jobs now; `warming`: its model is loading."""

    reachable: bool
    answered: bool = False
    runner: str | None = None
    model_ready: bool = False
    queue_size: int | None = None
    max_queue_size: int | None = None
    healthy: bool = False
    warming: bool = False
    detail: str = ""


def root_url(base_url: str) -> str:
    """scheme://host:port of the video URL (tt-media-server's maintenance routes live there)."""
    url = httpx.URL(base_url)
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _get(client: httpx.Client, url: str, headers: dict[str, str], timeout: float) -> httpx.Response:
    return call(
        lambda stop: bounded_request(
            client, "GET", url, what="liveness", stop=stop, max_bytes=MAX_BYTES, headers=headers
        ),
        None,
        deadline=time.monotonic() + timeout,
        on_deadline=lambda: ProviderError("upstream_timeout", f"no answer within {timeout:g} s"),
    )


def _json_object(response: httpx.Response) -> dict | None:
    try:
        data = json.loads(response.content or b"null")
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def read_liveness(client: httpx.Client, base_url: str, token: str = "", timeout: float = 3.0) -> Liveness:
    """One reading of the upstream at `base_url`; never raises."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    root = root_url(base_url)
    try:
        response = _get(client, root + LIVENESS_PATH, headers, timeout)
    except (httpx.HTTPError, ProviderError) as exc:
        reason = exc.message if isinstance(exc, ProviderError) else type(exc).__name__
        return Liveness(False, detail=f"not answering ({reason})")
    status = response.status_code
    if status == 405:  # the service's own "model is not ready" (tt-media-server while it warms up)
        return Liveness(True, answered=True, warming=True, detail="warming up: the model is loading")
    if status >= 500:
        return Liveness(True, answered=True, detail=f"unhealthy: /tt-liveness answered HTTP {status}")
    data = _json_object(response) if status == 200 else None
    if data is None:  # not a tt-media-server (or one behind a proxy that hides it): as configured
        return Liveness(True, healthy=True, detail="answers no /tt-liveness; using the configured shape")
    runner = data.get("runner_in_use")
    ready = data.get("model_ready") is True
    reading = Liveness(
        True,
        answered=True,
        runner=runner.strip()[:80] if isinstance(runner, str) and runner.strip() else None,
        model_ready=ready,
        queue_size=_count(data.get("queue_size")),
        max_queue_size=_count(data.get("max_queue_size")),
    )
    healthy, detail = _health(client, root, headers, timeout, ready)
    return Liveness(**{**reading.__dict__, "healthy": healthy, "warming": not ready, "detail": detail})


def _health(client: httpx.Client, root: str, headers: dict[str, str], timeout: float, ready: bool) -> tuple[bool, str]:
    """(healthy, detail) from `/health`; a server without it is as ready as its liveness says."""
    try:
        status = _get(client, root + HEALTH_PATH, headers, timeout).status_code
    except (httpx.HTTPError, ProviderError):
        return False, "not answering /health"
    if status == 200:
        return True, "ready"
    if status == 404:
        return ready, "ready" if ready else "warming up: the model is loading"
    if not ready:
        return False, "warming up: the model is loading"
    return False, f"unhealthy: /health answered HTTP {status}"
