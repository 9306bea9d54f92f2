"""Signed links (videos/access/links.py): `POST /v1/videos/{id}/links` makes one; `/links/...`
(a plain Django view, outside /v1) reads the file it names, with no key or session."""

from __future__ import annotations

import mimetypes
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja import Router

from videos.access import links
from videos.api.body import json_object
from videos.api.openapi_bodies import json_body
from videos.api.schemas import ErrorOut, LinkCreate, LinkOut
from videos.api.visible import get_job
from videos.errors import InvalidRequest, error_response
from videos.files.serving import serve_stored_file
from videos.jobs.service import require_completed
from videos.models import VideoJob

router = Router(tags=["links"])
FILE_OF = {"video": "video_file", "thumbnail": "thumbnail_file", "spritesheet": "spritesheet_file"}


@router.post(
    "/videos/{video_id}/links",
    response={201: LinkOut, 400: ErrorOut, 404: ErrorOut},
    summary="Studio extension: a signed link anyone may read the file through until it expires",
    openapi_extra=json_body(LinkCreate),
)
def create_link(request: HttpRequest, video_id: str) -> tuple[int, dict[str, Any]]:
    body = json_object(request)
    unknown = sorted(set(body) - set(LinkCreate.model_fields))
    if unknown:
        message = f"Unknown field {unknown[0][:40]!r}; send variant and expires_in."
        raise InvalidRequest(unknown[0], message, "unknown_field")
    variant = body.get("variant", "video")
    if variant not in links.VARIANTS:
        raise InvalidRequest("variant", f"variant is one of {', '.join(links.VARIANTS)}.", "invalid_value")
    longest = settings.STUDIO_LINK_MAX_SECONDS
    lifetime = body.get("expires_in", settings.STUDIO_LINK_DEFAULT_SECONDS)
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or not 1 <= lifetime <= longest:
        raise InvalidRequest("expires_in", f"expires_in is whole seconds, 1 to {longest} (STUDIO_LINK_MAX_SECONDS).")
    job = get_job(request, video_id)
    require_completed(job, "The video is {status}; a link can be made once it is completed.", "video_not_ready", 404)
    name = getattr(job, FILE_OF[variant])
    if variant == "spritesheet" and not name:
        message = "This video has no spritesheet yet; ask for its content once first."
        raise InvalidRequest("variant", message, "not_found", 404)
    expires = int(time.time()) + lifetime
    return 201, {
        "object": "video.link",
        "video_id": job.id,
        "variant": variant,
        "url": request.build_absolute_uri(links.sign(variant, name, expires)),
        "expires_at": expires,
    }


def serve_link(request: HttpRequest, variant: str, expires: int, signature: str, name: str) -> HttpResponseBase:
    """GET /links/...: the file, as /v1/videos/{id}/content sends it (Range, HEAD), to anyone
    holding a good link; a JSON 403 for a wrong one, 410 for an expired one."""
    problem = links.check(variant, expires, signature, name)
    if problem == "invalid":
        return error_response(links.INVALID, status=403, code="link_invalid")
    if problem == "expired":
        return error_response(links.EXPIRED, status=410, code="link_expired")
    if not VideoJob.objects.filter(**{FILE_OF[variant]: name}).exists():
        return error_response("This link's video was deleted.", status=404, code="file_missing")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return serve_stored_file(request, name, kind)
