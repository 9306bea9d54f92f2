"""`serve` mode: the studio's engines behind the tt-media-server video API.

    POST /v1/videos/generations             -> 202 {"id", "status", "created_at", "model"}
    POST /v1/videos/generations/i2v         -> the same, with image_prompts [{image, frame_pos}]
    POST /v1/videos/generations/i2v/upload  -> the same, multipart (prompt, image, frame_pos, ...)
    GET  /v1/videos/generations/{id}        -> {"id", "status", "progress", "error"?}
    GET  /v1/videos/generations/{id}/download -> video/mp4 (Range supported)
    POST /v1/videos/generations/{id}/cancel
    GET  /tt-liveness, /health              -> serve/liveness.py

Requests are validated as tt-media-server's pydantic models do (open_ai_api/video.py and
domain/video_*request.py in tenstorrent/tt-inference-server): its 422 `detail` lists, 415 for
an upload that is not PNG/JPEG/WebP, 413 over 10 MB, 405 "Model is not ready". With
VIDEO_SERVE_ASYNC=false (its `use_async_video` off) the POSTs wait for the video and answer
`200 video/mp4` with `Content-Disposition: attachment; filename=video_<id>.mp4` and
`X-Generation-Time`.

so that one GPU machine can serve several studios, whose `tt-cloud` provider points at it.
The jobs are ordinary studio jobs (same queue, limits and history). Enabled by
VIDEO_SERVE_ENABLED (set by `python3 run.py serve`), guarded by VIDEO_SERVE_TOKEN; with no
token it answers only while the studio requires no sign-in (a personal studio), else 401.
"""

from __future__ import annotations

import base64
import hmac
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from videos import metrics
from videos.api.body import json_object
from videos.errors import InvalidRequest
from videos.files.serving import serve_stored_file
from videos.jobs.service import cancel_job, create_job, wait_for
from videos.models import VideoJob
from videos.providers.registry import UnknownProvider, all_providers, get_provider
from videos.serve.validation import Unprocessable, check_fields, check_image_prompts, problem

FIELDS = ("prompt", "negative_prompt", "num_inference_steps", "seed")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_TYPES = ("image/jpeg", "image/png", "image/webp")
I2V_ONLY = (
    "This deployment requires image conditioning. Use POST /generations/i2v with at least one "
    "image_prompts entry, or POST /generations/i2v/upload to send the image as a file."
)
QUEUE_FULL = "Task queue is full. Please try again later."  # tt-media-server's 429 past max_queue_size


def serve_provider(image: bool = False) -> str:
    """VIDEO_SERVE_PROVIDER, else the first engine on this machine that is ready (and, for an
    image-to-video request, does image-to-video) and is a real model, else the preview engine."""
    if settings.VIDEO_SERVE_PROVIDER:
        return settings.VIDEO_SERVE_PROVIDER
    here = [p for p in all_providers() if p.runs_on == "this_machine"]
    for provider in here:
        if not provider.preview and provider.status().ready and (not image or provider.capabilities.image_to_video):
            return provider.name
    return next(p.name for p in here if p.preview)


