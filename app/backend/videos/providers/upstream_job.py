"""The shared flow of HTTP upstreams that make each video as a job: submit, poll, download,
and stop the upstream's work when the studio gives up on it (cancel or timeout).

Subclasses say how to submit and where a job's status and video live. The upstream's job
id is remembered in the studio's job, so a restarted studio resumes polling instead of
generating the video again.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from pathlib import Path

import httpx

from videos.providers.base import GenerationRequest, JobCancelled, JobContext, Provider, ProviderError, ProviderStatus
from videos.providers.upstream_http import (
    RUNNING,
    bounded_request,
    call,
    download_mp4,
    make_client,
    read_json,
    run_cancellable,
    sleep_unless_cancelled,
    wait_for_job,
)


class UpstreamJobProvider(Provider):
    what = "The upstream"  # how messages name the upstream
    url_setting = ""  # the setting that configures base_url, named in status messages
    title = ""  # "The <title> provider is not configured"

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
            return ProviderStatus(False, f"{self.url_setting} is not set")
        if not self.base_url.startswith(("http://", "https://")):
            return ProviderStatus(False, f"{self.url_setting} must start with http:// or https://")
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
            job_id = ctx.upstream_id
            if job_id is None:
                job_id = self._submit_when_ready(client, request, dest, ctx)
                if job_id is None:  # answered synchronously: the MP4 is already in dest
                    ctx.report(100)
                    return
                ctx.remember_upstream_id(job_id)
            try:
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
                )
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
                    ),
                    ctx,
                )
            except (JobCancelled, ProviderError) as exc:
                if isinstance(exc, JobCancelled) or exc.code == "upstream_timeout":
                    # The accelerator should not finish a video nobody will fetch, and the queue's
                    # slot stays held until it has let go of this one.
                    self.stop(client, job_id)
                raise
        ctx.report(100)

    @abstractmethod
    def submit(self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext) -> str | None:
        """Start the video; return the upstream's job id, or None if the MP4 was written to dest."""

    @abstractmethod
    def job_url(self, job_id: str) -> str: ...

    @abstractmethod
    def download_url(self, job_id: str) -> str: ...

    @abstractmethod
    def stop_request(self, job_id: str) -> tuple[str, str]:
        """(method, url) that cancels or deletes the upstream job."""

    def _submit_when_ready(
        self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext
    ) -> str | None:
        """Submit; while the model warms up (405 "not ready", or a refused connection from an
        upstream that answered before: its server restarting) wait and retry, visibly, for up to
        `warmup_timeout` seconds."""
        give_up = time.monotonic() + self.warmup_timeout
        waited = False
        while True:
            try:
                job_id = run_cancellable(lambda: self.submit(client, request, dest, ctx), ctx)
            except ProviderError as exc:
                restarting = exc.code == "upstream_unreachable" and self._answered
                if exc.upstream_status is not None:
                    self._answered = True
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

    def stop(self, client: httpx.Client, job_id: str) -> None:
        """Ask the upstream to stop the job, then wait (at most the request timeout) until it
        reports the job over: the caller's queue slot stays held meanwhile, so the next job is
        not sent while the upstream is still busy with this one. Best effort."""
        method, url = self.stop_request(job_id)
        deadline = time.monotonic() + self.timeout

        def exchange(method: str, url: str) -> httpx.Response:
            return call(
                lambda stop: bounded_request(client, method, url, what=self.what, stop=stop, headers=self.headers()),
                None,  # the job is already cancelled or given up: only the deadline ends the wait
                deadline=deadline,
            )

        try:
            response = exchange(method, url)
            while response.status_code in (200, 202) and time.monotonic() < deadline:
                if str(read_json(response, self.what).get("status", "")).lower() not in RUNNING:
                    return  # cancelled, or finished anyway
                time.sleep(min(self.poll_interval, max(0.0, deadline - time.monotonic())))
                response = exchange("GET", self.job_url(job_id))
        except (httpx.HTTPError, ProviderError):
            pass  # an answer we cannot read, or no answer in time: nothing more to wait for
