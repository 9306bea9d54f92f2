"""/v1/prompts/enhance: a suggested rewrite of a prompt by the configured chat model
(videos/prompts/), and whether there is one to offer (the page's Enhance button)."""

from __future__ import annotations

import base64
import binascii
import math
import re
from typing import Annotated, Any, Literal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from videos.api.body import json_object
from videos.api.openapi_bodies import json_body
from videos.api.schemas import ErrorOut
from videos.errors import InvalidRequest, error_from
from videos.jobs.checks import checked_image
from videos.jobs.request import MAX_PROMPT, Text
from videos.prompts.enhancer import EnhancerError, configured_model, enhance
from videos.prompts.instructions import Mode

router = Router()
DATA_URL = re.compile(r"data:image/[A-Za-z0-9.+-]+;base64,(.*)", re.S)
MIME = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}
NOT_AN_IMAGE = "image must be a data URL (data:image/png;base64,...) or the base64 of a PNG, JPEG or WebP file."


class PromptEnhanceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", title="PromptEnhanceRequest")

    prompt: Annotated[Text, Field(min_length=1, description="The person's prompt, kept whole in the suggestion.")]
    mode: Mode = Field("text-to-video", description="Which instructions: a scene to film, or motion for an image.")
    image: str | None = Field(
        None,
        description="image-to-video only: the first frame as a data URL or base64 (PNG, JPEG or WebP, the "
        "reference image's limits), sent to a vision model as an image_url part.",
    )
    language: str | None = Field(
        None,
        max_length=40,
        pattern=r"^[A-Za-z][A-Za-z _-]*$",
        description='The suggestion\'s language, e.g. "en", "zh" or "French"; default: the prompt\'s own.',
    )


class PromptEnhancement(Schema):
    object: Literal["prompt.enhancement"]
    original: str = Field(description="the prompt as sent (trimmed)")
    enhanced: str = Field(description="the suggestion, at most 2000 characters; nothing is stored")
    model: str = Field(description="the chat model that answered")
    mode: Mode


class PromptEnhancerState(Schema):
    configured: bool = Field(description="PROMPT_ENHANCER_URL and PROMPT_ENHANCER_MODEL are set")
    model: str | None


@router.get(
    "/prompts/enhance",
    response=PromptEnhancerState,
    summary="Studio extension: whether prompt enhancement is configured, and its model",
)
def enhancer_state(request: HttpRequest) -> dict[str, Any]:
    model = configured_model()
    return {"configured": model is not None, "model": model}


@router.post(
    "/prompts/enhance",
    response={200: PromptEnhancement, 400: ErrorOut, 413: ErrorOut, 502: ErrorOut, 503: ErrorOut, 504: ErrorOut},
    summary="Studio extension: a director's rewrite of a prompt, suggested by the configured chat model",
    openapi_extra=json_body(PromptEnhanceRequest),
)
def enhance_prompt(request: HttpRequest) -> HttpResponse | dict[str, Any]:
    asked = _parse(json_object(request))
    if asked.image is not None and asked.mode != "image-to-video":
        raise InvalidRequest("image", "An image goes with mode image-to-video.", "unsupported")
    image = _image_url(asked.image) if asked.image is not None else None
    try:
        result = enhance(asked.prompt, asked.mode, max_chars=MAX_PROMPT, image_url=image, language=asked.language)
    except EnhancerError as exc:
        response = error_from(exc)
        if exc.retry_after is not None and exc.retry_after > 0:
            response["Retry-After"] = str(math.ceil(exc.retry_after))
        return response
    return {
        "object": "prompt.enhancement",
        "original": asked.prompt,
        "enhanced": result.text,
        "model": result.model,
        "mode": asked.mode,
    }


def _parse(body: dict[str, Any]) -> PromptEnhanceRequest:
    try:
        return PromptEnhanceRequest.model_validate(body)
    except ValidationError as exc:
        error = exc.errors()[0]
        param = str(error["loc"][0]) if error.get("loc") else None
        if error["type"] == "extra_forbidden":
            raise InvalidRequest(param, f"Unknown field {str(param)[:40]!r}.", "unknown_field") from None
        if error["type"] in ("missing", "string_too_short", "too_short"):
            raise InvalidRequest(param, f"{param} must not be empty.", "missing") from None
        if error["type"] == "control_characters":
            raise InvalidRequest(param, f"{param} contains control characters.") from None
        if param == "prompt" and error["type"] in ("string_too_long", "too_long"):
            message = f"prompt is {len(body['prompt'])} characters; the limit is {MAX_PROMPT}."
            raise InvalidRequest(param, message, "too_long") from None
        raise InvalidRequest(param, f"{param}: {error.get('msg', 'invalid value')}.") from None


def _image_url(value: str) -> str:
    """The image as a data URL of the type it really is, checked as a reference image is."""
    match = DATA_URL.fullmatch(value.strip())
    payload = "".join((match.group(1) if match else value).split())
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("image", NOT_AN_IMAGE, "invalid_image") from None
    checked = checked_image("image", SimpleUploadedFile("image", data), True, "", "image")
    return f"data:{MIME[checked.extension]};base64,{base64.b64encode(checked.data).decode()}"
