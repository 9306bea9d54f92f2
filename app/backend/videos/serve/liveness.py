"""Serve mode's `/tt-liveness` and `/health`, answered as tt-media-server answers them
(tenstorrent/tt-inference-server, tt-media-server/open_ai_api/tt_maintenance_api.py and
model_services/base_service.py's check_is_model_ready), so a studio can read another studio
it points at as it reads a tt-media-server.

    GET /tt-liveness -> 200 {"status": "alive", "model_ready": true, "queue_size", "max_queue_size",
                             "device_mesh_shape", "device", "worker_info", "runner_in_use",
                             "canary_alive", "canary_state"}
    GET /health      -> 200 {}

Both are open, as tt-media-server's are (no API key), but answer only while serve mode is on.
While the engine cannot take jobs both answer 405 {"detail": "Model is not ready"} (the
server's scheduler while it warms up); while the engine's queue is paused both answer 503
{"detail": "Service unavailable: No workers available."} (its scheduler with no ready worker):
jobs sent then would only wait.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from videos import metrics
from videos.models import QueueState
from videos.providers.base import Provider
from videos.providers.registry import UnknownProvider, get_provider
from videos.providers.tt_cloud import TTCloudProvider
from videos.serve.views import queue_size, serve_provider

NOT_READY = "Model is not ready"
NO_WORKERS = "Service unavailable: No workers available."


def runner_in_use(provider: Provider) -> str:
    """tt-media-server's `runner_in_use` for this engine: the runner its upstreams answered on their
    own /tt-liveness when the engine is tt-cloud and every upstream answered the same one (a
    chain of studios then reads the model at its end), else `studio-<engine>` (`studio-preview`),
    a name no tt-media-server runner has."""
    if isinstance(provider, TTCloudProvider):
        members = provider.fleet.members
        runners = {m.profile.runner for m in members if m.discovered}
        if members and len(runners) == 1 and all(m.discovered for m in members):
            relayed = runners.pop()
            if relayed:
                return relayed
    return f"studio-{provider.name}"


def _refusal(engine: str) -> JsonResponse | None:
    """The answer while the engine cannot take work: 404 with serve mode off, 405, 503."""
    if not settings.VIDEO_SERVE_ENABLED:
        return JsonResponse({"detail": "Serve mode is off (start with `python3 run.py serve`)."}, status=404)
    try:
        ready = get_provider(engine).status().ready
    except UnknownProvider:
        ready = False
    if not ready:
        return JsonResponse({"detail": NOT_READY}, status=405)
    if QueueState.is_paused(engine):
        return JsonResponse({"detail": NO_WORKERS}, status=503)
    return None


def describe(engine: str) -> dict[str, object]:
    provider = get_provider(engine)
    # One worker per job the engine runs at once; the jobs run in whichever worker process
    # (this one or a Celery worker) claims them, so no pid is named.
    workers = {
        str(slot): {"pid": None, "is_alive": True, "is_ready": True, "restart_count": 0, "error_count": 0}
        for slot in range(provider.concurrency)
    }
    return {
        "status": "alive",
        "model_ready": True,
        "queue_size": queue_size(engine),
        "max_queue_size": settings.VIDEO_SERVE_MAX_QUEUE_SIZE,
        "device_mesh_shape": [1, 1],
        "device": provider.runs_on,
        "worker_info": workers,
        "runner_in_use": runner_in_use(provider),
        "canary_alive": True,
        "canary_state": "disabled",
    }


@require_GET
def liveness(request: HttpRequest) -> JsonResponse:
    engine = serve_provider()
    response = _refusal(engine) or JsonResponse(describe(engine))
    metrics.serve_request("liveness", response.status_code)
    return response


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 {} when a job sent now would run (vLLM's health check, which tt-media-server copies)."""
    response = _refusal(serve_provider()) or JsonResponse({})
    metrics.serve_request("health", response.status_code)
    return response
