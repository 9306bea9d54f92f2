"""POST /v1/videos's `settings_from`: a studio MP4 (a form's file field) whose settings fill the
fields the request leaves out (videos/files/settings_file.py); what the request says wins."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from videos.api.uploaded_mp4 import local_mp4
from videos.errors import InvalidRequest
from videos.files.settings_file import read_settings

FIELD = "settings_from"


def with_settings_from(fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` without `settings_from`, completed from that file when it was sent."""
    if FIELD not in fields:
        return fields
    upload = fields.pop(FIELD)
    with local_mp4(upload, FIELD, settings.VIDEO_MAX_IMAGE_BYTES) as path:
        found = read_settings(path)
    if not found.found:
        raise InvalidRequest(FIELD, "This MP4 carries no studio settings to create from.", "no_settings")
    if found.prompt_omitted and "prompt" not in fields:
        raise InvalidRequest("prompt", "The file's studio left its prompt out: give a prompt.", "missing")
    return {**found.fields, **fields}
