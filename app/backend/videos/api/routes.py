"""The OpenAI-compatible jobs API under /v1 (schema at /v1/openapi.json, docs at /v1/docs)."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError

from serving.handoff import mark_replayable
from videos.access.middleware import is_admin, owner_of
from videos.api.body import clip_fields, create_fields, json_object
from videos.api.file_routes import router as file_router
from videos.api.link_routes import router as link_router
from videos.api.mounting import mount_ahead
from videos.api.openapi_bodies import json_body
from videos.api.prompts import router as prompts_router
from videos.api.queue_routes import router as queue_router
from videos.api.schemas import (
    Deleted,
    ErrorOut,
    ModelList,
    Video,
    VideoList,
    VideoUpdate,
    create_request_body,
)
from videos.api.settings_from import with_settings_from
from videos.api.storyboard_routes import router as storyboard_router
from videos.api.sweep_routes import router as sweep_router
from videos.api.visible import ID_RE, get_job, visible_jobs
from videos.errors import InvalidRequest, error_body
from videos.files.filenames import video_filename
from videos.files.serving import serve_stored_file
from videos.jobs.clips import edit_job, extend_job
from videos.jobs.lookup import find_job, read_page
from videos.jobs.presenter import model_object, new_estimator, video_object
from videos.jobs.service import (
    cancel_job,
    create_jobs,
    delete_job,
    remix_job,
    require_completed,
    retry_job,
    set_favorite,
)
from videos.jobs.sources import SourceClip
from videos.jobs.spritesheets import ensure_spritesheet
from videos.jobs.steering import MOVES, update_queued
from videos.jobs.text_search import narrowed
from videos.live.stream import open_stream
from videos.models import VideoJob
from videos.providers.registry import all_providers, default_provider_name
from videos.queue.order import paused_models

Status = VideoJob.Status

api = NinjaAPI(
    title="Video Studio API",
    version="1.0",
    description="OpenAI-compatible video generation jobs. See docs/api.md.",
    urls_namespace="v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", prompts_router)
api.add_router("", queue_router)
api.add_router("", link_router)
api.add_router("", storyboard_router)
api.add_router("", "videos.api.webhook_routes.router")  # /v1/webhooks (videos/webhooks/)
api.add_router("", "videos.api.credentials_routes.router")  # /v1/videos/{id}/credentials (C2PA)
mount_ahead(api, sweep_router)  # /v1/videos/sweeps before /v1/videos/{video_id}
mount_ahead(api, file_router)  # /v1/videos/detect and /settings (an uploaded MP4), likewise


def _answer(
    request: HttpRequest, status: int, message: str, *, code: str | None, param: str | None = None
) -> HttpResponse:
    return api.create_response(request, error_body(message, status=status, code=code, param=param), status=status)


@api.exception_handler(InvalidRequest)
def _invalid(request: HttpRequest, exc: InvalidRequest) -> HttpResponse:
    return _answer(request, exc.status, exc.message, code=exc.code, param=exc.param)


@api.exception_handler(ValidationError)
def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first: dict[str, Any] = exc.errors[0] if exc.errors else {}
    loc = [str(part) for part in first.get("loc", []) if part not in ("query", "path", "body")]
    param = loc[-1] if loc else None
    message = f"{param}: {first.get('msg', 'invalid value')}" if param else str(first.get("msg", "invalid request"))
    return _answer(request, 400, message, code="invalid_value", param=param)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _answer(request, 404, str(exc) or "Not found.", code="not_found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _answer(request, exc.status_code, str(exc), code=None)


@api.post(
    "/videos",
    response={201: Video, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut, 503: ErrorOut},
    summary="Create a video job",
    openapi_extra={"requestBody": create_request_body()},
)
def create_video(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    fields, image = create_fields(request)
    fields = with_settings_from(fields)
    jobs = create_jobs(fields, owner=owner_of(request), image=image)
    return 201, video_object(jobs[0])  # variations: the first; the rest share its batch_id


# Extend and edit: a new job made from a source clip (`extend_job`, `edit_job`).
ClipJob = Callable[[Mapping[str, Any], SourceClip, str, str], VideoJob]
CLIP_JOB_ANSWERS = {
    201: Video,
    400: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    415: ErrorOut,
    503: ErrorOut,
}


@api.post(
    "/videos/extensions",
    response=CLIP_JOB_ANSWERS,
    summary="Extend a video: the source clip plus `seconds` more, continued from its last frame",
)
def extend_video(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    return _job_from_clip(request, extend_job)


@api.post("/videos/edits", response=CLIP_JOB_ANSWERS, summary="Edit a video (video-to-video) with a new prompt")
def edit_video(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    return _job_from_clip(request, edit_job)


def _job_from_clip(request: HttpRequest, make: ClipJob) -> tuple[int, dict[str, Any]]:
    """201 and the job `make` creates from the request's source clip: an upload, or one of ours
    by id (then the model that made it goes along)."""
    fields, upload, reference = clip_fields(request)
    if reference is not None:
        job = get_job(request, reference)
        source, model = SourceClip.from_job(job), job.provider
    else:
        source, model = SourceClip.from_upload(upload), ""
    return 201, video_object(make(fields, source, owner_of(request), model))


NO_CHARACTERS = "The studio's models have no characters; characters are not supported."


@api.post("/videos/characters", response={400: ErrorOut}, summary="Not supported: answers 400")
def create_character(request: HttpRequest) -> HttpResponse:
    raise InvalidRequest(None, NO_CHARACTERS, "characters_unsupported")


@api.get("/videos/characters/{character_id}", response={404: ErrorOut}, summary="Not supported: answers 404")
def get_character(request: HttpRequest, character_id: str) -> HttpResponse:
    raise InvalidRequest(None, NO_CHARACTERS, "character_not_found", status=404)


@api.get("/videos", response={200: VideoList, 400: ErrorOut, 404: ErrorOut}, summary="List videos, newest first")
def list_videos(
    request: HttpRequest,
    limit: int = Query(20, ge=1, le=100),
    after: str | None = Query(None, max_length=40),
    order: str = Query("desc", pattern="^(asc|desc)$"),
    q: str | None = Query(None, max_length=200, description="only videos whose prompt contains this text"),
    status: str | None = Query(None, max_length=80, description="only these statuses, comma-separated"),
    model: str | None = Query(None, max_length=40),
    batch_id: str | None = Query(None, max_length=40, description="the variations of one create"),
    favorite: bool | None = Query(None),
) -> HttpResponse:
    jobs, by_rowid = visible_jobs(request), False
    if q:
        jobs, by_rowid = narrowed(jobs, q)
    statuses: list[str] = []
    if status:
        statuses = list(dict.fromkeys(part.strip() for part in status.split(",") if part.strip()))
        unknown = [part for part in statuses if part not in Status.values]
        if unknown:
            raise InvalidRequest(
                "status", f"Unknown status {unknown[0]!r}; use {', '.join(Status.values)}.", "invalid_value"
            )
        if not statuses:
            jobs = jobs.none()
    if model:
        jobs = jobs.filter(provider=model)
    if batch_id:
        jobs = jobs.filter(batch_id=batch_id)
    if favorite is not None:
        jobs = jobs.filter(favorite=favorite)
    if after:
        cursor = get_job(request, after)
        # Keyset: one range on created_at that the index walk starts from, the tie on id as a
        # filter (an OR of two ranges made SQLite sort every older row).
        at = cursor.created_at
        if order == "asc":
            keyset = Q(created_at__gte=at) & ~Q(created_at=at, id__lte=cursor.id)
        else:
            keyset = Q(created_at__lte=at) & ~Q(created_at=at, id__gte=cursor.id)
        jobs = jobs.filter(keyset)
    # Index (owner,) created_at, id gives this order: a page reads limit + 1 rows, no sort.
    alternatives = [jobs.filter(status=one) for one in statuses] if statuses else [jobs]
    page = read_page(alternatives, descending=order != "asc", limit=limit + 1, by_rowid=by_rowid)
    estimator = new_estimator()
    estimator.load_positions(page[:limit])
    data = [video_object(job, estimator) for job in page[:limit]]
    listing = {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": len(page) > limit,
    }
    return _json(listing)


def _json(body: dict[str, Any]) -> HttpResponse:
    """The hot read paths answer directly: re-validating their own output against the schema
    was a third of a list page's time. The schema still documents them, and the API fuzz suite
    checks every answer against it (tests/test_fuzz_api.py)."""
    return HttpResponse(json.dumps(body), content_type="application/json")


@api.get(
    "/videos/events",
    response={200: None, 429: ErrorOut},
    summary="Server-sent events: every change of the caller's unfinished jobs, on one stream",
)
def all_video_events(request: HttpRequest) -> HttpResponse:
    return open_stream(request, owner=_stream_owner(request))


@api.get(
    "/videos/{video_id}/events", response={200: None, 404: ErrorOut, 429: ErrorOut}, summary="One job's progress events"
)
def video_events(request: HttpRequest, video_id: str) -> HttpResponse:
    job = get_job(request, video_id)
    return open_stream(request, owner=_stream_owner(request), job_id=job.id)


@api.get("/videos/{video_id}", response={200: Video, 404: ErrorOut}, summary="One video")
def retrieve_video(request: HttpRequest, video_id: str) -> HttpResponse:
    return mark_replayable(_json(video_object(get_job(request, video_id))))


@api.post(
    "/videos/{video_id}",
    response={200: Video, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Studio extension: star a video; edit or move it while it is queued",
    openapi_extra=json_body(VideoUpdate),
)
def update_video(request: HttpRequest, video_id: str) -> HttpResponse:
    body = json_object(request)
    unknown = sorted(set(body) - set(VideoUpdate.model_fields))
    if unknown:
        message = f"Unknown field {unknown[0][:40]!r}; a video takes {', '.join(VideoUpdate.model_fields)}."
        raise InvalidRequest(unknown[0], message, "unknown_field")
    moves_only = bool(body) and set(body) <= set(MOVES)
    job = _any_job(video_id) if moves_only and is_admin(request) else get_job(request, video_id)
    steering = {name: value for name, value in body.items() if name != "favorite"}
    if steering:
        before = body.get("before")
        owner = None if is_admin(request) else owner_of(request)
        other = find_job(before, owner) if isinstance(before, str) and ID_RE.match(before) else None
        job = update_queued(job, steering, before=other, admin=is_admin(request))
    if "favorite" in body:
        if not isinstance(body["favorite"], bool):
            raise InvalidRequest("favorite", "favorite must be true or false.", "invalid_type")
        job = set_favorite(job, body["favorite"])
    return _json(video_object(job))


def _any_job(video_id: str) -> VideoJob:
    """Anyone's job (an admin moving it), 404 when there is none."""
    job = find_job(video_id, None) if ID_RE.match(video_id) else None
    if job is None:
        raise Http404(f"No video with id {video_id[:60]!r}.")
    return job


