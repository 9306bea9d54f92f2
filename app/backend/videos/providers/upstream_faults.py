"""How an HTTP upstream's failures become ProviderErrors a person understands, and how an
exchange is retried: status answers, transport faults, Retry-After, the retry policy."""

from __future__ import annotations

import email.utils
import json
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from videos.providers.base import JobCancelled, JobContext, ProviderError
from videos.redact import redact

T = TypeVar("T")
CONNECT_TIMEOUT = 10.0  # seconds; capped by the request timeout


def short_reason(response: httpx.Response) -> str:
    """A one-line reason from an error answer: the JSON error message, or the status phrase."""
    text = ""
    try:
        data = json.loads(body_head(response, 4096) or b"null")
    except (ValueError, RecursionError, httpx.HTTPError):
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


def body_head(response: httpx.Response, size: int) -> bytes:
    """The first `size` bytes of a body, without reading the rest of a streamed one."""
    try:
        return response.content[:size]
    except httpx.ResponseNotRead:
        buf = bytearray()
        for chunk in response.iter_bytes():
            buf += chunk
            if len(buf) >= size:
                break
        return bytes(buf[:size])


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
            # tt-media-server answers 405 "Model is not ready" while it warms up (tens of minutes);
            # a bare 405 (Method Not Allowed: a wrong URL) is not worth waiting for.
            warming_up="not ready" in reason.lower(),
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


class TransportFault(ProviderError):
    """A ProviderError for an exchange that got no (whole) answer: refused, timed out, broken.

    `unsent` marks faults where the request surely never reached the upstream (the connection
    was never made), so even a request that is not idempotent (a create) may be sent again."""

    def __init__(self, code: str, message: str, *, retryable: bool = False, unsent: bool = False) -> None:
        super().__init__(code, message, retryable=retryable)
        self.unsent = unsent

    @classmethod
    def never_sent(cls, code: str, message: str) -> TransportFault:
        """No connection was made: worth another try, even for a request that is not idempotent."""
        return cls(code, message, retryable=True, unsent=True)


class UpstreamJobOver(ProviderError):
    """The upstream itself reports the job failed or cancelled: it is no longer at work on it."""

    @classmethod
    def of(cls, error: ProviderError) -> UpstreamJobOver:
        return cls(error.code, error.message, upstream_status=error.upstream_status, retryable=error.retryable)


def transport_error(exc: httpx.HTTPError, what: str, timeout: float) -> TransportFault:
    if isinstance(exc, httpx.ConnectTimeout):
        # Not "did not answer within <timeout>": connecting gives up sooner (CONNECT_TIMEOUT).
        return TransportFault.never_sent(
            "upstream_timeout", f"{what} did not accept a connection within {min(CONNECT_TIMEOUT, timeout):g} seconds."
        )
    if isinstance(exc, httpx.TimeoutException):
        return TransportFault(
            "upstream_timeout",
            f"{what} did not answer within {timeout:g} seconds.",
            unsent=isinstance(exc, httpx.PoolTimeout),
        )
    inner = what[:1].lower() + what[1:]  # "The cloud..." mid-sentence reads "the cloud..."
    if isinstance(exc, httpx.ConnectError):
        return TransportFault.never_sent(
            "upstream_unreachable", f"Could not connect to {inner}: {redact(str(exc))[:200]}"
        )
    return TransportFault(
        "upstream_error",
        f"The connection to {inner} broke: {redact(str(exc))[:200] or type(exc).__name__}",
        retryable=True,
    )


# --- retries as OpenAI's official SDKs make them ------------------------------------------------


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the upstream asks to wait: `retry-after-ms`, then `retry-after` (seconds or an
    HTTP date), as OpenAI's SDK reads them; None when neither is there or readable."""
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name, ""))
        except ValueError:
            continue
        if math.isfinite(value):
            return value / divisor
    try:
        when = email.utils.parsedate_tz(headers.get("retry-after", ""))
        return None if when is None else float(email.utils.mktime_tz(when) - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class RetryPolicy:
    """The official `openai` SDK's policy: 2 retries of 408, 409, 429, 5xx and connection
    faults, an exponential back-off from 0.5 s capped at 8 s (less up to 25 % jitter), a
    `retry-after-ms` / `retry-after` the upstream sends honoured up to 2 minutes (longer: no
    retry), and `x-should-retry: true|false` obeyed over all of that."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 120.0

    def should_retry(self, response: httpx.Response) -> bool:
        wait = retry_after(response.headers)
        if wait is not None and wait > self.max_retry_after:
            return False
        verdict = response.headers.get("x-should-retry")
        if verdict in ("true", "false"):
            return verdict == "true"
        return response.status_code in (408, 409, 429) or response.status_code >= 500

    def delay(self, retries_taken: int, wait: float | None = None) -> float:
        if wait is not None and 0 < wait <= self.max_retry_after:
            return wait
        backoff = min(self.initial_delay * 2.0 ** min(retries_taken, 30), self.max_delay)
        return backoff * (1 - 0.25 * random.random())


def with_retries(
    attempt: Callable[[], T],
    ctx: JobContext | None,
    policy: RetryPolicy,
    *,
    idempotent: bool,
    deadline: float = float("inf"),
) -> T:
    """Run `attempt` (one exchange, raising ProviderErrors) again while `policy` allows: a
    `retryable` error (the caller's mapping of statuses says so), or a TransportFault where
    sending again is safe (`idempotent`, or the request never left). Waits end at a cancel
    (JobCancelled) and never run past `deadline`. The error that ends the retries is marked
    not retryable: the SDK's retries are spent, a caller should not add its own on top."""
    retries = 0
    while True:
        try:
            return attempt()
        except ProviderError as exc:
            again = (idempotent or exc.unsent) if isinstance(exc, TransportFault) else exc.retryable
            pause = policy.delay(retries, exc.retry_after)
            if not again or retries >= policy.max_retries or time.monotonic() + pause >= deadline:
                exc.retryable = False
                raise
        if ctx is not None:
            sleep_unless_cancelled(pause, ctx)
        else:
            time.sleep(pause)
        retries += 1


def sleep_unless_cancelled(seconds: float, ctx: JobContext) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ctx.cancelled():
            raise JobCancelled()
        time.sleep(min(0.2, max(0.0, end - time.monotonic())))
