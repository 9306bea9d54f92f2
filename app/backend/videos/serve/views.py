"""`serve` mode: the studio's engines behind the tt-media-server video API.

    POST /v1/videos/generations             -> 202 {"id", "status", "created_at", "model"}
    GET  /v1/videos/generations/{id}        -> {"id", "status", "progress", "error"?}
    GET  /v1/videos/generations/{id}/download -> video/mp4 (Range supported)
    POST /v1/videos/generations/{id}/cancel

so that one GPU machine can serve several studios, whose `tt-cloud` provider points at it.
The jobs are ordinary studio jobs (same queue, limits and history). Enabled by
VIDEO_SERVE_ENABLED (set by `python3 run.py serve`), guarded by VIDEO_SERVE_TOKEN; with no
token it answers only while the studio requires no sign-in (a personal studio), else 401.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from videos.api.body import json_object
from videos.errors import InvalidRequest
from videos.files.serving import serve_stored_file
from videos.jobs.service import cancel_job, create_job
from videos.models import VideoJob
from videos.providers.registry import get_provider

FIELDS = ("prompt", "negative_prompt", "num_inference_steps", "seed")


def serve_provider() -> str:
    """VIDEO_SERVE_PROVIDER, else the local engine when it is ready, else the preview engine."""
    if settings.VIDEO_SERVE_PROVIDER:
        return settings.VIDEO_SERVE_PROVIDER
    return "local" if get_provider("local").status().ready else "preview"


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def guarded(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Serve mode on, the token right; InvalidRequest from the view answers in the server's shape."""

    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        if not settings.VIDEO_SERVE_ENABLED:
            return _error(404, "Serve mode is off (start with `python3 run.py serve`).")
        token = settings.VIDEO_SERVE_TOKEN
        if not token and settings.STUDIO_AUTH_REQUIRED:
            # Sign-in guards the rest of the studio; an open serve endpoint would let anyone in.
            return _error(401, "Serve mode is closed: this studio requires sign-in, so set VIDEO_SERVE_TOKEN.")
        if token:
            sent = request.headers.get("Authorization", "")
            if not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
                return _error(401, "Invalid or missing bearer token.")
        try:
            return view(request, *args, **kwargs)
        except InvalidRequest as exc:
            return _error(exc.status, exc.message)

    return csrf_exempt(wrapper)


def _job_view(job: VideoJob) -> dict[str, object]:
    view: dict[str, object] = {
        "id": job.id,
        "object": "video",
        "status": job.status,
        "progress": 100 if job.status == VideoJob.Status.COMPLETED else int(job.progress),
        "created_at": int(job.created_at.timestamp()),
        "model": job.provider,
    }
    if job.status == VideoJob.Status.FAILED:
        view["error"] = {"code": job.error_code, "message": job.error_message}
    return view


def _job(job_id: str) -> VideoJob:
    job = VideoJob.objects.filter(id=job_id, owner="serve").first()
    if job is None:
        raise InvalidRequest(None, "Job not found.", "not_found", status=404)
    return job


@guarded
@require_POST
def submit(request: HttpRequest) -> HttpResponse:
    body = json_object(request)
    data = {key: body.get(key) for key in FIELDS}
    data["model"] = serve_provider()
    return JsonResponse(_job_view(create_job(data, owner="serve")), status=202)


@guarded
@require_GET
def status(request: HttpRequest, job_id: str) -> HttpResponse:
    return JsonResponse(_job_view(_job(job_id)))


@guarded
@require_GET
def download(request: HttpRequest, job_id: str) -> HttpResponseBase:
    job = _job(job_id)
    if job.status != VideoJob.Status.COMPLETED:
        return _error(409, f"The job is {job.status}.")
    return serve_stored_file(request, job.video_file, "video/mp4", download_name=f"{job.id}.mp4")


@guarded
@require_POST
def cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    return JsonResponse(_job_view(cancel_job(_job(job_id))))