def queue_size(engine: str) -> int:
    """Jobs waiting for the engine, everyone's (they run before a job sent now): tt-media-server's
    task queue counts requests not yet taken by a worker, so running jobs are not in it."""
    return VideoJob.objects.filter(provider=engine, status=VideoJob.Status.QUEUED).count()


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def guarded(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Serve mode on, the token right; InvalidRequest from the view answers in the server's shape."""

    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
        response = answer(request, *args, **kwargs)
        metrics.serve_request(view.__name__, response.status_code)
        return response

    def answer(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponseBase:
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
        except Unprocessable as exc:
            return JsonResponse({"detail": exc.detail}, status=422)
        except InvalidRequest as exc:
            if exc.code == "not_configured":  # tt-media-server while its model cannot take jobs
                return _error(405, "Model is not ready")
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


def _engine(image: bool) -> str:
    """The engine for a request: 422 where it cannot do what is asked, as tt-media-server's
    image-only deployment refuses text and a text-only one has no image conditioning."""
    name = serve_provider(image)
    try:
        caps = get_provider(name).capabilities
    except UnknownProvider:
        return name  # create_job answers it
    if not image and not caps.text_to_video:
        raise Unprocessable(I2V_ONLY)
    if image and not caps.image_to_video:
        raise Unprocessable(f"This deployment ({name}) does not do image-to-video; use POST /generations.")
    return name


def _upload(data: bytes, name: str) -> UploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _submit(request: HttpRequest, body: dict[str, Any], anchors: list[tuple[int, bytes]]) -> HttpResponseBase:
    """Queue one job, then answer as tt-media-server does: 202 with the job (async), or the MP4."""
    model = _engine(image=bool(anchors))
    data: dict[str, Any] = {key: body.get(key) for key in FIELDS}
    data["model"] = model
    first = last = None
    if anchors:
        anchors = sorted(anchors)
        if anchors[0][0] == 0:
            first = _upload(anchors.pop(0)[1], "first.png")
        if anchors:
            last = _upload(anchors.pop()[1], "last.png")
        if anchors:
            positions = ", ".join(str(pos) for pos, _ in anchors)
            raise Unprocessable(
                f"This deployment conditions on a first frame (frame_pos 0) and one later frame; "
                f"drop the image_prompts at frame_pos {positions}."
            )
        if last is not None and not get_provider(model).capabilities.last_frame:
            raise Unprocessable(f"This deployment ({model}) takes one image, at frame_pos 0.")
    if queue_size(model) >= settings.VIDEO_SERVE_MAX_QUEUE_SIZE:
        return _error(429, QUEUE_FULL)
    started = time.monotonic()
    job = create_job(data, owner="serve", image=first, last_frame=last)
    if settings.VIDEO_SERVE_ASYNC:
        return JsonResponse(_job_view(job), status=202)
    job = wait_for(job.id, settings.VIDEO_SERVE_SYNC_TIMEOUT)
    elapsed = round(time.monotonic() - started, 2)
    if job.status != VideoJob.Status.COMPLETED:
        if not job.is_terminal:
            try:
                cancel_job(job)
            except InvalidRequest:
                pass  # it ended just now; nobody waits for it any more either way
            return _error(504, f"Video generation did not finish within {settings.VIDEO_SERVE_SYNC_TIMEOUT:g} s.")
        return _error(500, f"Video generation failed: {job.error_message or job.status}")
    response = serve_stored_file(request, job.video_file, "video/mp4")
    response["Content-Disposition"] = f"attachment; filename={job.id}.mp4"
    response["X-Generation-Time"] = str(elapsed)
    return response


@guarded
@require_POST
def submit(request: HttpRequest) -> HttpResponseBase:
    body = json_object(request)
    problems = check_fields(body)
    if problems:
        raise Unprocessable(problems)
    return _submit(request, body, [])


@guarded
@require_POST
def submit_i2v(request: HttpRequest) -> HttpResponseBase:
    return _submit_i2v(request, json_object(request))


def _submit_i2v(request: HttpRequest, body: dict[str, Any]) -> HttpResponseBase:
    image_problems, anchors = check_image_prompts(body)
    problems = check_fields(body) + image_problems
    if problems:
        raise Unprocessable(problems)
    return _submit(request, body, anchors)


@guarded
@require_POST
def submit_i2v_upload(request: HttpRequest) -> HttpResponseBase:
    """Multipart: prompt, image (PNG/JPEG/WebP, 10 MB), frame_pos (0), num_inference_steps (12),
    seed, negative_prompt; checked in tt-media-server's order (the fields' 422, 415, 413, the image's 422)."""
    try:
        form, files = request.POST, request.FILES
    except Exception as exc:  # a broken multipart body
        raise Unprocessable([problem("value_error", [], f"Invalid form: {exc}")]) from None
    image = files.get("image")
    problems = []
    if "prompt" not in form:
        problems.append(problem("missing", ["prompt"], "Field required"))
    if image is None:
        problems.append(problem("missing", ["image"], "Field required"))
    body: dict[str, Any] = {"prompt": form.get("prompt"), "num_inference_steps": 12}
    for name in ("frame_pos", "num_inference_steps", "seed"):
        raw = form.get(name)
        if raw is None or (raw == "" and name != "frame_pos"):
            continue
        try:
            body[name] = int(raw)
        except ValueError:
            problems.append(
                problem(
                    "int_parsing", [name], "Input should be a valid integer, unable to parse string as an integer", raw
                )
            )
    if form.get("negative_prompt"):
        body["negative_prompt"] = form.get("negative_prompt")
    if problems:  # FastAPI checks the form's fields before the endpoint looks at the file
        raise Unprocessable(problems)
    if image is not None and image.content_type not in UPLOAD_TYPES:
        allowed = ", ".join(repr(t) for t in sorted(UPLOAD_TYPES))
        return _error(415, f"Unsupported image content_type {image.content_type!r}; allowed: [{allowed}]")
    if image is not None and (image.size or 0) > MAX_UPLOAD_BYTES:
        return _error(413, f"Image exceeds {MAX_UPLOAD_BYTES}-byte upload cap")
    assert image is not None
    data = image.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        return _error(413, f"Image exceeds {MAX_UPLOAD_BYTES}-byte upload cap")
    body["image_prompts"] = [{"image": base64.b64encode(data).decode("ascii"), "frame_pos": body.pop("frame_pos", 0)}]
    return _submit_i2v(request, body)


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
