"""Shared pieces for providers that talk HTTP: clients, job polling, streaming to disk. How
failures become ProviderErrors and how an exchange is retried: `upstream_faults.py`."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

from videos.providers.base import JobCancelled, JobContext, ProviderError
from videos.providers.upstream_faults import (
    CONNECT_TIMEOUT,
    RetryPolicy,
    TransportFault,
    UpstreamJobOver,
    sleep_unless_cancelled,
    status_error,
    transport_error,
    with_retries,
)
from videos.redact import redact

T = TypeVar("T")
CHUNK = 256 * 1024
HTML_TYPES = ("text/html", "application/xhtml")
JOB_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,199}")
JSON_MAX_BYTES = 1024 * 1024  # a job's status is a few hundred bytes; anything near this is hostile
CANCEL_POLL = 0.25  # seconds between checks for a cancel or a deadline while a call is in flight


class _Stopped(Exception):
    """Ends a call's worker thread after its caller gave up on it (cancel or deadline)."""


def usable_job_id(value: object) -> bool:
    """An upstream's job id goes into our URLs ({url}/{id}/download) with the token: no '/',
    '..', '?' or '#' that would send those requests somewhere else."""
    return isinstance(value, str) and JOB_ID_RE.fullmatch(value) is not None and ".." not in value


def make_client(timeout: float, ca_bundle: str = "", connect_timeout: float = CONNECT_TIMEOUT) -> httpx.Client:
    """TLS is verified; a custom CA bundle may be given for private endpoints."""
    verify: str | bool = ca_bundle or True
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
        verify=verify,
        follow_redirects=False,
    )


def is_mp4_start(head: bytes) -> bool:
    """ISO-BMFF files start with a box whose type is 'ftyp' (or 'moov'/'mdat'/'free'/'wide')."""
    return len(head) >= 8 and head[4:8] in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")


def stream_mp4_to_file(
    response: httpx.Response, dest: Path, max_bytes: int, what: str, ctx: JobContext, max_seconds: float = 1800.0
) -> int:
    """Write the body to `dest` chunk by chunk, refusing non-MP4 bodies, oversize ones, and
    bodies that trickle on past `max_seconds` (the read timeout only bounds each gap)."""
    deadline = time.monotonic() + max_seconds
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
            if time.monotonic() > deadline:
                raise ProviderError(
                    "upstream_timeout", f"{what} was still sending the video after {max_seconds:g} seconds."
                )
    if not checked:
        raise ProviderError("invalid_video", f"{what} answered with an empty or tiny body, not an MP4 video.")
    return written


def download_mp4(
    client: httpx.Client,
    url: str,
    headers: dict[str, str],
    dest: Path,
    *,
    max_bytes: int,
    what: str,
    timeout: float,
    ctx: JobContext,
    max_seconds: float = 1800.0,
    error_for: Callable[[httpx.Response, str], ProviderError] = status_error,
) -> None:
    """GET a finished video and stream it to `dest`, mapping every failure to a ProviderError
    (an error status through `error_for`)."""
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code != 200:
                raise error_for(response, what)
            stream_mp4_to_file(response, dest, max_bytes, what, ctx, max_seconds)
    except httpx.HTTPError as exc:
        raise transport_error(exc, what, timeout) from None


def run_cancellable(fn: Callable[[], T], ctx: JobContext, poll: float = CANCEL_POLL) -> T:
    """Run a blocking call in a thread so a cancel is noticed while it waits on the network."""
    return call(lambda stop: fn(), ctx, poll=poll)


def call(
    fn: Callable[[threading.Event], T],
    ctx: JobContext | None,
    *,
    deadline: float = float("inf"),
    on_deadline: Callable[[], ProviderError] | None = None,
    poll: float = CANCEL_POLL,
) -> T:
    """Run one upstream exchange in a thread, so a cancel or the deadline ends the wait within
    `poll` seconds however the upstream dribbles; `fn` gets an event that is set once the
    caller has given up, and should check it between reads (see `bounded_request`)."""
    box: dict[str, object] = {}
    done = threading.Event()
    stop = threading.Event()

    def target() -> None:
        try:
            box["value"] = fn(stop)
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            done.set()

    threading.Thread(target=target, daemon=True, name="upstream-call").start()
    while not done.wait(max(0.0, min(poll, deadline - time.monotonic()))):
        if ctx is not None and ctx.cancelled():
            stop.set()
            raise JobCancelled()
        if time.monotonic() >= deadline:
            stop.set()
            raise (on_deadline() if on_deadline else ProviderError("upstream_timeout", "The upstream timed out."))
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def read_capped(
    response: httpx.Response, what: str, max_bytes: int = JSON_MAX_BYTES, stop: threading.Event | None = None
) -> bytes:
    """The body of a JSON answer, refusing more than `max_bytes` (an endless status answer once
    grew the studio by a gigabyte) and ending early once the caller gave up."""
    try:
        body = response.content  # already read: a request that was not streamed
    except httpx.ResponseNotRead:
        buf = bytearray()
        for chunk in response.iter_bytes():
            buf += chunk
            if len(buf) > max_bytes:
                break
            if stop is not None and stop.is_set():
                raise _Stopped() from None
        body = bytes(buf)
    if len(body) > max_bytes:
        raise ProviderError(
            "upstream_error",
            f"{what} sent a status answer over the {max(1, max_bytes // 1024**2)} MiB cap "
            f"(HTTP {response.status_code}).",
            upstream_status=response.status_code,
        )
    return body


