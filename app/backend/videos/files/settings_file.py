"""The settings a studio MP4 carries (videos/runner/provenance.py writes them twice: the C2PA
manifest's studio assertion and the plain MP4 `comment` tag), read back as create fields.

The manifest is read first (it is signed); the tag is the fallback, for a file whose manifest was
stripped by a tool that kept the tags. What comes back are the fields of POST /v1/videos, so the
page's composer and the API's `settings_from` fill the same things.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av

from videos.files import credentials
from videos.files.credentials.manifest import SETTINGS_LABEL
from videos.files.credentials.tags import TAG


class NotAVideo(ValueError):
    """The file is not an MP4 (or QuickTime) file at all."""


@dataclass
class FileSettings:
    found: bool
    source: str | None = None  # "c2pa" (the signed manifest) or "mp4_tag" (the plain metadata)
    fields: dict[str, Any] = field(default_factory=dict)  # POST /v1/videos's fields
    prompt_omitted: bool = False  # the studio was set to leave prompts out (STUDIO_C2PA_OMIT_PROMPT)
    video_id: str | None = None  # the video the file says it is (it may be another studio's)


def is_mp4(path: Path) -> bool:
    """An ISO BMFF file: its first box is `ftyp` (what every MP4 and QuickTime file starts with)."""
    with open(path, "rb") as fh:
        head = fh.read(12)
    return len(head) >= 8 and head[4:8] == b"ftyp"


def read_settings(path: Path) -> FileSettings:
    """The studio settings in the file, or found=False when it carries none. NotAVideo when the
    file is no MP4."""
    if not is_mp4(path):
        raise NotAVideo("The file is not an MP4 video (it does not start with an ISO BMFF 'ftyp' box).")
    data = _from_manifest(path)
    source = "c2pa"
    if data is None:
        data, source = _from_tag(path), "mp4_tag"
    if data is None:
        return FileSettings(found=False)
    return FileSettings(
        found=True,
        source=source,
        fields=create_fields(data),
        prompt_omitted=bool(data.get("prompt_omitted")),
        video_id=data["video_id"] if isinstance(data.get("video_id"), str) else None,
    )


def _from_manifest(path: Path) -> dict[str, Any] | None:
    try:
        with open(path, "rb") as fh:
            store = credentials.read(fh).get("manifest_store") or {}
    except credentials.NoCredentials:
        return None
    manifest = (store.get("manifests") or {}).get(store.get("active_manifest") or "") or {}
    for assertion in manifest.get("assertions") or []:
        if assertion.get("label") == SETTINGS_LABEL and isinstance(assertion.get("data"), dict):
            return dict(assertion["data"])
    return None


def _from_tag(path: Path) -> dict[str, Any] | None:
    try:
        with av.open(str(path)) as container:
            text = container.metadata.get(TAG)
    except (av.FFmpegError, OSError, ValueError):
        return None
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None  # another tool's free-text comment
    # The studio's tag always says the seed and the model; a stranger's JSON comment need not.
    return data if isinstance(data, dict) and "seed" in data and "model" in data else None


def model_id(model: object) -> str | None:
    """The provider's id in the settings' model: "Preview (preview)" -> "preview"."""
    if not isinstance(model, str) or not model:
        return None
    if model.endswith(")") and "(" in model:
        return model[model.rindex("(") + 1 : -1] or None
    return model


def create_fields(data: dict[str, Any]) -> dict[str, Any]:
    """POST /v1/videos's fields from a settings assertion (what it does not say is left out)."""
    fields: dict[str, Any] = {}
    for name in ("prompt", "negative_prompt"):
        if isinstance(data.get(name), str):
            fields[name] = data[name]
    for name, key in (("seed", "seed"), ("num_inference_steps", "steps")):
        if isinstance(data.get(key), int) and not isinstance(data.get(key), bool):
            fields[name] = data[key]
    width, height = data.get("width"), data.get("height")
    if isinstance(width, int) and isinstance(height, int):  # what was asked for; None: the model's default
        fields["size"] = f"{width}x{height}"
    # A length asked for in seconds is recorded with the frames it came to: the seconds say it.
    if isinstance(data.get("seconds"), int):
        fields["seconds"] = str(data["seconds"])
    elif isinstance(data.get("num_frames"), int):
        fields["num_frames"] = data["num_frames"]
    model = model_id(data.get("model"))
    if model:
        fields["model"] = model
    return fields
