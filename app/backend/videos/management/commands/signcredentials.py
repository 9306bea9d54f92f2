"""`manage.py signcredentials`: sign the Content Credentials (C2PA) of completed videos made
before the studio signed them. Each file is signed into a new file that replaces the old one only
once it is complete; a failure keeps the old file and goes on to the next video."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandParser

from videos.files import credentials, storage
from videos.models import VideoJob
from videos.providers.registry import UnknownProvider, get_provider
from videos.runner.provenance import provenance


class Command(BaseCommand):
    help = "Sign the Content Credentials (C2PA) of completed videos that have none; signed ones are skipped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("video_ids", nargs="*", help="only these videos (default: every completed video)")
        parser.add_argument("--dry-run", action="store_true", help="say which videos would be signed")

    def handle(self, *args: object, video_ids: list[str], dry_run: bool, **options: object) -> None:
        jobs = VideoJob.objects.filter(status=VideoJob.Status.COMPLETED).exclude(video_file="").order_by("created_at")
        if video_ids:
            jobs = jobs.filter(id__in=video_ids)
        counts = {"signed": 0, "already signed": 0, "failed": 0}
        for job in jobs.iterator():
            outcome = self._one(job, dry_run)
            counts[outcome] += 1
            if outcome != "already signed":
                self.stdout.write(f"{job.id}: {'would be signed' if dry_run and outcome == 'signed' else outcome}")
        self.stdout.write(", ".join(f"{count} {what}" for what, count in counts.items()))

    def _one(self, job: VideoJob, dry_run: bool) -> str:
        scratch = f"sign-{uuid.uuid4().hex[:8]}"
        try:
            local = _local_path(job.video_file, scratch)
            with open(local, "rb") as fh:
                try:
                    credentials.read(fh)
                    return "already signed"
                except credentials.NoCredentials:
                    pass
            if dry_run:
                return "signed"
            inputs = _inputs(job, scratch)
            try:
                provider = get_provider(job.provider)
            except UnknownProvider:
                provider = None  # a model no longer configured: its name is still on the job
            credentials.sign(local, provenance(job, provider, job.metadata, **inputs))  # a swap in place
            _put_back(job, local)
            return "signed"
        except (credentials.SigningError, OSError) as exc:
            self.stderr.write(f"{job.id}: not signed, the old file is kept ({exc})")
            return "failed"
        finally:
            storage.remove_scratch(scratch)


def _local_path(name: str, scratch: str) -> Path:
    """The stored file itself on a local disk (signed by a rename beside it), else a scratch copy."""
    try:
        return Path(default_storage.path(name))
    except NotImplementedError:
        return storage.fetch_to_scratch(name, scratch, 0)


def _inputs(job: VideoJob, scratch: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, name, tag in (("source", job.source_video, ".source"), ("image", job.reference_image, ".image")):
        if name and default_storage.exists(name):
            found[key] = storage.fetch_to_scratch(name, scratch, 0, tag)
    return found


def _put_back(job: VideoJob, local: Path) -> None:
    """Object storage: the signed copy under a new name, the job pointed at it, then the old one deleted."""
    size = local.stat().st_size
    if not str(local).startswith(str(storage.scratch_dir())):  # signed in place on the local disk
        VideoJob.objects.filter(id=job.id).update(metadata={**(job.metadata or {}), "bytes": size})
        return
    old = job.video_file
    new = storage.store(local, f"videos/{job.id}-{uuid.uuid4().hex[:6]}.mp4")
    VideoJob.objects.filter(id=job.id).update(video_file=new, metadata={**(job.metadata or {}), "bytes": size})
    storage.delete(old)
