"""Where files live: scratch files on local disk while a job runs, finished files in
Django's default storage (a local folder by default; S3-compatible when configured)."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError

from videos.errors import InvalidRequest

STORAGE_FULL_MESSAGE = "The studio's disk is full; free some space in its data folder, then retry."
FILE_MISSING_MESSAGE = (
    "This file is missing from the studio's storage (deleted outside the studio, or lost), so it cannot be sent."
)


def stored_size(name: str) -> int:
    """A finished file's size; a 404 `file_missing` when it is gone (a lost volume, a hand-deleted
    file) rather than the storage's own error as a 500."""
    try:
        if name:
            return int(default_storage.size(name))
    except Exception:
        if default_storage.exists(name):
            raise  # there, but unreadable: a real server error
    raise InvalidRequest(None, FILE_MISSING_MESSAGE, "file_missing", status=404)


class StorageFull(Exception):
    """The data folder has less free space than VIDEO_MIN_FREE_BYTES."""

    def __init__(self, free: int) -> None:
        super().__init__(f"{free} bytes free in {settings.DATA_DIR}, {settings.VIDEO_MIN_FREE_BYTES} needed")
        self.free = free


def ensure_free_space() -> None:
    free = shutil.disk_usage(settings.DATA_DIR).free
    if free < settings.VIDEO_MIN_FREE_BYTES:
        raise StorageFull(free)


def is_storage_full(exc: BaseException | None) -> bool:
    """A full disk, however it surfaced: ENOSPC/EDQUOT from a write (PyAV's errors are OSErrors
    too), SQLite's "database or disk is full", or our own free-space check; causes included."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, StorageFull):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, DatabaseError) and "full" in str(exc).lower():
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class _MovableFile(File):
    """FileSystemStorage moves a file that has a temporary_file_path instead of copying it."""

    def temporary_file_path(self) -> str:
        return str(self.name)


def scratch_dir() -> Path:
    path = settings.DATA_DIR / "scratch"
    path.mkdir(parents=True, exist_ok=True)
    return path


def scratch_path(job_id: str, attempt: int, suffix: str) -> Path:
    return scratch_dir() / f"{job_id}.{attempt}{suffix}"


def store(local: Path, name: str) -> str:
    """Put a finished local file into storage under `name`; returns the stored name."""
    if default_storage.exists(name):
        default_storage.delete(name)
    try:
        with open(local, "rb") as fh:
            stored = default_storage.save(name, _MovableFile(fh, name=str(local)))
    except BaseException:
        delete(name)  # a copy cut short (full disk) must not stay behind as a playable-looking file
        raise
    if local.exists():
        local.unlink()
    return stored


def fetch_to_scratch(name: str, job_id: str, attempt: int, tag: str = "") -> Path:
    """A local copy of a stored file (engines need a path; storage may be remote); `tag` keeps
    it apart from the job's other scratch files of the same type."""
    local = scratch_path(job_id, attempt, f"{tag}{Path(name).suffix}")
    with default_storage.open(name, "rb") as src, open(local, "wb") as dst:
        for chunk in iter(lambda: src.read(1024 * 1024), b""):
            dst.write(chunk)
    return local


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def remove_scratch(job_id: str) -> None:
    for path in scratch_dir().glob(f"{job_id}.*"):
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


def copy(name: str, new_name: str) -> str:
    """A stored file copied under a new name (a job's own copy of an input that may be deleted
    with the job it came from); returns the stored name."""
    if not name or not default_storage.exists(name):  # a 404 a person understands, not the storage's 500
        message = (
            "An input of this video (an image or clip it was made from) is missing from the studio's storage "
            "(deleted outside the studio, or lost), so it cannot be made again."
        )
        raise InvalidRequest(None, message, "file_missing", status=404)
    with default_storage.open(name, "rb") as src:
        return default_storage.save(new_name, File(src, name=new_name))
