"""OpenAI's Videos API contract as the strict server (tests/support/openai_strict.py) checks
it: the values OpenAI accepts, a request as it was seen (multipart fields and files, JSON), a
video's record, OpenAI's error, and the checks of a request's fields that need no server state.
Each check raises ApiError with OpenAI's message, `param` and `code`.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser

from PIL import Image

SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")
SECONDS = ("4", "8", "12")
EXTEND_SECONDS = ("4", "8", "12", "16", "20")
MODELS = ("sora-2", "sora-2-pro", "sora-2-2025-10-06", "sora-2-pro-2025-10-06", "sora-2-2025-12-08")
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
CREATE_FIELDS = {"prompt", "model", "seconds", "size", "input_reference"}
MP4_BOXES = (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")


@dataclass(frozen=True)
class Part:
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    content_type: str
    fields: dict[str, str] = field(default_factory=dict)  # multipart text fields
    files: dict[str, Part] = field(default_factory=dict)  # multipart file fields
    json: object = None
    at: float = field(default_factory=time.monotonic)


@dataclass
class Video:
    id: str
    kind: str  # create | extend | edit | remix
    model: str
    prompt: str
    size: str
    seconds: str
    started: float
    run_seconds: float
    error: dict | None = None  # how it fails when its time is up; None: it completes
    remixed_from_video_id: str | None = None
    source_id: str | None = None  # the video an extend or edit referred to by id
    upload: Part | None = None  # input_reference, or the uploaded source video
    created_at: int = field(default_factory=lambda: int(time.time()))
    deleted_at: float | None = None


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code
        self.headers = headers or {}


def parse_multipart(content_type: str, raw: bytes) -> tuple[dict[str, str], dict[str, Part]]:
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    if not message.is_multipart():
        raise ValueError("not multipart")
    fields: dict[str, str] = {}
    files: dict[str, Part] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            fields[name] = data.decode("utf-8")
        else:
            files[name] = Part(filename, part.get_content_type(), data)
    return fields, files


def require_multipart(seen: Seen) -> None:
    if seen.content_type != "multipart/form-data":
        raise ApiError(
            400,
            f"Invalid Content-Type header ({seen.content_type or 'none'}), expected multipart/form-data.",
            None,
            "invalid_content_type",
        )


def required_prompt(seen: Seen) -> str:
    prompt = seen.fields.get("prompt", "")
    if not prompt.strip():
        raise ApiError(400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
    return prompt


def choice(seen: Seen, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = seen.fields.get(name, default)
    if value not in allowed:
        listed = ", ".join(f"'{v}'" for v in allowed)
        raise ApiError(400, f"Invalid value: '{value}'. Supported values are: {listed}.", name, "invalid_value")
    return value


def create_fields(seen: Seen, check_reference_size: bool) -> tuple[str, str, str, str, Part | None]:
    """A create's (model, prompt, size, seconds, input_reference); `check_reference_size`: the
    reference image must be the video's size, as OpenAI wants."""
    require_multipart(seen)
    for name in [*seen.fields, *seen.files]:
        if name not in CREATE_FIELDS:
            raise ApiError(400, f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    prompt = required_prompt(seen)
    model = choice(seen, "model", MODELS, "sora-2")
    size = choice(seen, "size", SIZES, "720x1280")
    seconds = choice(seen, "seconds", SECONDS, "4")
    upload = None
    if "input_reference" in seen.fields:
        raise ApiError(400, "input_reference must be a file upload.", "input_reference", "invalid_type")
    if "input_reference" in seen.files:
        upload = seen.files["input_reference"]
        if upload.content_type not in IMAGE_TYPES:
            raise ApiError(
                400,
                f"Invalid file format for input_reference: {upload.content_type}. "
                "Supported formats are image/jpeg, image/png and image/webp.",
                "input_reference",
                "invalid_value",
            )
        try:
            with Image.open(io.BytesIO(upload.data)) as image:
                actual = f"{image.width}x{image.height}"
        except Exception:
            raise ApiError(400, "input_reference is not a readable image.", "input_reference") from None
        if check_reference_size and actual != size:
            raise ApiError(
                400,
                f"Inpaint image must match the requested width and height ({size}); got {actual}.",
                "input_reference",
                "invalid_value",
            )
    return model, prompt, size, seconds, upload


def extend_or_edit_fields(seen: Seen, kind: str) -> tuple[str, str, Part | None]:
    """An extend's or edit's (prompt, seconds, uploaded video); the source may be `video[id]`
    instead of an upload, which the server looks up."""
    require_multipart(seen)
    allowed = {"prompt", "video", "video[id]"} | ({"seconds"} if kind == "extend" else set())
    for name in [*seen.fields, *seen.files]:
        if name not in allowed:
            raise ApiError(400, f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    prompt = required_prompt(seen)
    seconds = "4"
    if kind == "extend":
        if "seconds" not in seen.fields:
            raise ApiError(400, "Missing required parameter: 'seconds'.", "seconds", "missing_required_parameter")
        seconds = choice(seen, "seconds", EXTEND_SECONDS, "4")
    upload = seen.files.get("video")
    if upload is not None and (upload.content_type != "video/mp4" or upload.data[4:8] not in MP4_BOXES):
        raise ApiError(400, "video must be an MP4 file.", "video", "invalid_value")
    return prompt, seconds, upload


def remix_prompt(seen: Seen) -> str:
    """A remix's prompt: its body is JSON `{"prompt"}` and nothing else."""
    if seen.content_type != "application/json" or not isinstance(seen.json, dict):
        raise ApiError(400, "Expected a JSON body with a prompt.", None, "invalid_request")
    unknown = set(seen.json) - {"prompt"}
    if unknown:
        name = sorted(unknown)[0]
        raise ApiError(400, f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    prompt = seen.json.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise ApiError(400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter")
    return prompt


def content_variant(seen: Seen) -> str:
    """The `variant` asked of GET /v1/videos/{id}/content (video when none)."""
    variant = (seen.query.get("variant") or ["video"])[0]
    if variant not in ("video", "thumbnail", "spritesheet"):
        raise ApiError(
            400,
            f"Invalid value: '{variant}'. Supported values are: 'video', 'thumbnail', and 'spritesheet'.",
            "variant",
            "invalid_value",
        )
    return variant
