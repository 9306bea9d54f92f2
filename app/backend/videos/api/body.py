"""Reading request bodies: a JSON object, or a create request as JSON or a form."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from videos.errors import InvalidRequest

FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")


def json_object(request: HttpRequest) -> dict[str, Any]:
    """The body as a dict (an empty body is {}); InvalidRequest for bad JSON or a non-object."""
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest(None, "The body is not valid JSON.", "invalid_json") from None
    if not isinstance(data, dict):
        raise InvalidRequest(None, "The body must be a JSON object.", "invalid_json")
    return data


def create_fields(request: HttpRequest) -> tuple[dict[str, Any], object]:
    """(fields, uploaded reference image or None) of a create request."""
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > settings.VIDEO_MAX_IMAGE_BYTES + 64 * 1024:
        limit = settings.VIDEO_MAX_IMAGE_BYTES // 1024**2
        raise InvalidRequest(
            None, f"The request is too large; a reference image may be at most {limit} MB.", "too_large", status=413
        )
    ctype = request.content_type or ""
    if ctype.startswith(FORMS):
        try:
            form = request.POST
            files = request.FILES
        except MultiPartParserError as exc:
            raise InvalidRequest(None, f"The form could not be read: {exc}", "invalid_form") from None
        # An empty form field is one left blank: the default, as if it were not sent.
        fields: dict[str, Any] = {key: form.get(key) for key in form if form.get(key) != ""}
        fields.update({key: files[key] for key in files if key != "input_reference"})
        return fields, files.get("input_reference")
    if ctype == "application/json" or not ctype:
        fields = json_object(request)
        return fields, fields.pop("input_reference", None)
    raise InvalidRequest(None, f"Send JSON or a form, not {ctype[:60]}.", "unsupported_media_type", status=415)
