"""Shared pieces for providers that talk HTTP: clients, error mapping, streaming to disk."""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

from studio.redact import redact

from .base import JobCancelled, JobContext, ProviderError

T = TypeVar("T")
CHUNK = 256 * 1024
HTML_TYPES = ("text/html", "application/xhtml")


def make_client(timeout: float, ca_bundle: str = "", connect_timeout: float = 10.0) -> httpx.Client:
    """TLS is verified; a custom CA bundle may be given for private endpoints."""
    verify: str | bool = ca_bundle or True
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
        verify=verify,
        follow_redirects=False,
    )


def short_reason(response: httpx.Response) -> str:
    """A one-line reason from an error answer: the JSON error message, or the status phrase."""
    text = ""
    try:
        data = json.loads(response.read()[:4096] or b"null")
    except (ValueError, httpx.HTTPError):
        data = None
    if isinstance(data, dict):
        err = data.get("error", data.get("detail", data.get("message")))
        if isinstance(err, dict):
            err = err.get("message") or err.get("detail")
        if isinstance(err, str):
            text = err
    if not text:
        text = response.reason_phrase or "error"
    text = " ".join(redact(text).split())
    return text[:200]


def status_error(response: httpx.Response, what: str) -> ProviderError:
    """Map an upstream HTTP error status to a ProviderError a person can act on."""
    status = response.status_code
    reason = short_reason(response)
    if status in (401, 403):
        return ProviderError(
            "upstream_auth",
            f"{what} rejected the credentials (HTTP {status}: {reason}). Check the token setting.",
            upstream_status=status,
        )
    if status == 405:
        return ProviderError(
            "model_not_ready",
            f"{what} says the model is not ready yet (HTTP 405: {reason}). Try again in a few minutes.",
            upstream_status=status,
        )
    if status == 429:
        retry_after = _retry_after(response)
        return ProviderError(
            "upstream_busy",
            f"{what} is busy (HTTP 429: {reason}).",
            upstream_status=status,
            retryable=True,
            retry_after=retry_after,
        )
    if status == 404:
        return ProviderError("upstream_not_found", f"{what} answered HTTP 404: {reason}.", upstream_status=status)
    return ProviderError(
        "upstream_error",
        f"{what} failed (HTTP {status}: {reason}).",
        upstream_status=status,
        retryable=status in (502, 503, 504),
        retry_after=_retry_after(response),
    )


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def transport_error(exc: httpx.HTTPError, what: str, timeout: float) -> ProviderError:
    if isinstance(exc, httpx.TimeoutException):
        return ProviderError(
            "upstream_timeout",
            f"{what} did not answer within {timeout:g} seconds.",
            retryable=isinstance(exc, httpx.ConnectTimeout),
        )
    if isinstance(exc, httpx.ConnectError):
        return ProviderError(
            "upstream_unreachable", f"Could not connect to {what}: {redact(str(exc))[:200]}", retryable=True
        )
    return ProviderError(
        "upstream_error",
        f"The connection to {what} broke: {redact(str(exc))[:200] or type(exc).__name__}",
        retryable=True,
    )


def is_mp4_start(head: bytes) -> bool:
    """ISO-BMFF files start with a box whose type is 'ftyp' (or 'moov'/'mdat'/'free'/'wide')."""
    return len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")


def stream_mp4_to_file(response: httpx.Response, dest: Path, max_bytes: int, what: str, ctx: JobContext) -> int:
    """Write the body to `dest` chunk by chunk, refusing non-MP4 bodies and oversize ones."""
    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype.startswith(HTML_TYPES) or ctype == "application/json":
        raise ProviderError(
            "invalid_video",
            f"{what} answered HTTP {response.status_code} with {ctype}, not an MP4 video.",
            upstream_status=response.status_code,
        )
    length = response.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise ProviderError("video_too_large", f"{what} offered {int(length)} bytes, over the {max_bytes}-byte cap.")
    written = 0
    checked = False
    head = b""
    with open(dest, "wb") as out:
        for chunk in response.iter_bytes(CHUNK):
            if not checked:
                head += chunk
                if len(head) < 8:
                    continue
                if not is_mp4_start(head):
                    raise ProviderError(
                        "invalid_video",
                        f"{what} answered HTTP {response.status_code} with a body that is not an MP4 video.",
                        upstream_status=response.status_code,
                    )
                checked, chunk = True, head
            written += len(chunk)
            if written > max_bytes:
                raise ProviderError("video_too_large", f"{what} sent more than the {max_bytes}-byte cap.")
            out.write(chunk)
            if ctx.cancelled():
                raise JobCancelled()
    if not checked:
        raise ProviderError("invalid_video", f"{what} answered with an empty or tiny body, not an MP4 video.")
    return written


def run_cancellable(fn: Callable[[], T], ctx: JobContext, poll: float = 0.25) -> T:
    """Run a blocking call in a thread so a cancel is noticed while it waits on the network."""
    box: dict[str, object] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, daemon=True, name="upstream-call").start()
    while not done.wait(poll):
        if ctx.cancelled():
            raise JobCancelled()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
