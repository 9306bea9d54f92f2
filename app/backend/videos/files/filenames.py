"""Download file names made from prompts: ASCII, safe in a Content-Disposition header."""

from __future__ import annotations

from django.utils.text import slugify


def video_filename(prompt: str, fallback: str = "video") -> str:
    stem = slugify(prompt)[:60].strip("-") or fallback
    return f"{stem}.mp4"
