"""Studio extensions that read an uploaded MP4 (a multipart form's file field `video`):

- `POST /v1/videos/detect`: is the studio's invisible watermark in its frames, and which video
  does it name (videos/files/watermark.py);
- `POST /v1/videos/settings`: the settings a studio MP4 carries, as POST /v1/videos's fields
  (videos/files/settings_file.py), for the page's composer to fill itself with.

Both are mounted ahead of `POST /v1/videos/{video_id}`, which would take their paths for ids.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from ninja import Router, Schema
from pydantic import Field

from videos.api.body import FORMS
from videos.api.schemas import ErrorOut
from videos.api.uploaded_mp4 import local_mp4
from videos.api.visible import visible_jobs
from videos.errors import InvalidRequest
from videos.files.media import InvalidVideo
from videos.files.settings_file import read_settings
from videos.files.watermark import mark_id
from videos.files.watermark_file import read_video
from videos.models import VideoJob

router = Router(tags=["videos"])
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "title": "VideoUpload",
                "type": "object",
                "required": ["video"],
                "properties": {"video": {"type": "string", "format": "binary", "description": "an MP4 file"}},
            }
        }
    },
}


class MarkedVideo(Schema):
    id: str
    credentials_url: str = Field(description="GET it for the video's Content Credentials (C2PA)")


class DetectOut(Schema):
    object: str = "video.watermark"
    found: bool = Field(description="the studio's watermark is in the frames (its id's checksum holds)")
    mark_id: str | None = Field(None, description="the 48-bit id found, as 12 hex digits")
    strength: float = Field(description="how strongly the frames agree, 0 (noise) to 1")
    video: MarkedVideo | None = Field(None, description="the video it names, when it exists here and you may see it")


class SettingsOut(Schema):
    object: str = "video.settings"
    found: bool = Field(description="the file carries a studio's settings")
    source: str | None = Field(None, description="'c2pa' (its signed manifest) or 'mp4_tag' (its plain metadata)")
    settings: dict[str, Any] = Field(description="POST /v1/videos's fields: prompt, seed, size, model...")
    prompt_omitted: bool = Field(description="the studio that made it left the prompt out (privacy)")
    video_id: str | None = None
    message: str


def _upload(request: HttpRequest) -> object:
    if not (request.content_type or "").startswith(FORMS):
        ctype = (request.content_type or "none")[:60]
        raise InvalidRequest("video", f"Send a multipart form with the MP4 as 'video', not {ctype}.", status=415)
    try:
        return request.FILES.get("video")
    except MultiPartParserError as exc:
        raise InvalidRequest(None, f"The form could not be read: {exc}", "invalid_form") from None


def video_for_mark(request: HttpRequest, value: int) -> VideoJob | None:
    """The caller's video whose id hashes to `value` (the mark holds no column: the ids are
    hashed, about a microsecond each)."""
    for video_id in visible_jobs(request).values_list("id", flat=True).iterator():
        if mark_id(video_id) == value:
            return VideoJob(id=video_id)
    return None


@router.post(
    "/videos/detect",
    response={200: DetectOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut},
    summary="Studio extension: find the studio's invisible watermark in an uploaded MP4",
    openapi_extra={"requestBody": UPLOAD_BODY},
)
def detect_watermark(request: HttpRequest) -> dict[str, Any]:
    with local_mp4(_upload(request), "video", settings.VIDEO_MAX_SOURCE_BYTES) as path:
        try:
            value, strength = read_video(path)
        except InvalidVideo as exc:
            raise InvalidRequest("video", f"The file is not a playable video ({exc}).", "invalid_video") from None
    answer: dict[str, Any] = {"found": value is not None, "strength": round(strength, 3)}
    if value is not None:
        answer["mark_id"] = f"{value:012x}"
        job = video_for_mark(request, value)
        if job is not None:
            answer["video"] = {"id": job.id, "credentials_url": f"/v1/videos/{job.id}/credentials"}
    return answer


@router.post(
    "/videos/settings",
    response={200: SettingsOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut},
    summary="Studio extension: the settings a studio MP4 carries, as POST /v1/videos's fields",
    openapi_extra={"requestBody": UPLOAD_BODY},
)
def settings_from_video(request: HttpRequest) -> dict[str, Any]:
    with local_mp4(_upload(request), "video", settings.VIDEO_MAX_SOURCE_BYTES) as path:
        found = read_settings(path)
    if not found.found:
        message = "This MP4 carries no studio settings (no Content Credentials or metadata from a studio)."
    else:
        message = f"Settings read from the file's {'Content Credentials' if found.source == 'c2pa' else 'metadata'}."
    return {
        "found": found.found,
        "source": found.source,
        "settings": found.fields,
        "prompt_omitted": found.prompt_omitted,
        "video_id": found.video_id,
        "message": message,
    }
