"""Serving stored files with HTTP Range, so the browser's player can seek."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase

from serving.handoff import hand_off
from serving.ranges import parse_range
from videos.files.storage import stored_size

CHUNK = 256 * 1024


async def _chunks(name: str, start: int, length: int) -> AsyncIterator[bytes]:
    """Object storage read off the event loop, chunk by chunk (never the whole file at once)."""
    fh = await asyncio.to_thread(default_storage.open, name, "rb")
    try:
        await asyncio.to_thread(fh.seek, start)
        remaining = length
        while remaining > 0:
            data = await asyncio.to_thread(fh.read, min(CHUNK, remaining))
            if not data:
                return
            remaining -= len(data)
            yield data
    finally:
        await asyncio.to_thread(fh.close)


def _local_path(name: str) -> str | None:
    try:
        return str(default_storage.path(name))
    except NotImplementedError:  # object storage has no local path
        return None


def serve_stored_file(
    request: HttpRequest, name: str, content_type: str, download_name: str | None = None
) -> HttpResponseBase:
    if settings.STUDIO_S3_BUCKET and settings.STUDIO_S3_PRESIGNED_REDIRECT:
        return _presigned_redirect(name, content_type, download_name)
    size = stored_size(name)
    wanted = parse_range(request.headers.get("Range", ""), size) if "Range" in request.headers else None
    if wanted == "bad":
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    start, end = wanted if isinstance(wanted, tuple) else (0, size - 1)
    length = max(end - start + 1, 0)
    path = _local_path(name)
    response: HttpResponseBase
    if path is not None:
        # The bytes are sent by the ASGI layer after this view returns (no request thread held).
        response = hand_off(
            HttpResponse(content_type=content_type), "sendfile", path=path, offset=start, length=length, size=size
        )
    else:
        response = StreamingHttpResponse(_chunks(name, start, length), content_type=content_type)
    response.status_code = 206 if isinstance(wanted, tuple) else 200
    if response.status_code == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, max-age=3600"
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def _presigned_redirect(name: str, content_type: str, download_name: str | None) -> HttpResponse:
    """S3: send the player to a short-lived signed URL; S3 itself answers Range requests."""
    params = {"ResponseContentType": content_type}
    if download_name:
        params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
    # S3Storage.url takes `parameters`; the base Storage signature mypy sees does not.
    response = HttpResponseRedirect(default_storage.url(name, parameters=params))  # type: ignore[call-arg]
    response["Cache-Control"] = "private, no-store"  # the signed URL expires; never cache the hop
    return response
