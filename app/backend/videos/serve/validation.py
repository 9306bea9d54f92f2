"""tt-media-server's request checks, as its pydantic models make them (VideoGenerateRequest,
VideoI2VGenerateRequest in tenstorrent/tt-inference-server): FastAPI's 422 `detail` lists, in its
order and words, so a client written against tt-media-server reads the same answers here."""

from __future__ import annotations

import base64
import binascii
import io
from typing import Any

from PIL import Image

# tt-media-server's limits (config/constants.py, domain/video_i2v_generate_request.py, open_ai_api/video.py)
MIN_STEPS, MAX_STEPS = 4, 50
NUM_FRAMES = 81  # WAN22_NUM_FRAMES: frame_pos is 0..80, at most 81 image_prompts
MAX_BASE64_IMAGE_LEN = 10_000_000


class Unprocessable(Exception):
    """A 422 with FastAPI's body: {"detail": [...]} (pydantic errors) or {"detail": "..."}."""

    def __init__(self, detail: list[dict[str, Any]] | str) -> None:
        super().__init__(str(detail))
        self.detail = detail


def problem(kind: str, loc: list[str | int], msg: str, value: object = None) -> dict[str, Any]:
    return {"type": kind, "loc": ["body", *loc], "msg": msg, "input": value}


def check_fields(body: dict[str, Any]) -> list[dict[str, Any]]:
    """VideoGenerateRequest: prompt (str), negative_prompt (str | None), num_inference_steps
    (4..50), seed (int | None), aspect_ratio (str | None), duration_seconds (1..60)."""
    problems = []
    prompt = body.get("prompt")
    if "prompt" not in body:
        problems.append(problem("missing", ["prompt"], "Field required", body))
    elif not isinstance(prompt, str):
        problems.append(problem("string_type", ["prompt"], "Input should be a valid string", prompt))
    for name in ("negative_prompt", "aspect_ratio"):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            problems.append(problem("string_type", [name], "Input should be a valid string", value))
    for name, low, high in (
        ("num_inference_steps", MIN_STEPS, MAX_STEPS),
        ("seed", None, None),
        ("duration_seconds", 1, 60),
    ):
        value = body.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(problem("int_type", [name], "Input should be a valid integer", value))
        elif low is not None and value < low:
            problems.append(
                problem("greater_than_equal", [name], f"Input should be greater than or equal to {low}", value)
            )
        elif high is not None and value > high:
            problems.append(problem("less_than_equal", [name], f"Input should be less than or equal to {high}", value))
    return problems


def _decode_image(text: str) -> bytes | None:
    """The image's bytes when the base64 text is a picture Pillow can open, else None."""
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    try:
        data = base64.b64decode(text, validate=True)
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            if image.size[0] < 1 or image.size[1] < 1:
                return None
    except (binascii.Error, ValueError, OSError, Image.DecompressionBombError):
        return None
    return data


def check_image_prompts(body: dict[str, Any]) -> tuple[list[dict[str, Any]], list[tuple[int, bytes]]]:
    """VideoI2VGenerateRequest.image_prompts: 1 to 81 entries, each a decodable image (base64,
    at most 10,000,000 characters) at a distinct frame_pos 0..80."""
    prompts = body.get("image_prompts")
    if "image_prompts" not in body:
        return [problem("missing", ["image_prompts"], "Field required", body)], []
    if not isinstance(prompts, list):
        return [problem("list_type", ["image_prompts"], "Input should be a valid list", prompts)], []
    if not 1 <= len(prompts) <= NUM_FRAMES:
        kind = "too_short" if not prompts else "too_long"
        msg = f"List should have at least 1 item after validation, not {len(prompts)}"
        if prompts:
            msg = f"List should have at most {NUM_FRAMES} items after validation, not {len(prompts)}"
        return [problem(kind, ["image_prompts"], msg, None)], []
    problems: list[dict[str, Any]] = []
    anchors: list[tuple[int, bytes]] = []
    for index, entry in enumerate(prompts):
        loc: list[str | int] = ["image_prompts", index]
        if not isinstance(entry, dict):
            problems.append(
                problem("model_type", loc, "Input should be a valid dictionary or instance of ImagePromptEntry", entry)
            )
            continue
        image, pos = entry.get("image"), entry.get("frame_pos", 0)
        if isinstance(pos, bool) or not isinstance(pos, int):
            problems.append(problem("int_type", [*loc, "frame_pos"], "Input should be a valid integer", pos))
        elif pos < 0:
            problems.append(
                problem("greater_than_equal", [*loc, "frame_pos"], "Input should be greater than or equal to 0", pos)
            )
        elif pos >= NUM_FRAMES:
            problems.append(problem("less_than", [*loc, "frame_pos"], f"Input should be less than {NUM_FRAMES}", pos))
        if "image" not in entry:
            problems.append(problem("missing", [*loc, "image"], "Field required", entry))
            continue
        if not isinstance(image, str):
            problems.append(problem("string_type", [*loc, "image"], "Input should be a valid string", None))
            continue
        if not 1 <= len(image) <= MAX_BASE64_IMAGE_LEN:
            kind, msg = ("string_too_short", "String should have at least 1 character")
            if image:
                kind, msg = ("string_too_long", f"String should have at most {MAX_BASE64_IMAGE_LEN} characters")
            problems.append(problem(kind, [*loc, "image"], msg, None))
            continue
        data = _decode_image(image)
        if data is None:
            problems.append(
                problem(
                    "value_error",
                    [*loc, "image"],
                    "Value error, image could not be decoded to a valid PIL image "
                    "(supported formats: PNG, JPEG, WebP, etc.)",
                    None,
                )
            )
        elif isinstance(pos, int) and not isinstance(pos, bool):
            anchors.append((pos, data))
    if not problems:
        seen: set[int] = set()
        for pos, _ in anchors:
            if pos in seen:
                problems.append(
                    problem(
                        "value_error",
                        ["image_prompts"],
                        f"Value error, duplicate frame_pos={pos} in image_prompts; "
                        "each image must target a distinct frame",
                        None,
                    )
                )
                break
            seen.add(pos)
    return problems, anchors
