"""The shared flow of HTTP upstreams that make each video as a job: submit, poll, download,
and stop the upstream's work when the studio gives up on it (cancel or timeout).

Subclasses say how to submit and where a job's status and video live (`routes`). The
upstream's job id is remembered in the studio's job, so a restarted studio resumes polling
instead of generating the video again.

A subclass with a `retry` policy retries each exchange itself (OpenAI's SDK policy), and one
with `stop_on_failure` never leaves an upstream job behind: however the studio's job ends
without its video, the upstream job is stopped (and waited for) before `generate` returns, and
a stop that fails is logged and said in the job's error.
"""

from __future__ import annotations

import logging
import threading
import time
from abc import abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import httpx

from videos import metrics
from videos.providers.base import GenerationRequest, JobCancelled, JobContext, Provider, ProviderError, ProviderStatus
from videos.providers.upstream_faults import (
    RetryPolicy,
    UpstreamJobOver,
    sleep_unless_cancelled,
    status_error,
    transport_error,
    with_retries,
)
from videos.providers.upstream_http import (
    RUNNING,
    bounded_request,
    call,
    download_mp4,
    make_client,
    read_json,
    run_cancellable,
    usable_job_id,
    wait_for_job,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpstreamRoutes:
    """Where an upstream is and keeps its jobs: `base_url` comes from the setting `url_setting`
    (named in status messages), `{base_url}{jobs}/{id}` is a job's status, that plus `video` its
    MP4, and `stop` the (method, suffix) that cancels or deletes it."""

    url_setting: str
    jobs: str
    video: str
    stop: tuple[str, str]


class UpstreamJobProvider(Provider):
    keeps_upstream_jobs = True
    what = "The upstream"  # how messages name the upstream
    title = ""  # "The <title> provider is not configured"
    # None: one try per exchange (the runner's VIDEO_MAX_ATTEMPTS retry the whole job); a policy:
    # each exchange (create, poll, download, stop) is retried by it, and the runner does not add more.
    retry: RetryPolicy | None = None
    # False: only a cancel or a timeout stops the upstream job; True: any end without the video does.
    stop_on_failure = False
    routes: ClassVar[UpstreamRoutes]  # each subclass's own

    def __init__(
        self,
        base_url: str,
        token: str = "",
        *,
        timeout: float,
        job_timeout: float = 1800.0,
        poll_interval: float = 2.0,
        concurrency: int = 1,
        ca_bundle: str = "",
        max_bytes: int = 2 * 1024**3,
        warmup_timeout: float = 1800.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.job_timeout = job_timeout
        self.poll_interval = poll_interval
        self._concurrency = max(1, concurrency)
        self.ca_bundle = ca_bundle
        self.max_bytes = max_bytes
        self.warmup_timeout = warmup_timeout
        self._answered = False  # the upstream has answered before: a refused connect is a restart
        self._warming_since: float | None = None  # when a job began waiting on a loading model

    def __repr__(self) -> str:  # keeps the token out of any accidental repr in a log
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def status(self) -> ProviderStatus:
        if not self.base_url:
            return ProviderStatus(False, f"{self.routes.url_setting} is not set")
        if not self.base_url.startswith(("http://", "https://")):
            return ProviderStatus(False, f"{self.routes.url_setting} must start with http:// or https://")
        if self._warming_since is not None:
            waited = time.monotonic() - self._warming_since
            return ProviderStatus(True, f"warming up: the model has been loading for {waited:.0f} s; jobs wait for it")
        return ProviderStatus(True, self.ready_detail())

    def ready_detail(self) -> str:
        return "configured"

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        state = self.status()
        if not state.ready:
            raise ProviderError("not_configured", f"The {self.title} provider is not configured: {state.detail}.")
        with make_client(self.timeout, self.ca_bundle) as client:
            metrics.time_requests(client, self.name)  # submit, polls, download, stop
            job_id = ctx.upstream_id
            fresh = job_id is None
            if job_id is None:
                job_id = self._submit_when_ready(client, request, dest, ctx)
                if job_id is None:  # answered synchronously: the MP4 is already in dest
                    ctx.report(100)
                    return
            if fresh:
                ctx.remember_upstream_id(job_id)
            self.follow(client, job_id, dest, ctx)
        ctx.report(100)

    def follow(
        self,
        client: httpx.Client,
        job_id: str,
        dest: Path,
        ctx: JobContext,
        made: Callable[[], None] | None = None,
        keep: Callable[[Exception], bool] | None = None,
    ) -> None:
        """Wait for the upstream job, then download its video (`made` is called in between: the
        accelerator is free of it). A cancel or a timeout stops the upstream job (any failure does
        with `stop_on_failure`), unless `keep(exc)` says the job is to be left there (resumed or
        given up on by the caller)."""
        try:
            self._wait(client, job_id, ctx)
            if made is not None:
                made()
            self._download(client, job_id, dest, ctx)
        except Exception as exc:  # not HandBack (a BaseException): a stopping studio resumes the job later
            gave_up = isinstance(exc, JobCancelled) or (
                isinstance(exc, ProviderError) and exc.code == "upstream_timeout"
            )
            if (gave_up or self.stop_on_failure) and not (keep is not None and keep(exc)):
                # The accelerator should not finish a video nobody will fetch, and the queue's
                # slot stays held until it has let go of this one.
                self._let_go(client, job_id, exc, ctx)
            raise

    def _wait(self, client: httpx.Client, job_id: str, ctx: JobContext) -> None:
        wait_for_job(
            lambda stop: bounded_request(
                client, "GET", self.job_url(job_id), what=self.what, stop=stop, headers=self.headers()
            ),
            ctx,
            what=self.what,
            job_id=job_id,
            interval=self.poll_interval,
            timeout=self.job_timeout,
            request_timeout=self.timeout,
            retry=self.retry,
            error_for=self.error_for,
            failed=self.failed_error,
            next_delay=self.poll_delay,
            first_delay=self.first_poll_delay(job_id),
        )

    def _download(self, client: httpx.Client, job_id: str, dest: Path, ctx: JobContext) -> None:
        def once() -> None:
            run_cancellable(
                lambda: download_mp4(
                    client,
                    self.download_url(job_id),
                    self.headers(),
                    dest,
                    max_bytes=self.max_bytes,
                    what=self.what,
                    timeout=self.timeout,
                    ctx=ctx,
                    max_seconds=self.job_timeout,
                    error_for=self.error_for,
                ),
                ctx,
            )

        if self.retry is None:
            once()
        else:
            with_retries(once, ctx, self.retry, idempotent=True)

    # --- what subclasses may change ---------------------------------------------------------

    def error_for(self, response: httpx.Response, what: str) -> ProviderError:
        """The ProviderError for an error status the upstream answered."""
        return status_error(response, what)

    def failed_error(self, job: dict) -> ProviderError | None:
        """The ProviderError for a job the upstream reports `failed`; None: the usual one."""
        return None

    def poll_delay(self, response: httpx.Response) -> float | None:
        """Seconds until the next status poll, if the answer says; None: `poll_interval`."""
        return None

    def first_poll_delay(self, job_id: str) -> float | None:
        """Seconds to wait before the first status poll of a job this process just created."""
        return None

    @abstractmethod
    def submit(self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext) -> str | None:
        """Start the video; return the upstream's job id, or None if the MP4 was written to dest."""

    def job_url(self, job_id: str) -> str:
        return f"{self.base_url}{self.routes.jobs}/{job_id}"

    def download_url(self, job_id: str) -> str:
        return self.job_url(job_id) + self.routes.video

    def stop_request(self, job_id: str) -> tuple[str, str]:
        """(method, url) that cancels or deletes the upstream job."""
        method, suffix = self.routes.stop
        return method, self.job_url(job_id) + suffix

    def _submit_when_ready(
        self,
        client: httpx.Client,
        request: GenerationRequest,
        dest: Path,
        ctx: JobContext,
        elsewhere: Callable[[ProviderError], bool] | None = None,
    ) -> str | None:
        """Submit; while the model warms up (405 "not ready", or a refused connection from an
        upstream that answered before: its server restarting) wait and retry, visibly, for up to
        `warmup_timeout` seconds. `elsewhere(exc)`, asked after each failure, may say the job can
        go to another upstream instead: the failure is then raised at once."""
        give_up = time.monotonic() + self.warmup_timeout
        waited = False
        while True:
            try:
                job_id = self._submit_once_or_retried(client, request, dest, ctx)
            except ProviderError as exc:
                restarting = exc.code == "upstream_unreachable" and self._answered
                if exc.upstream_status is not None:
                    self._answered = True
                if elsewhere is not None and elsewhere(exc):
                    raise
                if not (exc.warming_up or restarting):
                    raise
                if time.monotonic() + self.poll_interval > give_up:
                    raise ProviderError(
                        "model_not_ready",
                        f"The model was still not ready after {self.warmup_timeout:g} seconds of waiting. "
                        f"Last answer: {exc.message}",
                        upstream_status=exc.upstream_status,
                    ) from None
                if self._warming_since is None:
                    self._warming_since = time.monotonic()
                ctx.report(None, f"Waiting for the model to warm up, retrying every {self.poll_interval:g} s.")
                sleep_unless_cancelled(self.poll_interval, ctx)
                waited = True
                continue
            self._answered = True
            self._warming_since = None
            if waited:
                ctx.report(None, "")  # the warm-up message no longer holds
            return job_id

    def _submit_once_or_retried(
        self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext
    ) -> str | None:
        def once() -> str | None:
            if not self.stop_on_failure:
                return run_cancellable(lambda: self.submit(client, request, dest, ctx), ctx)
            return self._submit_seen_through(client, request, dest, ctx)

        if self.retry is None:
            return once()
        # A create is not idempotent: a connection that broke after the request went out is not
        # retried (the upstream may have started a job whose id the studio never learnt).
        return with_retries(once, ctx, self.retry, idempotent=False)

    def _submit_seen_through(
        self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext
    ) -> str | None:
        """Submit; a cancel while the request is under way still waits (at most the request
        timeout) for its answer, so a job it started upstream is stopped, not left running."""
        done = threading.Event()
        box: dict[str, str | None] = {}

        def submit() -> str | None:
            try:
                box["id"] = self.submit(client, request, dest, ctx)
                return box["id"]
            finally:
                done.set()

        try:
            return run_cancellable(submit, ctx)
        except JobCancelled as exc:
            if not done.wait(self.timeout):
                log.warning(
                    "%s: cancelled while a create was still under way after %g s; a job it made upstream "
                    "may be left running there",
                    self.name,
                    self.timeout,
                )
            job_id = box.get("id")
            if job_id is not None and usable_job_id(job_id):
                self._let_go(client, job_id, exc, ctx)
            raise

    def _let_go(self, client: httpx.Client, job_id: str, exc: Exception, ctx: JobContext) -> None:
        """Stop an upstream job the studio no longer wants (see `stop`). When that fails it is
        logged, and a `stop_on_failure` provider raises `exc` again saying so."""
        if self.stop(client, job_id):
            if self.stop_on_failure and isinstance(exc, ProviderError):
                exc.retryable = False  # the upstream job is gone: a retry could only poll it in vain
            return
        reason = exc.code if isinstance(exc, ProviderError) else type(exc).__name__
        if isinstance(exc, UpstreamJobOver):  # failed or cancelled upstream: nothing runs on there
            log.warning("%s: could not delete upstream job %s (over: %s)", self.name, job_id, reason)
            return
        log.warning(
            "%s: could not stop upstream job %s after %s; it may still be running there", self.name, job_id, reason
        )
        if not self.stop_on_failure:
            return
        note = f"The upstream job {job_id} may still be running there: its deletion could not be confirmed."
        if isinstance(exc, ProviderError):
            raise ProviderError(exc.code, f"{exc.message} {note}", upstream_status=exc.upstream_status) from None
        if isinstance(exc, JobCancelled):
            ctx.report(None, f"Cancelled. {note}")
            raise JobCancelled(f"Cancelled. {note}") from None

    def stop(self, client: httpx.Client, job_id: str) -> bool:
        """Ask the upstream to stop the job, then wait (at most the request timeout) until it
        reports the job over or gone: the caller's queue slot stays held meanwhile, so the next
        job is not sent while the upstream is still busy with this one. True once the job is
        over or gone (or its deletion acknowledged, when the upstream cannot be asked after);
        False when that could not be seen (no answer, an error status, still at work when the
        time ran out). Never raises."""
        method, url = self.stop_request(job_id)
        deadline = time.monotonic() + self.timeout

        def once(method: str, url: str) -> httpx.Response:
            try:
                response = call(
                    lambda stop: bounded_request(
                        client, method, url, what=self.what, stop=stop, headers=self.headers()
                    ),
                    None,  # the job is already cancelled or given up: only the deadline ends the wait
                    deadline=deadline,
                )
            except httpx.HTTPError as exc:
                raise transport_error(exc, self.what, self.timeout) from None
            if self.retry is not None and response.status_code >= 400 and self.retry.should_retry(response):
                raise self.error_for(response, self.what)
            return response

        def exchange(method: str, url: str) -> httpx.Response:
            if self.retry is None:
                return once(method, url)
            return with_retries(lambda: once(method, url), None, self.retry, idempotent=True, deadline=deadline)

        acknowledged = False  # the upstream said it deleted the job (OpenAI's {"deleted": true})
        try:
            response = exchange(method, url)
            while True:
                if response.status_code == 404:
                    return True  # gone
                if response.status_code not in (200, 202):
                    return acknowledged
                answer = read_json(response, self.what)
                status = str(answer.get("status", "")).lower()
                if status in RUNNING:
                    pause = self.poll_interval
                elif answer.get("deleted") is True and not status and not acknowledged:
                    acknowledged, pause = True, 0.0  # look at once whether it is gone
                else:
                    return True  # cancelled, deleted, or finished anyway
                if time.monotonic() >= deadline:
                    return False  # still at work when the time ran out
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                response = exchange("GET", self.job_url(job_id))
        except (httpx.HTTPError, ProviderError):
            return acknowledged  # no readable answer: an acknowledged deletion is all there is to go by
