"""The create request, described once: the API's body schema (and so its OpenAPI document
and the page's generated types), and the first check of every way a job is made (the API,
the seed's endpoint, serve mode, the CLI). What depends on the chosen model (its sizes,
lengths and step range) is checked afterwards by the service, against its capabilities.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from videos.errors import InvalidRequest

MAX_PROMPT = 2000
MAX_SEED = 2**32 - 1
DEFAULT_NEGATIVE = "low quality"  # the seed's default
SIZE_PATTERN = r"^\d{2,4}x\d{2,4}$"
FIELD_HINTS = {
    "size": "size must look like 832x480 (width x height).",
    "seconds": 'seconds must be a whole number of seconds, e.g. "8".',
}


def _text(value: object) -> object:
    """Trimmed text without control characters (tabs and newlines are fine)."""
    if not isinstance(value, str):
        return value  # pydantic reports the type
    # Checked as sent, before trimming: the published limit is on what the client sends, and
    # str.strip() would also drop control characters (\x1c-\x1f count as whitespace).
    if len(value) > MAX_PROMPT:
        raise PydanticCustomError("string_too_long", "at most {max_length} characters", {"max_length": MAX_PROMPT})
    text = value.strip(" \t\n\r")  # a form's trailing newline is no control character
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise PydanticCustomError("control_characters", "contains control characters")
    return text.strip()


def _whole_number(value: object) -> object:
    if isinstance(value, bool):  # JSON true is not 1 here
        raise PydanticCustomError("int_type", "must be a whole number")
    return value


def _flag(value: object) -> object:
    """JSON true/false, or a form's "true"/"false": not 0/1, which JSON's boolean is not."""
    if isinstance(value, bool) or (isinstance(value, str) and value.strip().lower() in ("true", "false")):
        return value
    raise PydanticCustomError("bool_type", "must be true or false")


Text = Annotated[str, Field(max_length=MAX_PROMPT), BeforeValidator(_text)]
Flag = Annotated[bool, BeforeValidator(_flag)]
MAX_VARIATIONS = 8
STEPS, SEEDS, FRAMES, VARIATIONS = (1, 100), (0, MAX_SEED), (1, 481), (1, MAX_VARIATIONS)
BOUNDS = {"num_inference_steps": STEPS, "seed": SEEDS, "num_frames": FRAMES, "n": VARIATIONS}  # for the messages
Steps = Annotated[int, Field(ge=STEPS[0], le=STEPS[1]), BeforeValidator(_whole_number)]
Seed = Annotated[int, Field(ge=SEEDS[0], le=SEEDS[1]), BeforeValidator(_whole_number)]
Frames = Annotated[int, Field(ge=FRAMES[0], le=FRAMES[1]), BeforeValidator(_whole_number)]
Variations = Annotated[int, Field(ge=VARIATIONS[0], le=VARIATIONS[1]), BeforeValidator(_whole_number)]


class VideoCreate(BaseModel):
    """POST /v1/videos. Values left out (or null) take the model's defaults."""

    model_config = ConfigDict(extra="forbid", title="VideoCreate")

    prompt: Annotated[Text, Field(min_length=1, description="What the video shows.")]
    model: str | None = Field(
        None, max_length=40, description="A model id from GET /v1/models; default: the studio's default model."
    )
    negative_prompt: Text | None = Field(
        None, description=f"What the video should avoid; default {DEFAULT_NEGATIVE!r}."
    )
    num_inference_steps: Steps | None = Field(None, description="Denoising steps; default: the model's.")
    seed: Seed | None = Field(
        None,
        description="The same seed and settings give the same video; default: a random seed, shown on the video.",
    )
    size: str | None = Field(
        None, pattern=SIZE_PATTERN, examples=["832x480"], description="WIDTHxHEIGHT; default: the model's."
    )
    num_frames: Frames | None = Field(None, description="Frames; default: the model's.")
    seconds: str | None = Field(
        None,
        pattern=r"^\d{1,2}$",
        description="OpenAI's length, in whole seconds; default: the model's (GET /v1/models).",
    )
    n: Variations | None = Field(
        None,
        description=(
            "Studio extension: make this many variations (1-8), each its own job with its own seed "
            "(seed, seed+1, ... when a seed is given), sharing one batch_id."
        ),
    )

    sound: Flag | None = Field(
        None,
        description=(
            "Studio extension: ask for a soundtrack (an AAC track as long as the picture) from a model "
            "whose capabilities say `sound` (the preview engine: a labelled tone); refused by one that "
            "makes none. Left out: the model's default (a model that always makes sound still does); an "
            "extend asks for it when its source has sound."
        ),
    )

    original_prompt: Text | None = Field(
        None,
        description=(
            "Studio extension: the person's own words when `prompt` is an enhanced version of them "
            "(POST /v1/prompts/enhance); stored and shown on the video, so reuse and remix can offer either."
        ),
    )

    @property
    def whole_seconds(self) -> int | None:
        """`seconds` as the number it is everywhere past the wire (OpenAI sends it as a string)."""
        return None if self.seconds is None else int(self.seconds)


def parse_create(data: Mapping[str, Any]) -> VideoCreate:
    """Validate a create body; InvalidRequest names the first problem. None means "left out"."""
    given = {key: value for key, value in data.items() if value is not None}
    try:
        return VideoCreate.model_validate(given)
    except ValidationError as exc:
        raise _invalid(exc.errors()[0]) from None


def _invalid(error: Any) -> InvalidRequest:
    loc = error.get("loc") or ()
    param = str(loc[0]) if loc else None
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        return InvalidRequest(param, f"Unknown field {str(param)[:40]!r}.", "unknown_field")
    if kind in ("missing", "string_too_short", "too_short"):
        return InvalidRequest(param, f"{param} must not be empty.", "missing")
    if kind == "string_type":
        return InvalidRequest(param, f"{param} must be a string.", "invalid_type")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return InvalidRequest(param, f"{param} must be a whole number.", "invalid_type")
    if kind in ("bool_type", "bool_parsing"):
        return InvalidRequest(param, f"{param} must be true or false.", "invalid_type")
    if kind == "control_characters":
        return InvalidRequest(param, f"{param} contains control characters.")
    if kind in ("string_too_long", "too_long"):
        limit = MAX_PROMPT
        return InvalidRequest(param, f"{param} is {len(value)} characters; the limit is {limit}.", "too_long")
    if kind in ("greater_than_equal", "less_than_equal"):
        low, high = BOUNDS[str(param)]
        return InvalidRequest(param, f"{param} must be between {low} and {high}; got {value}.")
    if kind == "string_pattern_mismatch" and param in FIELD_HINTS:
        return InvalidRequest(param, FIELD_HINTS[param])
    return InvalidRequest(param, f"{param}: {error.get('msg', 'invalid value')}." if param else "Invalid request.")
