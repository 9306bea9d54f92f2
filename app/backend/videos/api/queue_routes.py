"""`GET /v1/queue` and `POST /v1/queue`: the queue's pauses and the caller's queued jobs in the
order they will run (videos/jobs/steering.py, videos/queue/order.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from videos.access.middleware import is_admin, owner_of
from videos.api.body import json_object
from videos.api.openapi_bodies import json_body
from videos.api.schemas import ErrorOut, QueueOut, QueueUpdate
from videos.errors import InvalidRequest
from videos.jobs.presenter import new_estimator, video_object
from videos.jobs.steering import queue_state, set_paused
from videos.models import VideoJob
from videos.providers.registry import all_providers
from videos.queue.order import run_order

router = Router(tags=["queue"])


def _queue(request: HttpRequest) -> dict[str, Any]:
    """The pauses, and the jobs the caller may see, next first (everyone's for an admin)."""
    everyone = is_admin(request) and not (settings.STUDIO_AUTH_REQUIRED and not owner_of(request))
    ids = [job_id for provider in all_providers() for job_id in run_order(provider.name)]
    jobs = VideoJob.objects.filter(id__in=ids)
    if not everyone or (owner_of(request) and not is_admin(request)):
        jobs = jobs.filter(owner=owner_of(request))
    by_id = {job.id: job for job in jobs}
    estimator = new_estimator()
    data = [video_object(by_id[job_id], estimator) for job_id in ids if job_id in by_id]
    return {"object": "queue", "fairness": settings.VIDEO_QUEUE_FAIRNESS, **queue_state(), "data": data}


@router.get("/queue", response=QueueOut, summary="Studio extension: the queue's pauses and its jobs in run order")
def get_queue_state(request: HttpRequest) -> dict[str, Any]:
    return _queue(request)


@router.post(
    "/queue",
    response={200: QueueOut, 400: ErrorOut, 403: ErrorOut},
    summary="Studio extension: pause or resume the queue (all of it, or one model's)",
    openapi_extra=json_body(QueueUpdate),
)
def update_queue(request: HttpRequest) -> dict[str, Any]:
    body = json_object(request)
    unknown = sorted(set(body) - set(QueueUpdate.model_fields))
    if unknown:
        message = f"Unknown field {unknown[0][:40]!r}; send paused and, optionally, model."
        raise InvalidRequest(unknown[0], message, "unknown_field")
    if not is_admin(request):
        raise InvalidRequest(
            None, "Only an admin (STUDIO_ADMINS) may pause or resume the queue for everyone.", "not_allowed", 403
        )
    set_paused(body.get("paused"), body.get("model"))
    return _queue(request)
