"""Sweeps stored and shown: a job per cell queued in one transaction, the cells' current state,
the grid MP4 (rendered once on first request and stored beside the studio's other files), and
cancelling or deleting a whole sweep."""

from __future__ import annotations

import threading
import time
import uuid
import weakref
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from videos.errors import InvalidRequest
from videos.files import storage
from videos.jobs.service import refused_when_full, store_job
from videos.models import Sweep, VideoJob
from videos.queue import get_queue
from videos.runner.provenance import sign_composite
from videos.sweeps.grid import GridCell, render_grid
from videos.sweeps.plan import plan_sweep

Status = VideoJob.Status
PENDING = (Status.QUEUED, Status.IN_PROGRESS)
# A render another process claimed and did not finish by then (it died) may be taken over.
STALE_RENDER = timedelta(minutes=10)
WAIT_FOR_OTHER_RENDER = 60.0  # seconds a request waits for another process's render


def create_sweep(body: Mapping[str, Any], owner: str) -> Sweep:
    """Check every cell, then queue a job per cell (one batch_id) and store the sweep, all or nothing."""
    plan = plan_sweep(body)
    batch = f"batch_{uuid.uuid4().hex}"
    with transaction.atomic():  # the jobs are handed to the queue once this commits
        jobs = [store_job(cell.spec, owner, origin={"batch_id": batch}) for cell in plan.cells]
        cells = [
            {"index": list(cell.index), "values": cell.values, "video_id": job.id}
            for cell, job in zip(plan.cells, jobs, strict=True)
        ]
        return Sweep.objects.create(
            owner=owner, batch_id=batch, base=plan.base, axes=[axis.as_dict() for axis in plan.axes], cells=cells
        )


def cell_statuses(sweeps: Iterable[Sweep]) -> dict[str, str]:
    """video id -> status for every cell of these sweeps, in one query; a deleted video is absent."""
    ids = [video_id for sweep in sweeps for video_id in sweep.video_ids]
    return dict(VideoJob.objects.filter(id__in=ids).values_list("id", "status"))


def sweep_status(statuses: list[str]) -> str:
    """queued (nothing started), in_progress, completed (every cell), failed (none), partial (some)."""
    if any(status in (Status.QUEUED, Status.IN_PROGRESS) for status in statuses):
        return "queued" if all(status == Status.QUEUED for status in statuses) else "in_progress"
    done = sum(status == Status.COMPLETED for status in statuses)
    return "completed" if done == len(statuses) else "partial" if done else "failed"


def sweep_object(sweep: Sweep, statuses: Mapping[str, str] | None = None) -> dict[str, Any]:
    statuses = cell_statuses([sweep]) if statuses is None else statuses
    cells = [{**cell, "status": statuses.get(cell["video_id"], "deleted")} for cell in sweep.cells]
    status = sweep_status([cell["status"] for cell in cells])
    finished = status in ("completed", "partial", "failed")
    return {
        "id": sweep.id,
        "object": "video.sweep",
        "created_at": int(sweep.created_at.timestamp()),
        "batch_id": sweep.batch_id,
        "base": sweep.base,
        "axes": sweep.axes,
        "cells": cells,
        "status": status,
        "content_url": f"/v1/videos/sweeps/{sweep.id}/content" if finished else None,
    }


def sweep_objects(sweeps: list[Sweep]) -> list[dict[str, Any]]:
    statuses = cell_statuses(sweeps)
    return [sweep_object(sweep, statuses) for sweep in sweeps]


# --- cancel and delete ------------------------------------------------------------------


def cancel_sweep(sweep: Sweep) -> None:
    """Cancel every cell still queued or running, all in one transaction: the queued ones end at
    once, the running ones are flagged and their workers stop them (as POST /v1/videos/{id}/cancel
    does for one). A sweep with no such cell is a 409 not_cancellable, as a finished video's cancel."""
    with refused_when_full(), transaction.atomic():
        pending = _cancel_pending(sweep.video_ids)
    if not pending:
        raise InvalidRequest(None, "No cell of the sweep is queued or running.", "not_cancellable", status=409)
    _tell_queue(pending)


def delete_sweep(sweep: Sweep) -> None:
    """The sweep, its cells' videos (a queued or running cell cancelled first) and its grid MP4.
    The rows go in one transaction (all or nothing); the files once it has committed, so no file
    is lost for a row that stays."""
    ids = sweep.video_ids
    with refused_when_full(), transaction.atomic():
        pending = _cancel_pending(ids)
        jobs = list(VideoJob.objects.filter(id__in=ids))
        VideoJob.objects.filter(id__in=ids).delete()
        grid = Sweep.objects.filter(id=sweep.id).values_list("grid_file", flat=True).first() or ""
        Sweep.objects.filter(id=sweep.id).delete()
    _tell_queue(pending)
    for job in jobs:
        inputs = (job.reference_image, job.last_frame_image, job.source_video)
        for name in (job.video_file, job.thumbnail_file, job.spritesheet_file, *inputs):
            storage.delete(name)
        storage.remove_scratch(job.id)
    storage.delete(grid)


