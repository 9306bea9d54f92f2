"""A storyboard request read and checked: the board's model and size, and every shot's fields
exactly as a create's (jobs.request, then jobs.checks against the model), all before anything is
stored or queued, so a bad value is a 400 that names it (`shots[2].seconds`) and queues nothing.

    {"model", "size", "shots": [{"prompt", "seconds", "seed", "join", "crossfade_frames",
                                 "input_reference", "last_frame"}, ...]}
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from videos.errors import InvalidRequest
from videos.files.images import ReferenceImage
from videos.jobs.checks import JobSpec, check_images, validate
from videos.jobs.request import SIZE_PATTERN, parse_create
from videos.providers.registry import all_providers, get_provider

MAX_SHOTS = 32
MAX_CROSSFADE = 64
DEFAULT_CROSSFADE = 8
BOARD_FIELDS = ("model", "size", "num_inference_steps", "negative_prompt", "sound")  # checked once, named as they are
# What a storyboard object shows of a shot beyond its create fields: ignored when a shot list is
# sent back in an update, so a client can post the shots it read.
READ_ONLY = ("index", "video_id", "status", "start_seconds", "reason", "has_input_reference", "has_last_frame")
KEEP = "keep"  # an update's shot that leaves its stored image as it is

Join = Literal["cut", "continue", "crossfade"]
NO_IMAGE_YET = ReferenceImage(b"", "png")  # a continue shot's start image: its predecessor's last frame, later


def _not_bool(value: object) -> object:
    if isinstance(value, bool):  # JSON true is not 1 here
        raise PydanticCustomError("int_type", "must be a whole number")
    return value


Whole = Annotated[int, BeforeValidator(_not_bool)]
WholeOrText = Annotated[int | str, BeforeValidator(_not_bool)]


class StoryboardShotIn(BaseModel):
    """One shot of POST /v1/storyboards (and of `shots` in POST /v1/storyboards/{id})."""

    model_config = ConfigDict(extra="forbid", title="StoryboardShotIn")

    id: str | None = Field(None, max_length=40, description="an existing shot's id (updates only)")
    prompt: str = Field(description="checked as a create's prompt")
    seconds: WholeOrText | None = Field(None, description="whole seconds, as a create's; default: the model's")
    seed: Whole | None = Field(None, description="default: a random seed, stored and shown")
    join: Join | None = Field(None, description="how it joins the shot before it; default cut")
    crossfade_frames: Whole | None = Field(
        None, ge=0, le=MAX_CROSSFADE, description=f"frames blended at a crossfade seam; default {DEFAULT_CROSSFADE}"
    )
    input_reference: str | None = Field(
        None, description="start image: a data URL (data:image/png;base64,...) or base64; not on a continue shot"
    )
    last_frame: str | None = Field(None, description="end image, as input_reference, for models with last_frame")


class StoryboardCreate(BaseModel):
    """POST /v1/storyboards (and what GET /v1/storyboards/{id}?format=board answers)."""

    model_config = ConfigDict(extra="forbid", title="StoryboardCreate")

    model: str | None = Field(None, max_length=40, description="one model for every shot; default: the default")
    size: str | None = Field(None, pattern=SIZE_PATTERN, description="WIDTHxHEIGHT for every shot")
    num_inference_steps: Whole | None = Field(None, description="for every shot; default: the model's")
    negative_prompt: str | None = Field(None, description="for every shot; default: the create's")
    sound: bool | None = Field(
        None, description="every shot asks for a soundtrack (models with capabilities.sound); the film joins it"
    )
    shots: list[StoryboardShotIn] = Field(min_length=1, max_length=MAX_SHOTS)


@dataclass(frozen=True)
class PlannedShot:
    id: str | None
    model: str
    prompt: str
    seconds: int
    seed: int
    join: str
    crossfade_frames: int
    input_reference: ReferenceImage | str | None  # KEEP: the stored one stays (an update)
    last_frame: ReferenceImage | str | None
    frames: int | None  # what the model makes of `seconds`; None when the model decides


@dataclass(frozen=True)
class Plan:
    model: str
    size: str | None
    num_inference_steps: int | None
    negative_prompt: str | None
    shots: list[PlannedShot]
    sound: bool | None = None


def plan_board(body: Mapping[str, Any], *, board: Mapping[str, Any] | None = None) -> Plan:
    """Check a board (a create's body; with `board`, an update's shots on that board's settings).
    InvalidRequest names the first problem."""
    shots = body.get("shots")
    if not isinstance(shots, list) or not shots:
        raise InvalidRequest("shots", "shots must be a list of one or more shots.", "missing")
    if len(shots) > MAX_SHOTS:
        raise InvalidRequest(
            "shots", f"A storyboard has at most {MAX_SHOTS} shots; got {len(shots)}.", "too_many_shots"
        )
    given = dict(body) if board is None else {**board, "shots": [_writable(shot) for shot in shots]}
    try:
        checked = StoryboardCreate.model_validate(given)
    except ValidationError as exc:
        raise _invalid(exc.errors()[0]) from None
    base = {name: getattr(checked, name) for name in BOARD_FIELDS}
    planned = [_shot(number, shot, base, updating=board is not None) for number, shot in enumerate(checked.shots)]
    _check_crossfades(planned)
    return Plan(
        planned[0].model, checked.size, checked.num_inference_steps, checked.negative_prompt, planned, checked.sound
    )


def _writable(shot: object) -> object:
    return {k: v for k, v in shot.items() if k not in READ_ONLY} if isinstance(shot, dict) else shot


def create_fields(base: Mapping[str, Any], prompt: object, seconds: int | str | None, seed: object) -> dict[str, Any]:
    """A shot as a create request's fields (OpenAI's seconds is text)."""
    fields = {name: base.get(name) for name in BOARD_FIELDS}
    return {**fields, "prompt": prompt, "seconds": None if seconds is None else str(seconds), "seed": seed}


def shot_spec(base: Mapping[str, Any], prompt: object, seconds: int, seed: object) -> JobSpec:
    """A stored shot's job, checked again as it is made (its model may have gone away since)."""
    spec, _ = validate(parse_create(create_fields(base, prompt, seconds, seed)))
    return spec


