"""The clip an extend or an edit starts from: an uploaded MP4, or one of the caller's videos."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from videos.errors import InvalidRequest
from videos.files import storage
from videos.files.media import InvalidVideo, VideoMetadata, probe
from videos.models import VideoJob

Status = VideoJob.Status


@dataclass(frozen=True)
class SourceClip:
    """`local`: an upload checked into a temporary file; `stored`: a file in storage to copy."""

    info: VideoMetadata | None = None
    local: Path | None = None
    stored: str = ""
    video_id: str = ""  # the studio video it is, when it is one

    @classmethod
    def from_storage(cls, name: str) -> SourceClip:
        return cls(stored=name)

    @classmethod
    def from_job(cls, job: VideoJob) -> SourceClip:
        """One of the caller's videos (already looked up for them): it must be completed."""
        if job.status in (Status.QUEUED, Status.IN_PROGRESS):
            raise InvalidRequest(
                "video", f"The video {job.id} is not finished yet; wait until it is completed.", "video_not_ready", 409
            )
        if job.status != Status.COMPLETED or not job.video_file or not job.metadata:
            raise InvalidRequest(
                "video", f"The video {job.id} has no finished clip ({job.status}).", "video_not_found", 404
            )
        try:
            storage.stored_size(job.video_file)
        except InvalidRequest:  # refused now, not accepted and failed later
            message = (
                f"The video {job.id}'s clip is missing from the studio's storage (deleted outside the studio, or lost)."
            )
            raise InvalidRequest("video", message, "file_missing", 404) from None
        return cls(info=VideoMetadata(**job.metadata), stored=job.video_file, video_id=job.id)

    @classmethod
    def from_upload(cls, upload: object) -> SourceClip:
        """An uploaded MP4, decoded once to prove it is a whole video."""
        if not isinstance(upload, UploadedFile):
            raise InvalidRequest("video", 'video must be an uploaded MP4 file or {"id": "video_..."}.')
        limit = settings.VIDEO_MAX_SOURCE_BYTES
        if upload.size is None or upload.size > limit:
            raise InvalidRequest("video", f"The video is larger than {limit // 1024**2} MB.", "too_large", status=413)
        fd, name = tempfile.mkstemp(suffix=".mp4", dir=storage.scratch_dir())
        local = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            info = probe(local)
        except InvalidVideo as exc:
            local.unlink(missing_ok=True)
            message = f"The uploaded file is not a playable video ({exc})."
            raise InvalidRequest("video", message, "invalid_video") from None
        except BaseException:
            local.unlink(missing_ok=True)
            raise
        return cls(info=info, local=local)

    def store(self, name: str) -> str:
        """The job's own stored copy; an upload's temporary file is moved, then gone."""
        if self.local is not None:
            return storage.store(self.local, name)
        return storage.copy(self.stored, name)

    def discard(self) -> None:
        if self.local is not None:
            self.local.unlink(missing_ok=True)
