"""tt-media-server's request validation, strictly, as the loopback upstream
(tests/support/upstream.py) applies it: pydantic's 422 `detail` entries, the shape fields
(`aspect_ratio`, `duration_seconds`) against what a deployment serves, and the i2v route's
`image_prompts` (1 to 81 entries, decodable images, distinct frame_pos 0..80).
"""

from __future__ import annotations

import base64
import io

from PIL import Image

I2V_ONLY = (
    "This deployment requires image conditioning. Use POST /generations/i2v with at least one "
    "image_prompts entry, or POST /generations/i2v/upload to send the image as a file."
)


def pydantic_error(loc: list, msg: str) -> dict:
    """One entry of FastAPI's 422 `detail` list."""
    return {"type": "value_error", "loc": ["body", *loc], "msg": msg, "input": None}


def shape_problem(body: object, aspect_ratios: tuple[str, ...], durations: tuple[int, ...]) -> dict | None:
    """tt-media-server's aspect_ratio / duration_seconds checks, as one pydantic error."""
    if not isinstance(body, dict):
        return pydantic_error([], "Input should be a valid dictionary")
    ratio, seconds = body.get("aspect_ratio"), body.get("duration_seconds")
    if ratio is not None and ratio not in aspect_ratios:
        served = ", ".join(aspect_ratios) or "none (this model serves one shape)"
        return pydantic_error(["aspect_ratio"], f"Value error, aspect_ratio {ratio!r} is not served; use {served}")
    if seconds is not None:
        if not isinstance(seconds, int) or not 1 <= seconds <= 60:
            return pydantic_error(["duration_seconds"], "Input should be an integer from 1 to 60")
        if seconds not in durations:
            served = ", ".join(str(d) for d in durations) or "none"
            return pydantic_error(["duration_seconds"], f"Value error, duration_seconds must be one of {served}")
    return None


def image_prompts_check(body: object) -> tuple[list[dict], list[tuple[int, bytes]]]:
    """What tt-media-server's VideoI2VGenerateRequest refuses (its 422 `detail` list; empty: none),
    and the request's anchors, [(frame_pos, image bytes), ...]."""
    prompts = body.get("image_prompts") if isinstance(body, dict) else None
    if not isinstance(prompts, list) or not 1 <= len(prompts) <= 81:
        return [pydantic_error(["image_prompts"], "List should have at least 1 item and at most 81 items")], []
    problems = []
    anchors: list[tuple[int, bytes]] = []
    for index, entry in enumerate(prompts):
        loc = ["image_prompts", index]
        if not isinstance(entry, dict) or not isinstance(entry.get("image"), str) or not entry["image"]:
            problems.append(pydantic_error([*loc, "image"], "Field required"))
            continue
        pos = entry.get("frame_pos", 0)
        if not isinstance(pos, int) or isinstance(pos, bool) or not 0 <= pos < 81:
            problems.append(pydantic_error([*loc, "frame_pos"], "Input should be between 0 and 80"))
            continue
        try:
            data = base64.b64decode(entry["image"], validate=True)
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except Exception:
            problems.append(
                pydantic_error(
                    [*loc, "image"],
                    "Value error, image could not be decoded to a valid PIL image "
                    "(supported formats: PNG, JPEG, WebP, etc.)",
                )
            )
            continue
        anchors.append((pos, data))
    positions = [pos for pos, _ in anchors]
    if not problems and len(set(positions)) != len(positions):
        dup = next(p for p in positions if positions.count(p) > 1)
        problems.append(
            pydantic_error(
                ["image_prompts"],
                f"Value error, duplicate frame_pos={dup} in image_prompts; each image must target a distinct frame",
            )
        )
    return problems, anchors