def _shot(number: int, shot: StoryboardShotIn, base: Mapping[str, Any], *, updating: bool) -> PlannedShot:
    where = f"shots[{number}]"
    join = shot.join or "cut"
    if shot.id is not None and not updating:
        raise InvalidRequest(f"{where}.id", "A new storyboard's shots have no id yet; leave id out.", "unknown_field")
    if number == 0 and join != "cut":
        raise InvalidRequest(f"{where}.join", "The first shot has no shot before it to join; its join is cut.")
    image = _image(shot.input_reference, f"{where}.input_reference", updating)
    last = _image(shot.last_frame, f"{where}.last_frame", updating)
    if join == "continue" and image is not None and image != KEEP:
        raise InvalidRequest(
            f"{where}.input_reference",
            "A continue shot starts on the previous shot's last frame; leave input_reference out (or use cut).",
        )
    try:
        request = parse_create(create_fields(base, shot.prompt, shot.seconds, shot.seed))
        spec, reference = validate(request, None if image == KEEP else image, draw_seed=True)
        # An image-only model needs a start image: a continue shot's comes later, a kept one is stored.
        start = NO_IMAGE_YET if join == "continue" or image == KEEP else reference
        ending = check_images(spec.provider, start, None if last == KEEP else last)
    except InvalidRequest as exc:
        if exc.param not in BOARD_FIELDS:  # the board's own fields are named as they are
            exc.param = f"{where}.{exc.param}" if exc.param else where
        raise
    if join == "continue" and not get_provider(spec.provider).capabilities.image_to_video:
        able = [p.name for p in all_providers() if p.capabilities.image_to_video and p.status().ready]
        hint = f"models that can: {', '.join(able)}" if able else "none of the configured models can"
        raise InvalidRequest(
            f"{where}.join",
            f"The {spec.provider} model has no image-to-video, so a shot cannot continue the one before it "
            f"({hint}); its shots join by cut or crossfade.",
            "unsupported",
        )
    frames = spec.params.num_frames  # None when the model decides the length
    crossfade = shot.crossfade_frames
    if join == "crossfade":
        crossfade = DEFAULT_CROSSFADE if crossfade is None else crossfade
        if crossfade < 1:
            raise InvalidRequest(f"{where}.crossfade_frames", f"A crossfade blends 1 to {MAX_CROSSFADE} frames.")
    elif crossfade:
        raise InvalidRequest(f"{where}.crossfade_frames", "crossfade_frames goes with join crossfade.")
    return PlannedShot(
        id=shot.id,
        model=spec.provider,
        prompt=spec.params.prompt,
        seconds=spec.params.seconds or 0,
        seed=spec.params.seed,
        join=join,
        crossfade_frames=crossfade or 0,
        input_reference=KEEP if image == KEEP else reference,
        last_frame=KEEP if last == KEEP else ending,
        frames=frames,
    )


def _image(value: str | None, param: str, updating: bool) -> SimpleUploadedFile | str | None:
    """A data URL or base64 text as an upload the create's image check reads; an update's
    missing image keeps the stored one (KEEP), an empty string removes it (None)."""
    if value is None:
        return KEEP if updating else None
    text = value.strip()
    if not text:
        return None
    if text.startswith("data:"):
        header, comma, text = text.partition(",")
        if not comma or not header.endswith(";base64"):
            raise InvalidRequest(param, f"{param} must be a base64 data URL (data:image/png;base64,...) or base64.")
    if len(text) > settings.VIDEO_MAX_IMAGE_BYTES * 4 // 3 + 4:
        raise InvalidRequest(param, f"{param} is larger than {settings.VIDEO_MAX_IMAGE_BYTES // 1024**2} MB.")
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(param, f"{param} is not valid base64.") from None
    return SimpleUploadedFile("image", data)


def _check_crossfades(shots: list[PlannedShot]) -> None:
    """Each shot has the frames its seams take (a continue's first, crossfades in and out)."""
    for number, shot in enumerate(shots):
        following = shots[number + 1] if number + 1 < len(shots) else None
        out = following.crossfade_frames if following is not None and following.join == "crossfade" else 0
        needed = shot.crossfade_frames + out + (shot.join == "continue")
        if shot.frames is not None and needed > shot.frames:
            raise InvalidRequest(
                f"shots[{number + 1 if out else number}].crossfade_frames",
                f"Shot {number + 1} has {shot.frames} frames; its seams need {needed}: make it longer or the "
                "crossfades shorter.",
            )


def _invalid(error: Any) -> InvalidRequest:
    """Pydantic's first complaint as a 400 naming its field (`shots[2].join`)."""
    loc = [part for part in error.get("loc") or () if not isinstance(part, str) or part not in ("int", "str")]
    param = ""
    for part in loc:
        param += f"[{part}]" if isinstance(part, int) else (f".{part}" if param else str(part))
    if error["type"] == "extra_forbidden":
        return InvalidRequest(param or None, f"Unknown field {param[:60]!r}.", "unknown_field")
    if error["type"] == "missing":
        return InvalidRequest(param or None, f"{param} must not be empty.", "missing")
    return InvalidRequest(param or None, f"{param}: {error.get('msg', 'invalid value')}." if param else "Invalid.")
