"""A finished video's spritesheet: made by the runner when the job completes; made once, on
first request, for videos finished before spritesheets existed."""

from __future__ import annotations

import threading

from videos.files import storage
from videos.files.spritesheet import write_spritesheet
from videos.models import VideoJob

_lock = threading.Lock()  # two first requests at once make it once


def ensure_spritesheet(job: VideoJob) -> str:
    """The stored spritesheet's name for a completed job (read with spritesheet_file and video_file)."""
    if job.spritesheet_file:
        return job.spritesheet_file
    with _lock:
        stored = VideoJob.objects.filter(id=job.id).values_list("spritesheet_file", flat=True).first()
        if stored:
            return stored
        storage.stored_size(job.video_file)  # a 404 when the MP4 it is made from is gone
        video = storage.fetch_to_scratch(job.video_file, job.id, 0)
        sheet = storage.scratch_path(job.id, 0, ".sprites.jpg")
        try:
            write_spritesheet(video, sheet)
            name = storage.store(sheet, f"spritesheets/{job.id}.jpg")
        finally:
            video.unlink(missing_ok=True)
            sheet.unlink(missing_ok=True)
        if not VideoJob.objects.filter(id=job.id).update(spritesheet_file=name):
            storage.delete(name)  # deleted meanwhile
        return name