def _cancel_pending(ids: list[str]) -> list[VideoJob]:
    """Inside the caller's transaction: the queued jobs of `ids` cancelled, the running flagged."""
    pending = list(VideoJob.objects.filter(id__in=ids, status__in=PENDING))
    VideoJob.objects.filter(id__in=ids, status=Status.QUEUED).update(
        status=Status.CANCELLED,
        cancel_requested=True,
        completed_at=timezone.now(),
        error_code="cancelled",
        error_message="Cancelled.",
    )
    VideoJob.objects.filter(id__in=ids, status=Status.IN_PROGRESS).update(cancel_requested=True)
    return pending


def _tell_queue(jobs: Iterable[VideoJob]) -> None:
    queue = get_queue()
    for job in jobs:
        queue.cancel(job)


# --- the grid MP4 ------------------------------------------------------------------------

_guard = threading.Lock()
_locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()


def _lock_for(sweep_id: str) -> threading.Lock:
    with _guard:
        lock = _locks.get(sweep_id)
        if lock is None:
            lock = _locks[sweep_id] = threading.Lock()
        return lock


def ensure_grid(sweep: Sweep) -> str:
    """The stored grid's name: rendered on the first request once no cell is pending, then kept.
    Two requests in this process wait on one lock; another process's render is waited for
    (a claim on the row), so the grid is made once."""
    if sweep.grid_file:
        return sweep.grid_file
    jobs = {job.id: job for job in VideoJob.objects.filter(id__in=sweep.video_ids).only("id", "status", "video_file")}
    pending = sum(not job.is_terminal for job in jobs.values())
    if pending:
        raise InvalidRequest(
            None,
            f"{pending} of {len(sweep.cells)} cells are still queued or running; the grid exists once every cell "
            "has finished.",
            "video_not_ready",
            404,
        )
    lock = _lock_for(sweep.id)
    with lock:
        stored = _stored_grid(sweep.id)
        if stored:
            return stored
        if not _claim(sweep.id):
            return _wait_for_other(sweep.id)
        try:
            name = _render(sweep, jobs)
        except BaseException:
            if not Sweep.objects.filter(id=sweep.id).update(grid_started_at=None):
                raise _deleted(sweep.id) from None  # deleted while rendering: its cells' files went
            raise
        if not Sweep.objects.filter(id=sweep.id).update(grid_file=name, grid_started_at=None):
            storage.delete(name)  # deleted while rendering: no grid outlives its sweep
            raise _deleted(sweep.id)
        return name


def _deleted(sweep_id: str) -> InvalidRequest:
    return InvalidRequest(None, f"No sweep with id {sweep_id!r}: it was deleted.", "not_found", 404)


def _stored_grid(sweep_id: str) -> str:
    return Sweep.objects.filter(id=sweep_id).values_list("grid_file", flat=True).first() or ""


def _claim(sweep_id: str) -> bool:
    now = timezone.now()
    free = Q(grid_started_at__isnull=True) | Q(grid_started_at__lt=now - STALE_RENDER)
    return bool(Sweep.objects.filter(free, id=sweep_id, grid_file="").update(grid_started_at=now))


def _wait_for_other(sweep_id: str) -> str:
    deadline = time.monotonic() + WAIT_FOR_OTHER_RENDER
    while time.monotonic() < deadline:
        time.sleep(0.25)
        stored = _stored_grid(sweep_id)
        if stored:
            return stored
    raise InvalidRequest(None, "The grid is still being rendered; try again shortly.", "video_not_ready", 404)


def _render(sweep: Sweep, jobs: Mapping[str, VideoJob]) -> str:
    cells = []
    try:
        for number, cell in enumerate(sweep.cells):
            job = jobs.get(cell["video_id"])
            path, note = None, "deleted" if job is None else str(job.status)
            if job is not None and job.status == Status.COMPLETED:
                if default_storage.exists(job.video_file):
                    path = _local(job.video_file, sweep.id, number)
                else:
                    note = "file missing"
            cells.append(GridCell(tuple(cell["index"]), path, note))
        axes = [(axis["param"], axis["values"]) for axis in sweep.axes]
        dest = storage.scratch_path(sweep.id, 0, ".grid.mp4")
        render_grid(axes, cells, dest)
        made = [(jobs[cell["video_id"]], grid.path) for cell, grid in zip(sweep.cells, cells, strict=True) if grid.path]
        sign_composite(dest, f"sweep {sweep.id}", made, "gridded", {"sweep_id": sweep.id, "axes": sweep.axes})
        return storage.store(dest, f"sweeps/{sweep.id}.mp4")
    finally:
        storage.remove_scratch(sweep.id)  # the cells fetched from object storage, a grid cut short


def _local(name: str, sweep_id: str, number: int) -> Path:
    """A path to read a stored video from: the file itself on disk, a scratch copy from object storage."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return storage.fetch_to_scratch(name, sweep_id, 0, f".cell{number}")