@api.post(
    "/videos/{video_id}/remix",
    response={201: Video, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut},
    summary="Remix: the video's model, settings and seed with a new prompt",
)
def remix_video(request: HttpRequest, video_id: str) -> tuple[int, dict[str, Any]]:
    job = get_job(request, video_id)
    body = json_object(request)
    prompt = body.get("prompt")
    return 201, video_object(remix_job(job, prompt if isinstance(prompt, str) else ""))


@api.get(
    "/videos/{video_id}/content",
    response={200: None, 206: None, 404: ErrorOut, 400: ErrorOut, 416: None},
    summary="The MP4, its JPEG thumbnail, its JPEG spritesheet or its reference image, with HTTP Range",
)
def video_content(
    request: HttpRequest,
    video_id: str,
    variant: str = Query("video", pattern="^(video|thumbnail|spritesheet|reference)$"),
    download: bool = False,
) -> HttpResponseBase:
    # Seeking sends a request per slice: read only what serving needs (half the lookup's cost).
    job = get_job(
        request, video_id, "status", "video_file", "thumbnail_file", "spritesheet_file", "reference_image", "prompt"
    )
    if variant == "reference":  # the studio's: the image a job was made from, so it can be reused
        if not job.reference_image:
            raise InvalidRequest("variant", "This video was not made from a reference image.", "not_found", 404)
        kind = mimetypes.guess_type(job.reference_image)[0] or "application/octet-stream"
        return serve_stored_file(request, job.reference_image, kind)
    # 404, as OpenAI answers: its client retries a 409 three times before raising.
    require_completed(job, "The video is {status}; its content exists once it is completed.", "video_not_ready", 404)
    if variant == "thumbnail":
        return serve_stored_file(request, job.thumbnail_file, "image/jpeg")
    if variant == "spritesheet":
        return serve_stored_file(request, ensure_spritesheet(job), "image/jpeg")
    name = video_filename(job.prompt) if download else None
    return serve_stored_file(request, job.video_file, "video/mp4", download_name=name)


