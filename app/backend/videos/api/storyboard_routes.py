"""`/v1/storyboards`: ordered shots made as jobs and joined into one MP4 (videos/storyboards/)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from ninja import Query, Router

from videos.access.middleware import owner_of
from videos.api.body import json_object
from videos.api.openapi_bodies import json_body
from videos.api.schemas import ErrorOut
from videos.api.storyboard_schemas import (
    ShotRegenerate,
    StoryboardDeleted,
    StoryboardList,
    StoryboardUpdate,
)
from videos.api.storyboard_schemas import (
    Storyboard as StoryboardOut,
)
from videos.errors import InvalidRequest
from videos.files.filenames import video_filename
from videos.files.serving import serve_stored_file
from videos.models import Storyboard
from videos.storyboards.joined import ensure_rendered, is_rendered
from videos.storyboards.plan import StoryboardCreate
from videos.storyboards.present import board_file, load, storyboard_object
from videos.storyboards.service import boards_of, create_board, delete_board, regenerate_shot, update_board

router = Router(tags=["storyboards"])
ID_RE = re.compile(r"^sb_[0-9a-f]{32}$")
RENDER_WAIT = 120.0  # seconds a content request waits for a render another process is making


def _owner(request: HttpRequest) -> str | None:
    """The owner whose boards the caller sees; None: everyone's (a personal studio), as for videos."""
    return owner_of(request) if settings.STUDIO_AUTH_REQUIRED or owner_of(request) else None


def _board(request: HttpRequest, board_id: str) -> Storyboard:
    board = boards_of(_owner(request)).filter(id=board_id).first() if ID_RE.match(board_id) else None
    if board is None:
        raise Http404(f"No storyboard with id {board_id[:60]!r}.")
    return board


def _answer(board: Storyboard) -> dict[str, Any]:
    board.refresh_from_db()
    shots, jobs = load(board)
    return storyboard_object(board, shots, jobs)


@router.post(
    "/storyboards",
    response={201: StoryboardOut, 400: ErrorOut, 413: ErrorOut, 503: ErrorOut, 507: ErrorOut},
    summary="Studio extension: create a storyboard (its shots are queued as jobs, then joined)",
    openapi_extra=json_body(StoryboardCreate),
)
def create_storyboard(request: HttpRequest) -> tuple[int, dict[str, Any]]:
    return 201, _answer(create_board(json_object(request), owner_of(request)))


@router.get(
    "/storyboards",
    response={200: StoryboardList, 400: ErrorOut, 404: ErrorOut},
    summary="The caller's storyboards, newest first",
)
def list_storyboards(
    request: HttpRequest, limit: int = Query(20, ge=1, le=100), after: str | None = Query(None, max_length=40)
) -> dict[str, Any]:
    boards = boards_of(_owner(request)).order_by("-created_at", "-id")
    if after:
        cursor = _board(request, after)
        boards = boards.filter(created_at__lte=cursor.created_at).exclude(
            created_at=cursor.created_at, id__gte=cursor.id
        )
    page = list(boards[: limit + 1])
    return {"object": "list", "data": [_answer(board) for board in page[:limit]], "has_more": len(page) > limit}


@router.get(
    "/storyboards/{board_id}",
    response={200: StoryboardOut | StoryboardCreate, 400: ErrorOut, 404: ErrorOut},
    summary="One storyboard; ?format=board: its create body (images as data URLs), to save and load as a file",
)
def get_storyboard(
    request: HttpRequest, board_id: str, format: str = Query("object", pattern="^(object|board)$")
) -> dict[str, Any]:
    board = _board(request, board_id)
    if format == "board":
        shots, _ = load(board)
        return board_file(board, shots)
    return _answer(board)


@router.post(
    "/storyboards/{board_id}",
    response={200: StoryboardOut, 400: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="Change the shots (the whole list; existing shots by id) and/or re-run the stale ones",
    openapi_extra=json_body(StoryboardUpdate),
)
def change_storyboard(request: HttpRequest, board_id: str) -> dict[str, Any]:
    board = _board(request, board_id)
    update_board(board, json_object(request))
    return _answer(board)


@router.post(
    "/storyboards/{board_id}/shots/{index}/regenerate",
    response={200: StoryboardOut, 400: ErrorOut, 404: ErrorOut, 503: ErrorOut},
    summary="Re-roll one shot (a new job); the shots continuing from it become stale",
    openapi_extra=json_body(ShotRegenerate, required=False),
)
def regenerate(request: HttpRequest, board_id: str, index: int) -> dict[str, Any]:
    board = _board(request, board_id)
    regenerate_shot(board, index, json_object(request))
    return _answer(board)


@router.delete(
    "/storyboards/{board_id}",
    response={200: StoryboardDeleted, 404: ErrorOut},
    summary="Delete a storyboard and its joined MP4; its shots' videos stay in history",
)
def delete_storyboard(request: HttpRequest, board_id: str) -> dict[str, Any]:
    board = _board(request, board_id)
    delete_board(board)
    return {"id": board_id, "object": "storyboard.deleted", "deleted": True}


@router.get(
    "/storyboards/{board_id}/content",
    response={200: None, 206: None, 400: ErrorOut, 404: ErrorOut, 416: None},
    summary="The joined MP4, with HTTP Range; 404 video_not_ready until it is rendered",
)
def storyboard_content(request: HttpRequest, board_id: str, download: bool = False) -> HttpResponseBase:
    board = _board(request, board_id)
    shots, jobs = load(board)
    if not is_rendered(board, shots):
        ensure_rendered(board.id, wait=RENDER_WAIT, retry_failed=True)  # made here if no one has yet
        board.refresh_from_db()
        shots, jobs = load(board)
    if not is_rendered(board, shots):
        status = str(storyboard_object(board, shots, jobs)["status"])
        raise InvalidRequest(
            None,
            f"The storyboard is {status.replace('_', ' ')}; its video exists once every shot is made and joined.",
            "video_not_ready",
            404,
        )
    name = video_filename(shots[0].prompt, "storyboard") if download else None
    return serve_stored_file(request, board.video_file, "video/mp4", download_name=name)
