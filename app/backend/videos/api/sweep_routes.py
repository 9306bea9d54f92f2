"""`/v1/videos/sweeps`: sweep grids, a job per cell of up to three axes of values over one base
request, the whole grid as one MP4, and cancelling or deleting a sweep (videos/sweeps/)."""

from __future__ import annotations

import re
from typing import Any, Literal

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Query, Router, Schema
from pydantic import BaseModel, ConfigDict, Field

from videos.access.middleware import owner_of
from videos.api.body import json_object
from videos.api.schemas import ErrorOut, VideoStatus
from videos.files.filenames import video_filename
from videos.files.serving import serve_stored_file
from videos.jobs.request import VideoCreate
from videos.models import Sweep
from videos.sweeps.plan import MAX_AXES, MAX_CELLS, SweepParam
from videos.sweeps.service import cancel_sweep, create_sweep, delete_sweep, ensure_grid, sweep_object, sweep_objects

router = Router(tags=["sweeps"])
SWEEP_ID = re.compile(r"^sweep_[0-9a-f]{32}$")


class SweepAxis(BaseModel):
    """One axis of a sweep: the values one parameter takes across the grid."""

    model_config = ConfigDict(extra="forbid", title="SweepAxis")

    param: SweepParam
    values: list[Any] | str | None = Field(
        None,
        description='the values, as the create request takes them (a size as "WxH"); for numbers, sizes, '
        'lengths and models also a comma-separated string ("1,2,3")',
    )
    range: list[int] | None = Field(
        None, min_length=2, max_length=2, description="seed only, instead of values: [start, count]"
    )
    find: str | None = Field(None, description="prompt_replace only: the phrase of the base prompt each value replaces")


def _request_body() -> dict[str, Any]:
    base = VideoCreate.model_json_schema()
    base = {**base, "title": "SweepBase", "properties": {k: v for k, v in base["properties"].items() if k != "n"}}
    schema = {
        "title": "SweepCreate",
        "type": "object",
        "additionalProperties": False,
        "required": ["base", "axes"],
        "properties": {
            "base": {**base, "description": "the create request's fields (without n) every cell starts from"},
            "axes": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_AXES,
                "items": SweepAxis.model_json_schema(),
                "description": f"first across, second down, third as blocks of rows; at most {MAX_CELLS} cells",
            },
        },
    }
    return {"required": True, "content": {"application/json": {"schema": schema}}}


class SweepCell(Schema):
    index: list[int] = Field(description="the cell's position: one index per axis, into its values")
    values: dict[str, Any] = Field(description="param -> the value this cell has")
    video_id: str
    status: VideoStatus | Literal["deleted"]


class SweepAxisOut(Schema):
    param: SweepParam
    values: list[Any]
    find: str | None = None


class SweepOut(Schema):
    id: str
    object: Literal["video.sweep"]
    created_at: int
    batch_id: str = Field(description="every cell's video has it (GET /v1/videos?batch_id=...)")
    base: dict[str, Any] = Field(description="the checked base request, with the seed the cells share")
    axes: list[SweepAxisOut]
    cells: list[SweepCell]
    status: Literal["queued", "in_progress", "completed", "failed", "partial"]
    content_url: str | None = Field(description="the grid MP4, once no cell is queued or running")


class SweepDeleted(Schema):
    id: str
    object: Literal["video.sweep.deleted"]
    deleted: bool


class SweepList(Schema):
    object: Literal["list"]
    data: list[SweepOut]
    has_more: bool


def _visible(request: HttpRequest) -> QuerySet[Sweep]:
    """As the videos (routes.visible_jobs): everyone's on a personal studio, else the caller's own."""
    sweeps = Sweep.objects.all()
    if settings.STUDIO_AUTH_REQUIRED or owner_of(request):
        sweeps = sweeps.filter(owner=owner_of(request))
    return sweeps


def _get(request: HttpRequest, sweep_id: str) -> Sweep:
    sweep = _visible(request).filter(id=sweep_id).first() if SWEEP_ID.match(sweep_id) else None
    if sweep is None:
        raise Http404(f"No sweep with id {sweep_id[:60]!r}.")
    return sweep


@router.post(
    "/videos/sweeps",
    response={201: SweepOut, 400: ErrorOut, 503: ErrorOut},
    summary="Studio extension: a sweep grid, one job per cell of up to three axes over a base request",
    openapi_extra={"requestBody": _request_body()},
)
def create(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    return 201, sweep_object(create_sweep(json_object(request), owner_of(request)))


@router.get(
    "/videos/sweeps",
    response={200: SweepList, 400: ErrorOut},
    summary="Studio extension: the caller's sweeps, newest first",
)
def list_sweeps(request: HttpRequest, limit: int = Query(20, ge=1, le=100)) -> dict[str, Any]:
    sweeps = list(_visible(request)[: limit + 1])
    return {"object": "list", "data": sweep_objects(sweeps[:limit]), "has_more": len(sweeps) > limit}


@router.get("/videos/sweeps/{sweep_id}", response={200: SweepOut, 404: ErrorOut}, summary="Studio extension: a sweep")
def retrieve(request: HttpRequest, sweep_id: str) -> dict[str, Any]:
    return sweep_object(_get(request, sweep_id))


@router.get(
    "/videos/sweeps/{sweep_id}/content",
    response={200: None, 206: None, 400: ErrorOut, 404: ErrorOut, 416: None},
    summary="Studio extension: the whole grid as one MP4 (404 video_not_ready until no cell is pending)",
)
def content(request: HttpRequest, sweep_id: str, download: bool = False) -> HttpResponseBase | HttpResponse:
    sweep = _get(request, sweep_id)
    name = f"sweep-{video_filename(str(sweep.base.get('prompt', '')), 'grid')}" if download else None
    return serve_stored_file(request, ensure_grid(sweep), "video/mp4", download_name=name)


@router.post(
    "/videos/sweeps/{sweep_id}/cancel",
    response={200: SweepOut, 404: ErrorOut, 409: ErrorOut},
    summary="Studio extension: cancel the sweep's queued and running cells (409 when none is left)",
)
def cancel(request: HttpRequest, sweep_id: str) -> dict[str, Any]:
    sweep = _get(request, sweep_id)
    cancel_sweep(sweep)
    return sweep_object(sweep)


@router.delete(
    "/videos/sweeps/{sweep_id}",
    response={200: SweepDeleted, 404: ErrorOut},
    summary="Studio extension: delete a sweep, its cells' videos (running ones cancelled first) and its grid MP4",
)
def delete(request: HttpRequest, sweep_id: str) -> dict[str, Any]:
    sweep = _get(request, sweep_id)
    delete_sweep(sweep)
    return {"id": sweep.id, "object": "video.sweep.deleted", "deleted": True}