def bounded_request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    what: str,
    stop: threading.Event | None = None,
    max_bytes: int = JSON_MAX_BYTES,
    **kwargs: object,
) -> httpx.Response:
    """One request whose answer is read whole but at most `max_bytes` of it: an httpx.Response
    with the body already in it (status_error and read_json work on it as usual)."""
    with client.stream(method, url, **kwargs) as response:  # type: ignore[arg-type]
        body = read_capped(response, what, max_bytes, stop)
        return httpx.Response(response.status_code, headers=response.headers, content=body, request=response.request)


RUNNING = {"queued", "in_progress", "cancelling", "pending", "running", "processing"}


def wait_for_job(
    fetch: Callable[[threading.Event], httpx.Response],
    ctx: JobContext,
    *,
    what: str,
    job_id: str,
    interval: float,
    timeout: float,
    request_timeout: float,
    retry: RetryPolicy | None = None,
    error_for: Callable[[httpx.Response, str], ProviderError] = status_error,
    failed: Callable[[dict], ProviderError | None] | None = None,
    next_delay: Callable[[httpx.Response], float | None] | None = None,
    first_delay: float | None = None,
) -> None:
    """Poll an upstream job (`{id, status, progress?, error?}`) until it completes.

    Progress is passed on; `failed`, `cancelled`, an unknown id (404) and the deadline become
    ProviderErrors; a few transport blips in a row are tolerated. Each poll runs under `call`
    with a deadline over the whole exchange (a status that trickles in a byte a second never
    trips a read timeout), so the job timeout and a cancel hold however the upstream answers.

    With a `retry` policy each poll is retried as that policy says (transport faults, a poll
    that timed out, and the statuses it retries) and anything else ends the wait; error
    statuses become `error_for(response)`, a failed job `failed(job)` (when it gives one), and `next_delay(answer)`
    (when it gives one) replaces `interval` before the next poll; `first_delay` comes before the
    first.
    """
    deadline = time.monotonic() + timeout

    def job_timeout() -> ProviderError:
        return ProviderError("upstream_timeout", f"{what} did not finish job {job_id} within {timeout:g} seconds.")

    def poll_timeout() -> ProviderError:
        if time.monotonic() >= deadline:
            return job_timeout()
        return TransportFault(
            "upstream_timeout", f"{what} did not answer a status poll within {request_timeout:g} seconds."
        )

    def poll() -> httpx.Response:
        return call(fetch, ctx, deadline=min(deadline, time.monotonic() + request_timeout), on_deadline=poll_timeout)

    def checked_poll() -> httpx.Response:
        """One poll under the retry policy: an answer to read, or a ProviderError."""
        try:
            response = poll()
        except httpx.HTTPError as exc:
            raise transport_error(exc, what, request_timeout) from None
        if response.status_code not in (200, 404):
            raise error_for(response, what)
        return response

    if first_delay:
        sleep_unless_cancelled(min(first_delay, max(0.0, deadline - time.monotonic())), ctx)
    failures = 0
    while True:
        ctx.raise_if_cancelled()
        if retry is not None:
            response = with_retries(checked_poll, ctx, retry, idempotent=True, deadline=deadline)
        else:
            try:
                response = poll()
            except httpx.HTTPError as exc:
                failures += 1
                if failures >= 5:
                    raise transport_error(exc, what, request_timeout) from None
                if time.monotonic() + interval > deadline:
                    raise job_timeout() from None
                sleep_unless_cancelled(interval, ctx)
                continue
            failures = 0
        if response.status_code == 404:
            raise ProviderError(
                "upstream_job_lost",
                f"{what} no longer knows job {job_id} (HTTP 404); it may have restarted.",
                upstream_status=404,
            )
        if response.status_code != 200:
            raise error_for(response, what)
        job = read_json(response, what)
        status = str(job.get("status", "")).lower()
        if status == "completed":
            return
        if status == "failed":
            custom = failed(job) if failed is not None else None
            if custom is not None:
                raise UpstreamJobOver.of(custom)
            error = job.get("error") or {}
            message = error.get("message") if isinstance(error, dict) else str(error)
            raise UpstreamJobOver(
                "upstream_failed",
                f"The model failed to make the video: {redact(str(message or 'no reason given'))[:300]}.",
            )
        if status == "cancelled":
            raise UpstreamJobOver("upstream_cancelled", f"{what} cancelled job {job_id}.")
        if status not in RUNNING:
            raise ProviderError("upstream_error", f"{what} reported an unknown job status {status[:40]!r}.")
        progress = job.get("progress")
        if isinstance(progress, (int, float)) and 0 <= progress <= 100:
            ctx.report(min(float(progress), 99.0))
        if time.monotonic() > deadline:
            raise job_timeout()
        pause = next_delay(response) if next_delay is not None else None
        sleep_unless_cancelled(min(interval if pause is None else pause, max(0.0, deadline - time.monotonic())), ctx)


def read_json(response: httpx.Response, what: str, stop: threading.Event | None = None) -> dict:
    """The answer's JSON object; too big, unparseable (also 100,000 levels deep) or not an
    object is the upstream's fault: `upstream_error`, never the studio's `internal_error`."""
    try:
        data = json.loads(read_capped(response, what, JSON_MAX_BYTES, stop))
    except (ValueError, RecursionError):
        raise ProviderError(
            "upstream_error",
            f"{what} answered invalid JSON (HTTP {response.status_code}).",
            upstream_status=response.status_code,
        ) from None
    if not isinstance(data, dict):
        raise ProviderError("upstream_error", f"{what} answered unexpected JSON.", upstream_status=response.status_code)
    return data
