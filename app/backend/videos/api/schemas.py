"""The /v1 API's answers, described once: the OpenAPI document (and so the page's generated
types) comes from these and from `jobs.request.VideoCreate`."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from videos.files.audio import AudioInfo
from videos.files.media import VideoMetadata
from videos.jobs.request import VideoCreate


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


VideoStatus = Literal["queued", "in_progress", "completed", "failed", "cancelled"]


class Video(Schema):
    id: str
    object: Literal["video"]
    model: str
    status: VideoStatus
    progress: int
    created_at: int
    started_at: int | None
    completed_at: int | None
    expires_at: int | None = Field(description="when a finished video is deleted (VIDEO_RETENTION_DAYS); null: kept")
    seconds: str = Field(description="whole seconds asked for, or the model's default; an extend's is the total")
    size: str = Field(description="WIDTHxHEIGHT asked for, or the model's default; once made, what was made")
    remixed_from_video_id: str | None
    extended_from_video_id: str | None
    edited_from_video_id: str | None
    operation: Literal["generate", "extend", "edit"]
    batch_id: str | None = Field(description="variations made by one create with n > 1 share it")
    favorite: bool
    prompt: str
    original_prompt: str | None = Field(None, description="the person's own words when prompt is an enhanced one")
    negative_prompt: str
    num_inference_steps: int
    seed: int
    num_frames: int | None
    has_reference_image: bool
    preview: bool = Field(description="made by the preview engine: a procedural clip, not AI")
    label: str | None
    queue_position: int | None = Field(description="jobs ahead of this one for the same model; null unless queued")
    eta_seconds: float | None
    elapsed_seconds: float
    status_message: str | None = Field(description="what a running job is doing now, e.g. 'denoising step 3/12'")
    cancel_requested: bool
    error: VideoError | None
    sound: bool = Field(False, description="studio extension: a soundtrack was asked for (create's `sound`)")
    has_audio: bool = Field(
        False, description="studio extension: the finished MP4 has an audio stream (false until it is made)"
    )
    audio: AudioInfo | None = Field(
        None, description="studio extension: its sound as measured (codec, channels, sample_rate, seconds); null: none"
    )
    metadata: VideoMetadata | None
    content_url: str | None
    thumbnail_url: str | None
    spritesheet_url: str | None


class VideoUpdate(Schema):
    """Any of: favorite (any video); while it is queued, its parameters (checked as a create's)
    and its place: queue_position (1 runs next) or before (another queued video's id)."""

    favorite: bool | None = None
    prompt: str | None = None
    negative_prompt: str | None = None
    seed: int | None = None
    num_inference_steps: int | None = None
    size: str | None = None
    seconds: str | None = None
    num_frames: int | None = None
    original_prompt: str | None = Field(None, description="with an enhanced new prompt: the person's own words")
    queue_position: int | None = Field(None, ge=1, description="1 runs next (within its owner's turn)")
    before: str | None = Field(None, description="the id of a queued video of the same model to run before")


class LinkCreate(Schema):
    variant: Literal["video", "thumbnail", "spritesheet"] = "video"
    expires_in: int = Field(3600, ge=1, description="seconds; at most STUDIO_LINK_MAX_SECONDS")


class LinkOut(Schema):
    object: Literal["video.link"]
    video_id: str
    variant: str
    url: str = Field(description="readable by anyone holding it, with no key or session, until expires_at")
    expires_at: int


class QueueUpdate(Schema):
    paused: bool
    model: str | None = Field(None, description="one model's queue; default: all of it")


class ModelPause(Schema):
    model: str
    paused: bool


class QueueOut(Schema):
    object: Literal["queue"]
    fairness: Literal["owners", "arrival"]
    paused: bool = Field(description="the whole queue is paused")
    models: list[ModelPause]
    data: list[Video] = Field(description="queued videos the caller may see, next first")


class VideoList(Schema):
    object: Literal["list"]
    data: list[Video]
    first_id: str | None
    last_id: str | None
    has_more: bool


class Deleted(Schema):
    id: str
    object: Literal["video.deleted"]
    deleted: bool


class ModelCapabilities(Schema):
    steps_range: list[int]
    default_steps: int
    default_size: str | None
    sizes: list[str] | None
    accepts_size: bool
    accepts_frames: bool
    frames_range: list[int]
    image_to_video: bool
    text_to_video: bool = Field(description="false: the model makes videos from an image only")
    last_frame: bool = Field(description="takes a `last_frame` image on create (the frame the clip ends on)")
    fps: int
    default_seconds: int
    seconds: list[int] | None = Field(description="the lengths the model makes; null: any from 1 to max_seconds")
    max_seconds: int
    extend: bool
    edit: bool
    remix: bool
    sound: bool = Field(False, description="makes a soundtrack with the picture (create's `sound`)")


class ModelUpstream(Schema):
    name: str = Field(description="the studio's name for it (tt-1, tt-2, ... in CLOUD_VIDEO_GENERATION_URL's order)")
    runner: str | None = Field(description="what its /tt-liveness says it runs (runner_in_use); null: it does not say")
    label: str
    known: bool = Field(description="the studio knows the runner's shape; false: the documented defaults and settings")
    discovered: bool = Field(description="its shape came from its own /tt-liveness")
    state: Literal["ready", "warming_up", "down"] = Field(
        description="down: drained (not answering or unhealthy), re-checked on a backoff"
    )
    detail: str
    in_flight: int = Field(description="this process's jobs on it now")
    queue_size: int = Field(description="its own queue at the last reading")
    concurrency: int
    sound: bool
    checked_seconds_ago: float | None


class Model(Schema):
    id: str
    object: Literal["model"]
    owned_by: str
    label: str
    ready: bool
    detail: str
    preview: bool
    runs_on: Literal["tenstorrent", "this_machine", "remote"] = Field(
        description="where it runs: Tenstorrent hardware, this machine, or a remote API"
    )
    typical_time: str | None = Field(description="how long a clip usually takes, when known (e.g. 2–3 minutes)")
    default: bool
    concurrency: int
    queue_paused: bool = Field(description="its queue is paused (POST /v1/queue): it starts nothing new")
    capabilities: ModelCapabilities
    upstreams: list[ModelUpstream] = Field(
        default_factory=list,
        description="tt-cloud: each upstream's model, state and load (never its URL or token); empty for the others",
    )


class ModelList(Schema):
    object: Literal["list"]
    data: list[Model]


def create_request_body() -> dict[str, Any]:
    """OpenAPI's requestBody for POST /v1/videos: VideoCreate as JSON, or as a form with an image."""
    schema = VideoCreate.model_json_schema()
    multipart = {
        **schema,
        "title": "VideoCreateForm",
        "properties": {
            **schema["properties"],
            "input_reference": {
                "type": "string",
                "format": "binary",
                "description": "PNG, JPEG or WebP for models that do image-to-video",
            },
            "last_frame": {
                "type": "string",
                "format": "binary",
                "description": "the studio's extension: PNG, JPEG or WebP the clip ends on, for models "
                "with capabilities.last_frame",
            },
            "settings_from": {
                "type": "string",
                "format": "binary",
                "description": "the studio's extension: an MP4 a studio made; its settings (prompt, negative "
                "prompt, seed, steps, size, length, model) fill the fields this form leaves out",
            },
        },
        # With settings_from the prompt may come from the file.
        "required": [name for name in schema.get("required", []) if name != "prompt"],
    }
    return {
        "required": True,
        "content": {"application/json": {"schema": schema}, "multipart/form-data": {"schema": multipart}},
    }
