"""Where files live: scratch files on local disk while a job runs, finished files in
Django's default storage (a local folder by default; S3-compatible when configured)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage


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
    with open(local, "rb") as fh:
        stored = default_storage.save(name, _MovableFile(fh, name=str(local)))
    if local.exists():
        local.unlink()
    return stored


def fetch_to_scratch(name: str, job_id: str, attempt: int) -> Path:
    """A local copy of a stored file (engines need a path; storage may be remote)."""
    local = scratch_path(job_id, attempt, Path(name).suffix)
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
