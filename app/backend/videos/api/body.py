"""Reading request bodies: a JSON object, or a create request as JSON or a form."""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from videos.errors import InvalidRequest

SURROGATES = re.compile("[\ud800-\udfff]")
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def json_object(request: HttpRequest) -> dict[str, Any]:
    """The body as a dict (an empty body is {}); InvalidRequest for bad JSON or a non-object."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest(None, "The body is not valid JSON.", "invalid_json") from None
    except RecursionError:  # json's parser recurses per level: 100,000 brackets exhaust the stack
        raise InvalidRequest(None, "The body is not valid JSON: it is nested too deeply.", "invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidRequest(None, "The body must be a JSON object.", "invalid_json")
    param = _lone_surrogate(data)
    if param is not None:
        raise InvalidRequest(
            param or None,
            "The body is not valid JSON: it has a lone UTF-16 surrogate (a \\ud800-\\udfff escape without its pair).",
            "invalid_json",
        )
    return data


def _has_surrogate(text: str) -> bool:
    return SURROGATES.search(text) is not None


def _lone_surrogate(data: dict[str, Any]) -> str | None:
    """The top-level field holding a lone surrogate ('' for a nested key), or None.

    JSON's \\uXXXX escapes can name half a surrogate pair, which no UTF-8 text can hold: the
    database and every encoder fail on it later, as a 500. Iterative, so depth is no issue.
    """
    for field, value in data.items():
        if _has_surrogate(field):
            return ""
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                if _has_surrogate(item):
                    return field
            elif isinstance(item, dict):
                for key, inner in item.items():
                    if _has_surrogate(key):
                        return field
                    stack.append(inner)
            elif isinstance(item, list):
                stack.extend(item)
    return None


def create_fields(request: HttpRequest) -> tuple[dict[str, Any], object]:
    """(fields, uploaded reference image or None) of a create request."""
    limit = settings.VIDEO_MAX_IMAGE_BYTES
    fields = _fields(request, limit, f"a reference image may be at most {limit // 1024**2} MB")
    return fields, fields.pop("input_reference", None)


def clip_fields(request: HttpRequest) -> tuple[dict[str, Any], object, str | None]:
    """(fields, uploaded MP4 or None, id of one of the caller's videos or None) of an extend or
    edit: `video` is a file, or a reference as JSON {"video": {"id": ...}} or the official
    client's form field `video[id]`."""
    limit = settings.VIDEO_MAX_SOURCE_BYTES
    fields = _fields(request, limit, f"a video may be at most {limit // 1024**2} MB")
    video = fields.pop("video", None)
    reference = fields.pop("video[id]", None)
    if isinstance(video, dict):
        reference = video.get("id")
        video = None
    elif isinstance(video, str):  # a bare id
        reference, video = video, None
    if video is None and reference is None:
        raise InvalidRequest("video", 'Give the video: an uploaded MP4, or {"id": "video_..."}.', "missing")
    if reference is not None and not isinstance(reference, str):
        raise InvalidRequest("video", "video.id must be a video id string.", "invalid_type")
    return fields, video, reference


def _fields(request: HttpRequest, file_limit: int, too_large: str) -> dict[str, Any]:
    """A JSON object, or a form's fields and files in one dict."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > file_limit + 64 * 1024:
        raise InvalidRequest(None, f"The request is too large; {too_large}.", "too_large", status=413)
    ctype = request.content_type or ""
    if ctype.startswith(FORMS):
        try:
            form = request.POST
            files = request.FILES
        except MultiPartParserError as exc:
            raise InvalidRequest(None, f"The form could not be read: {exc}", "invalid_form") from None
        # An empty form field is one left blank: the default, as if it were not sent.
        fields: dict[str, Any] = {key: form.get(key) for key in form if form.get(key) != ""}
        fields.update({key: files[key] for key in files})
        return fields
    if ctype == "application/json" or not ctype:
        return json_object(request)
    raise InvalidRequest(None, f"Send JSON or a form, not {ctype[:60]}.", "unsupported_media_type", status=415)