def _stream_owner(request: HttpRequest) -> str | None:
    """The owner whose jobs a stream shows; None: everyone's (a personal studio, as visible_jobs)."""
    if settings.STUDIO_AUTH_REQUIRED or owner_of(request):
        return owner_of(request)
    return None


@api.post("/videos/{video_id}/cancel", response={200: Video, 404: ErrorOut, 409: ErrorOut}, summary="Cancel a job")
def cancel_video(request: HttpRequest, video_id: str) -> dict[str, Any]:
    return video_object(cancel_job(get_job(request, video_id)))


@api.post(
    "/videos/{video_id}/retry", response={201: Video, 404: ErrorOut, 400: ErrorOut, 503: ErrorOut}, summary="Run again"
)
def retry_video(request: HttpRequest, video_id: str) -> tuple[int, dict[str, Any]]:
    return 201, video_object(retry_job(get_job(request, video_id)))


@api.delete("/videos/{video_id}", response={200: Deleted, 404: ErrorOut}, summary="Delete a video and its files")
def delete_video(request: HttpRequest, video_id: str) -> dict[str, Any]:
    job = get_job(request, video_id)
    delete_job(job)
    return {"id": job.id, "object": "video.deleted", "deleted": True}


@api.get("/models", response=ModelList, summary="Configured video providers and whether each is ready")
def list_models(request: HttpRequest) -> dict[str, Any]:
    default = default_provider_name()
    paused = paused_models()
    return {"object": "list", "data": [model_object(p, default, paused) for p in all_providers()]}
