"""An uploaded MP4 (a form's file field) as a local scratch file for the length of a request."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile

from videos.errors import InvalidRequest
from videos.files import storage
from videos.files.settings_file import is_mp4

NOT_MP4 = "The file is not an MP4 video (an MP4 starts with an 'ftyp' box; this one does not)."


@contextmanager
def local_mp4(upload: object, param: str, limit: int) -> Iterator[Path]:
    """The upload written to scratch (removed after the block); InvalidRequest (400) when it is
    missing or no MP4, 413 past `limit` bytes."""
    if not isinstance(upload, UploadedFile):
        raise InvalidRequest(param, f"Send the video as a multipart form's file field {param!r}.", "missing")
    if upload.size is None or upload.size > limit:
        raise InvalidRequest(param, f"The video is larger than {limit // 1024**2} MB.", "too_large", status=413)
    fd, name = tempfile.mkstemp(suffix=".mp4", dir=storage.scratch_dir())
    local = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        if not is_mp4(local):
            raise InvalidRequest(param, NOT_MP4, "invalid_video")
        yield local
    finally:
        local.unlink(missing_ok=True)
