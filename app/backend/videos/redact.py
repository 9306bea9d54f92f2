"""A logging filter that removes configured secrets from every record.

Providers never log tokens on purpose; this is the second line of defence for
exceptions and third-party messages that might quote a header or URL.
"""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

SECRET_SETTINGS = (
    "CLOUD_VIDEO_GENERATION_AUTH_TOKEN",
    "OPENAI_VIDEO_API_KEY",
    "PROMPT_ENHANCER_API_KEY",
    "STUDIO_LINK_KEY",
    "STUDIO_LINK_PREVIOUS_KEY",
    "STUDIO_WEBHOOK_SECRET",
    "DJANGO_SECRET_KEY",
    "STUDIO_API_KEYS",
    "VIDEO_SERVE_TOKEN",
    "STUDIO_METRICS_TOKEN",
    "AWS_SECRET_ACCESS_KEY",
)
URL_SETTINGS = ("CELERY_BROKER_URL", "DATABASE_URL", "PROMPT_ENHANCER_URL")  # only their passwords are secret


def secret_values() -> list[str]:
    values = []
    for name in SECRET_SETTINGS:
        for part in os.environ.get(name, "").split(","):
            part = part.strip()
            if name == "STUDIO_API_KEYS":
                part = part.partition(":")[2]  # user:key -> key
            if len(part) >= 4:
                values.append(part)
    for name in URL_SETTINGS:
        password = urlsplit(os.environ.get(name, "")).password
        if password and len(password) >= 4:
            values.append(password)
    return values


def redact(text: str) -> str:
    for value in secret_values():
        text = text.replace(value, "[redacted]")
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
