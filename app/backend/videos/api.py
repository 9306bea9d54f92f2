"""The OpenAI-compatible jobs API under /v1 (schema at /v1/openapi.json, docs at /v1/docs)."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError

from studio.access import owner_of

from .filenames import video_filename
from .json_body import json_object
from .models import VideoJob
from .providers.registry import all_providers, default_provider_name
from .ranged import serve_stored_file
from .serializers import new_estimator, video_object
from .service import MAX_PROMPT, MAX_SEED, InvalidRequest, cancel_job, create_job, delete_job, retry_job

Status = VideoJob.Status
ID_RE = re.compile(r"^video_[0-9a-f]{32}$")
CREATE_FIELDS = {"prompt", "model", "negative_prompt", "num_inference_steps", "seed", "size", "num_frames", "seconds"}
SSE_MAX_SECONDS = 3600.0

api = NinjaAPI(
    title="Video Studio API",
    version="1.0",
    description="OpenAI-compatible video generation jobs. See docs/api.md.",
    urls_namespace="v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


class ErrorBody(Schema):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorOut(Schema):
    error: ErrorBody


class VideoError(Schema):
    code: str
    message: str


class VideoOut(Schema):
    id: str
    object: str
    model: str
    status: str
    progress: int
    created_at: int
    started_at: int | None
    completed_at: int | None
    seconds: str | None
    size: str | None
    prompt: str
    negative_prompt: str
    num_inference_steps: int
    seed: int
    num_frames: int | None
    has_reference_image: bool
    preview: bool
    label: str | None
    queue_position: int | None
    eta_seconds: float | None
    elapsed_seconds: float
    cancel_requested: bool
    error: VideoError | None
    metadata: dict | None
    content_url: str | None
    thumbnail_url: str | None


class VideoList(Schema):
    object: str
    data: list[VideoOut]
    first_id: str | None
    last_id: str | None
    has_more: bool


class Deleted(Schema):
    id: str
    object: str
    deleted: bool


class ModelOut(Schema):
    id: str
    object: str
    owned_by: str
    label: str
    ready: bool
    detail: str
    preview: bool
    default: bool
    concurrency: int
    capabilities: dict


class ModelList(Schema):
    object: str
    data: list[ModelOut]


ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}

CREATE_SCHEMA = {
    "type": "object",
    "required": ["prompt"],
    "additionalProperties": False,
    "properties": {
        "prompt": {"type": "string", "minLength": 1, "maxLength": MAX_PROMPT},
        "model": {"type": "string", "description": "provider name; see GET /v1/models"},
        "negative_prompt": {"type": "string", "maxLength": MAX_PROMPT, "default": "low quality"},
        "num_inference_steps": {"type": "integer", "minimum": 1, "maximum": 100, "default": 12},
        "seed": {"type": "integer", "minimum": 0, "maximum": MAX_SEED, "default": 0},
        "size": {"type": "string", "pattern": r"^\d{2,4}x\d{2,4}$", "example": "832x480"},
        "num_frames": {"type": "integer", "minimum": 1, "maximum": 241},
        "seconds": {"type": "string", "pattern": r"^\d{1,2}$", "description": "OpenAI's length; converted to frames"},
    },
}
MULTIPART_SCHEMA = {
    **CREATE_SCHEMA,
    "properties": {
        **CREATE_SCHEMA["properties"],
        "input_reference": {"type": "string", "format": "binary", "description": "PNG/JPEG/WebP for image-to-video models"},
    },
}


def error_response(request: HttpRequest, status: int, message: str, *, param: str | None = None, code: str | None = None, kind: str = "invalid_request_error") -> HttpResponse:
    return api.create_response(
        request, {"error": {"message": message, "type": kind, "param": param, "code": code}}, status=status
    )


@api.exception_handler(InvalidRequest)
def _invalid(request: HttpRequest, exc: InvalidRequest) -> HttpResponse:
    return error_response(request, exc.status, exc.message, param=exc.param, code=exc.code)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in first.get("loc", []) if part not in ("query", "path", "body")]
    param = loc[-1] if loc else None
    message = f"{param}: {first.get('msg', 'invalid value')}" if param else str(first.get("msg", "invalid request"))
    return error_response(request, 400, message, param=param, code="invalid_value")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, str(exc) or "Not found.", code="not_found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, str(exc))


def visible_jobs(request: HttpRequest):
    """Everyone's videos on a personal studio; only the caller's own when auth is on."""
    jobs = VideoJob.objects.all()
    if settings.STUDIO_AUTH_REQUIRED or owner_of(request):
        jobs = jobs.filter(owner=owner_of(request))
    return jobs


def get_job(request: HttpRequest, video_id: str) -> VideoJob:
    if not ID_RE.match(video_id):
        raise Http404(f"No video with id {video_id[:60]!r}.")
    try:
        return visible_jobs(request).get(id=video_id)
    except VideoJob.DoesNotExist:
        raise Http404(f"No video with id {video_id!r}.") from None


def _create_payload(request: HttpRequest) -> dict:
    ctype = request.content_type or ""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > settings.VIDEO_MAX_IMAGE_BYTES + 64 * 1024:
        limit = settings.VIDEO_MAX_IMAGE_BYTES // 1024**2
        raise InvalidRequest(None, f"The request is too large; a reference image may be at most {limit} MB.", "too_large", status=413)
    if ctype.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        try:
            form = request.POST
        except MultiPartParserError as exc:
            raise InvalidRequest(None, f"The form could not be read: {exc}", "invalid_form") from None
        data: dict = {key: form.get(key) for key in form}
        if request.FILES:
            data.update({key: request.FILES[key] for key in request.FILES})
    elif ctype == "application/json" or not ctype:
        data = json_object(request)
    else:
        raise InvalidRequest(None, f"Send JSON or a form, not {ctype[:60]}.", "unsupported_media_type", status=415)
    unknown = sorted(set(data) - CREATE_FIELDS - {"input_reference"})
    if unknown:
        raise InvalidRequest(unknown[0], f"Unknown field {unknown[0][:40]!r}.", "unknown_field")
    return data


@api.post(
    "/videos",
    response={201: VideoOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut, 503: ErrorOut},
    summary="Create a video job",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CREATE_SCHEMA}, "multipart/form-data": {"schema": MULTIPART_SCHEMA}},
        }
    },
)
def create_video(request: HttpRequest):
    job = create_job(_create_payload(request), owner=owner_of(request))
    return 201, video_object(job)


@api.get("/videos", response={200: VideoList, 400: ErrorOut, 404: ErrorOut}, summary="List videos, newest first")
def list_videos(
    request: HttpRequest,
    limit: int = Query(20, ge=1, le=100),
    after: str | None = Query(None, max_length=40),
    order: str = Query("desc", pattern="^(asc|desc)$"),
):
    jobs = visible_jobs(request)
    direction = "" if order == "asc" else "-"
    jobs = jobs.order_by(f"{direction}created_at", f"{direction}id")
    if after:
        cursor = get_job(request, after)
        newer, older = (
            jobs.filter(created_at__gt=cursor.created_at) | jobs.filter(created_at=cursor.created_at, id__gt=cursor.id),
            jobs.filter(created_at__lt=cursor.created_at) | jobs.filter(created_at=cursor.created_at, id__lt=cursor.id),
        )
        jobs = newer if order == "asc" else older
    page = list(jobs[: limit + 1])
    estimator = new_estimator()
    data = [video_object(job, estimator) for job in page[:limit]]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": len(page) > limit,
    }


@api.get("/videos/{video_id}", response={200: VideoOut, 404: ErrorOut}, summary="One video")
def retrieve_video(request: HttpRequest, video_id: str):
    return video_object(get_job(request, video_id))


@api.get(
    "/videos/{video_id}/content",
    response={200: None, 206: None, 404: ErrorOut, 409: ErrorOut, 400: ErrorOut, 416: None},
    summary="The MP4 (or its JPEG thumbnail), with HTTP Range",
)
def video_content(
    request: HttpRequest,
    video_id: str,
    variant: str = Query("video", pattern="^(video|thumbnail)$"),
    download: bool = False,
):
    job = get_job(request, video_id)
    if job.status != Status.COMPLETED:
        raise InvalidRequest(None, f"The video is {job.status.replace('_', ' ')}, not ready to download.", "not_ready", status=409)
    if variant == "thumbnail":
        return serve_stored_file(request, job.thumbnail_file, "image/jpeg")
    name = video_filename(job.prompt) if download else None
    return serve_stored_file(request, job.video_file, "video/mp4", download_name=name)


def _events(video_id: str) -> Iterator[str]:
    last = None
    started = time.monotonic()
    last_sent = started
    yield "retry: 2000\n\n"
    while time.monotonic() - started < SSE_MAX_SECONDS:
        try:
            job = VideoJob.objects.get(id=video_id)
        except VideoJob.DoesNotExist:
            yield 'event: deleted\ndata: {"id": "%s"}\n\n' % video_id
            return
        body = json.dumps(video_object(job))
        if body != last:
            last, last_sent = body, time.monotonic()
            yield f"event: video\ndata: {body}\n\n"
        elif time.monotonic() - last_sent > 15:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        if job.is_terminal:
            return
        time.sleep(0.5)


@api.get("/videos/{video_id}/events", response={200: None, 404: ErrorOut}, summary="Server-sent progress events")
def video_events(request: HttpRequest, video_id: str):
    get_job(request, video_id)
    response = StreamingHttpResponse(_events(video_id), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@api.post("/videos/{video_id}/cancel", response={200: VideoOut, 404: ErrorOut, 409: ErrorOut}, summary="Cancel a job")
def cancel_video(request: HttpRequest, video_id: str):
    return video_object(cancel_job(get_job(request, video_id)))


@api.post("/videos/{video_id}/retry", response={201: VideoOut, 404: ErrorOut, 400: ErrorOut, 503: ErrorOut}, summary="Run again")
def retry_video(request: HttpRequest, video_id: str):
    return 201, video_object(retry_job(get_job(request, video_id)))


@api.delete("/videos/{video_id}", response={200: Deleted, 404: ErrorOut}, summary="Delete a video and its files")
def delete_video(request: HttpRequest, video_id: str):
    job = get_job(request, video_id)
    delete_job(job)
    return {"id": job.id, "object": "video.deleted", "deleted": True}


@api.get("/models", response=ModelList, summary="Configured video providers and whether each is ready")
def list_models(request: HttpRequest):
    default = default_provider_name()
    data = []
    for provider in all_providers():
        state = provider.status()
        caps = provider.capabilities
        data.append(
            {
                "id": provider.name,
                "object": "model",
                "owned_by": "video-studio",
                "label": provider.label,
                "ready": state.ready,
                "detail": state.detail,
                "preview": provider.preview,
                "default": provider.name == default,
                "concurrency": provider.concurrency,
                "capabilities": {
                    "steps_range": list(caps.steps_range),
                    "default_steps": caps.default_steps,
                    "default_size": "x".join(map(str, caps.default_size)) if caps.default_size else None,
                    "sizes": ["x".join(map(str, s)) for s in caps.sizes] if caps.sizes else None,
                    "accepts_size": caps.accepts_size,
                    "accepts_frames": caps.accepts_frames,
                    "frames_range": list(caps.frames_range),
                    "image_to_video": caps.image_to_video,
                    "fps": caps.fps,
                },
            }
        )
    return {"object": "list", "data": data}
