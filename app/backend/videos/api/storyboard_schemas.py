"""The storyboard answers and request bodies, described once for the OpenAPI document."""

from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from videos.storyboards.plan import StoryboardShotIn

ShotStatus = Literal[
    "waiting", "queued", "in_progress", "completed", "failed", "cancelled", "blocked", "stale", "changed"
]


class StoryboardShot(Schema):
    id: str
    index: int
    prompt: str
    seconds: int
    seed: int
    join: Literal["cut", "continue", "crossfade"]
    crossfade_frames: int
    has_input_reference: bool
    has_last_frame: bool
    video_id: str | None = Field(description="its current video (a /v1/videos id); a stale or changed shot's old one")
    status: ShotStatus = Field(
        description="its video's status, or waiting (for the shot before it), blocked (that one failed or was "
        "cancelled), stale (it continues a shot re-rolled since), changed (its fields changed since)"
    )
    progress: int
    reason: str | None = Field(description="why it is blocked, stale, changed or failed")
    start_seconds: float | None = Field(description="where it starts in the joined MP4, once rendered")


class StoryboardError(Schema):
    code: str
    message: str


class StoryboardMetadata(Schema):
    frames: int
    fps: float
    width: int
    height: int
    duration: float
    audio: bool = Field(description="the shots' sound, joined on the seams (any shot's: silence under a silent one)")
    chapters: bool = Field(description="the MP4 has a chapter per shot")


class Storyboard(Schema):
    id: str
    object: Literal["storyboard"]
    model: str
    size: str | None
    sound: bool = Field(False, description="every shot asks for a soundtrack; the film joins the shots' sound")
    status: Literal["queued", "in_progress", "completed", "failed", "needs_attention"]
    progress: int
    created_at: int
    shots: list[StoryboardShot]
    error: StoryboardError | None
    metadata: StoryboardMetadata | None
    content_url: str | None = Field(description="the joined MP4, once rendered")


class StoryboardList(Schema):
    object: Literal["list"]
    data: list[Storyboard]
    has_more: bool


class StoryboardDeleted(Schema):
    id: str
    object: Literal["storyboard.deleted"]
    deleted: bool


class StoryboardUpdate(BaseModel):
    """Either or both: the new shot list (existing shots by id), and re-running stale shots."""

    model_config = ConfigDict(extra="forbid", title="StoryboardUpdate")

    shots: list[StoryboardShotIn] | None = Field(None, description="the whole list, in order; a shot without id is new")
    rerun_stale: bool | None = Field(None, description="re-run the stale and changed shots now")


class ShotRegenerate(BaseModel):
    model_config = ConfigDict(extra="forbid", title="ShotRegenerate")

    prompt: str | None = Field(None, description="a new prompt; default: the shot's")
    seed: int | None = Field(None, description="default: a new random seed (a stale or changed shot keeps its own)")
