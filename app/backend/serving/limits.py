"""Every server limit, defined once: its setting name (None: fixed, no setting), default and meaning.

settings.py reads the settable ones from the environment; granian (serving/server.py), the edge
(serving/edge.py), the request pools (studio/asgi.py), the stream caps and nginx's configuration
(serving/front.py) read them from there; `python3 run.py --help-env` prints this table, and a test
keeps app/.env.default's serving-limits section equal to it. Standard library only: run.py loads
this file before any package is installed.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

MiB = 1024**2


@dataclass(frozen=True)
class Limit:
    name: str  # the setting (or, for a fixed limit, the constant's name)
    default: int | float
    meaning: str
    settable: bool = True


LIMITS: tuple[Limit, ...] = (
    Limit(
        "STUDIO_HEADER_TIMEOUT_SECONDS",
        10.0,
        "Seconds a client has to send its request headers; an idle keep-alive connection is closed after it.",
    ),
    Limit(
        "STUDIO_WRITE_TIMEOUT_SECONDS",
        30.0,
        "Seconds a download or live stream may wait on a client that stopped reading before it is dropped.",
    ),
    Limit(
        "STUDIO_MAX_CONCURRENT_REQUESTS",
        8,
        "Requests the app works on at once; more wait, and past the queue limit get a JSON 503 at once "
        "(/healthz and the seed's endpoint, which waits for its video, never queue).",
    ),
    Limit("STUDIO_MAX_QUEUED_REQUESTS", 1000, "Requests that may wait for one of those slots."),
    Limit(
        "VIDEO_EVENTS_MAX_STREAMS",
        10000,
        "Live status streams (GET /v1/videos/events) open at once, in all (then 429).",
    ),
    Limit("VIDEO_EVENTS_MAX_PER_CLIENT", 20, "Live status streams per user or client address (then 429)."),
    Limit(
        "VIDEO_EVENTS_MAX_SECONDS",
        3600.0,
        "Longest life of one live stream in seconds (the browser reconnects by itself).",
    ),
    Limit(
        "VIDEO_EVENTS_POLL_SECONDS",
        1.0,
        "Seconds between looks for job changes made by other processes (Celery workers); changes made "
        "in the studio's own process reach the streams at once.",
    ),
    Limit("VIDEO_MAX_IMAGE_BYTES", 10 * MiB, "Largest reference image accepted for image-to-video, in bytes."),
    Limit(
        "VIDEO_MAX_SOURCE_BYTES",
        200 * MiB,
        "Largest MP4 an extend (POST /v1/videos/extensions) or an edit may upload, in bytes.",
    ),
    # Fixed: measured choices (docs/hardening.md, docs/performance.md), not settings.
    Limit(
        "SEND_BUFFER_BYTES",
        128 * 1024,
        "Kernel send buffer per connection: fills a LAN link, and 1,000 stalled downloads cannot hold "
        "gigabytes in flight.",
        settable=False,
    ),
    Limit("LISTEN_BACKLOG", 4096, "Connections the kernel holds before they are accepted.", settable=False),
    Limit(
        "WAITING_THREADS",
        32,
        "Threads for requests that wait on something slow (the seed's endpoint and serve mode's sync POSTs "
        "for their video, prompt enhancement for its chat model).",
        settable=False,
    ),
    Limit(
        "GRANTED_AT_ONCE",
        32,
        "File slices sent from a grant at once; past it, requests go through the slots again.",
        settable=False,
    ),
    Limit(
        "NGINX_WORKER_CONNECTIONS", 8192, "Connections each nginx worker holds (STUDIO_FRONT=nginx).", settable=False
    ),
    Limit(
        "BODY_SLACK_BYTES",
        1 * MiB,
        "Room for a form's other fields beside its files, in a request body's limit.",
        settable=False,
    ),
)

BY_NAME = {limit.name: limit for limit in LIMITS}


def default(name: str) -> int | float:
    return BY_NAME[name].default


def request_bytes(image_bytes: int) -> int:
    """The largest request body on most routes: two images' worth plus the form fields."""
    return 2 * image_bytes + int(default("BODY_SLACK_BYTES"))


def clip_request_bytes(image_bytes: int, source_bytes: int) -> int:
    """The largest request body on the routes that upload a source clip (extend, edit)."""
    return max(source_bytes, request_bytes(image_bytes)) + int(default("BODY_SLACK_BYTES"))


def shown(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def help_lines() -> list[str]:
    """The table as `--help-env` prints it."""
    lines = []
    for limit in LIMITS:
        kind = "" if limit.settable else "fixed, "
        lines.append(f"{limit.name}  [{kind}default: {shown(limit.default)}]\n    {limit.meaning}\n")
    return lines


def env_default_section() -> str:
    """The settable limits as app/.env.default writes them (a test keeps the file equal to it)."""
    out = []
    for limit in LIMITS:
        if limit.settable:
            out += [f"# {line}" for line in textwrap.wrap(limit.meaning, 96)]
            out.append(f"{limit.name}={shown(limit.default)}")
    return "\n".join(out) + "\n"
