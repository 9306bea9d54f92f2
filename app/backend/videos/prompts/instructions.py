"""What the chat model is asked: the studio's own instructions for a text-to-video and an
image-to-video prompt, and the messages that carry them with the person's words."""

from __future__ import annotations

from typing import Any, Literal

Mode = Literal["text-to-video", "image-to-video"]
MODES: tuple[Mode, ...] = ("text-to-video", "image-to-video")

# Both keep the person's content whole: the model may only add the director's choices around it.
TEXT_TO_VIDEO = """\
You turn a person's idea for a short AI-generated video into the description a film director \
would hand to the camera crew. The person's prompt is the next message.

Keep everything the person wrote. Every subject, action, place, object, colour, number, name, \
style and quoted text stays, with the same meaning; do not drop, swap, soften or contradict any \
of it, and do not change who does what. Where the person already chose a camera move, a light or \
a style, keep their choice.

Add only what a director decides: the shot size (wide, medium, close-up), where the camera is \
and how it moves (static, pan, tilt, dolly, tracking, handheld, aerial), the lighting (time of \
day, light sources, direction, mood), the colour palette, how the subjects and the scene move \
from the first moment to the last, and the atmosphere. Do not invent new characters, story \
events, dialogue, on-screen text or brands.

Write one paragraph in the present tense, between 60 and 200 words. {language} Answer with \
the description alone: no title, no preamble, no quotation marks, no lists, no notes."""

IMAGE_TO_VIDEO = """\
You write the motion prompt for an image-to-video model. The model already has the first \
frame, a still image, so the prompt only has to say what moves and what the camera does. The \
person's prompt is the next message. {image}

Keep everything the person wrote. Every subject, action, object, colour, number, name and \
quoted text stays, with the same meaning; do not drop, swap or contradict any of it.

Add only motion: what moves, in which direction, how fast and how it changes over the clip; \
the camera's movement, or that it stays still; changes of light. Do not describe the picture \
again and never change it: no new subjects, no other place, style or composition.

Write one paragraph in the present tense, at most 100 words. {language} Answer with the \
prompt alone: no title, no preamble, no quotation marks, no lists, no notes."""

SEES_IMAGE = "The image is attached to it: base the motion on what the image shows."
NO_IMAGE = "You cannot see the image: rely on the person's words alone and do not guess what it shows."

# Small models follow a language's name more reliably than its code.
LANGUAGE_NAMES = {
    "en": "English",
    "zh": "Chinese",
    "zh-cn": "Simplified Chinese",
    "zh-hans": "Simplified Chinese",
    "zh-tw": "Traditional Chinese",
    "zh-hant": "Traditional Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "ru": "Russian",
    "ar": "Arabic",
    "hi": "Hindi",
}


def language_line(language: str | None) -> str:
    if not language:
        return "Write it in the language the person wrote in."
    name = LANGUAGE_NAMES.get(language.strip().lower().replace("_", "-"), language.strip())
    return f"Write it in {name}, translating the person's words where they are in another language."


def system_prompt(mode: Mode, language: str | None = None, *, sees_image: bool = False) -> str:
    if mode == "image-to-video":
        return IMAGE_TO_VIDEO.format(image=SEES_IMAGE if sees_image else NO_IMAGE, language=language_line(language))
    return TEXT_TO_VIDEO.format(language=language_line(language))


def messages(
    prompt: str, mode: Mode, image_url: str | None = None, language: str | None = None
) -> list[dict[str, Any]]:
    """The chat: the instructions as the system message, then the person's prompt (with the
    image as an `image_url` part for a vision model)."""
    user: str | list[dict[str, Any]] = prompt
    if image_url is not None:
        user = [{"type": "text", "text": prompt}, {"type": "image_url", "image_url": {"url": image_url}}]
    return [
        {"role": "system", "content": system_prompt(mode, language, sees_image=image_url is not None)},
        {"role": "user", "content": user},
    ]
