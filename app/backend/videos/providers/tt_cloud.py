"""Tenstorrent's Wan 2.2 cloud endpoint and tt-media-server (the seed's upstream).

The endpoint answers in one of two ways: `200 video/mp4` (the seed's synchronous form), or
`202` with a JSON job that is polled at `{url}/{id}` and fetched from `{url}/{id}/download`.
The token goes in the Authorization header to this URL only, and is never logged.
"""
from __future__ import annotations

import time
from pathlib import Path

import httpx

from .base import Capabilities, GenerationRequest, JobCancelled, JobContext, Provider, ProviderError, ProviderStatus
from .http_download import make_client, run_cancellable, status_error, stream_mp4_to_file, transport_error

WHAT = "The cloud video endpoint"
RUNNING = {"queued", "in_progress", "cancelling", "pending", "running", "processing"}


class TTCloudProvider(Provider):
    name = "tt-cloud"
    label = "Wan 2.2 (Tenstorrent cloud / tt-media-server)"

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        timeout: float = 180.0,
        job_timeout: float = 1800.0,
        poll_interval: float = 2.0,
        concurrency: int = 1,
        ca_bundle: str = "",
        max_bytes: int = 2 * 1024**3,
        steps_range: tuple[int, int] = (4, 50),
    ) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.job_timeout = job_timeout
        self.poll_interval = poll_interval
        self._concurrency = max(1, concurrency)
        self.ca_bundle = ca_bundle
        self.max_bytes = max_bytes
        # The upstream decides size and length; it accepts only these four fields.
        self.capabilities = Capabilities(
            steps_range=steps_range, default_steps=12, accepts_size=False, accepts_frames=False
        )

    def __repr__(self) -> str:  # keeps the token out of any accidental repr in a log
        return f"TTCloudProvider(url={self.url!r})"

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def status(self) -> ProviderStatus:
        if not self.url:
            return ProviderStatus(False, "CLOUD_VIDEO_GENERATION_URL is not set")
        if not self.url.startswith(("http://", "https://")):
            return ProviderStatus(False, "CLOUD_VIDEO_GENERATION_URL must start with http:// or https://")
        return ProviderStatus(True, "configured")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        state = self.status()
        if not state.ready:
            raise ProviderError("not_configured", f"The cloud video provider is not configured: {state.detail}.")
        with make_client(self.timeout, self.ca_bundle) as client:
            job_id = ctx.upstream_id
            if job_id is None:
                job_id = run_cancellable(lambda: self._submit(client, request, dest, ctx), ctx)
                if job_id is None:  # the synchronous form: the MP4 is already in dest
                    ctx.report(100)
                    return
                ctx.remember_upstream_id(job_id)
            try:
                self._wait(client, job_id, ctx)
                run_cancellable(lambda: self._download(client, job_id, dest, ctx), ctx)
            except JobCancelled:
                self._cancel_upstream(client, job_id)
                raise
        ctx.report(100)

    def _submit(self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext) -> str | None:
        body = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "num_inference_steps": request.num_inference_steps,
            "seed": request.seed,
        }
        try:
            with client.stream("POST", self.url, json=body, headers=self._headers()) as response:
                ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if response.status_code in (200, 201, 202) and ctype == "application/json":
                    job = _json(response)
                    if not isinstance(job.get("id"), str) or not job["id"]:
                        raise ProviderError(
                            "upstream_error",
                            f"{WHAT} answered HTTP {response.status_code} JSON without a job id.",
                            upstream_status=response.status_code,
                        )
                    return job["id"]
                if response.status_code != 200:
                    raise status_error(response, WHAT)
                stream_mp4_to_file(response, dest, self.max_bytes, WHAT, ctx)
                return None
        except httpx.HTTPError as exc:
            raise transport_error(exc, WHAT, self.timeout) from None

    def _wait(self, client: httpx.Client, job_id: str, ctx: JobContext) -> None:
        deadline = time.monotonic() + self.job_timeout
        failures = 0
        while True:
            ctx.report(None)  # raises JobCancelled when cancelled
            try:
                response = client.get(f"{self.url}/{job_id}", headers=self._headers())
            except httpx.HTTPError as exc:
                failures += 1
                if failures >= 5:  # a blip is retried; a dead upstream is reported
                    raise transport_error(exc, WHAT, self.timeout) from None
                time.sleep(self.poll_interval)
                continue
            failures = 0
            if response.status_code == 404:
                raise ProviderError(
                    "upstream_job_lost",
                    f"{WHAT} no longer knows job {job_id} (HTTP 404); it may have restarted.",
                    upstream_status=404,
                )
            if response.status_code != 200:
                raise status_error(response, WHAT)
            job = _json(response)
            status = str(job.get("status", "")).lower()
            if status == "completed":
                return
            if status == "failed":
                error = job.get("error") or {}
                message = error.get("message") if isinstance(error, dict) else str(error)
                raise ProviderError("upstream_failed", f"The model failed to make the video: {message or 'no reason given'}.")
            if status == "cancelled":
                raise ProviderError("upstream_cancelled", f"{WHAT} cancelled job {job_id}.")
            if status not in RUNNING:
                raise ProviderError("upstream_error", f"{WHAT} reported an unknown job status {status[:40]!r}.")
            progress = job.get("progress")
            if isinstance(progress, (int, float)) and 0 <= progress <= 100:
                ctx.report(min(float(progress), 99.0))
            if time.monotonic() > deadline:
                self._cancel_upstream(client, job_id)
                raise ProviderError(
                    "upstream_timeout", f"{WHAT} did not finish job {job_id} within {self.job_timeout:g} seconds."
                )
            _sleep_unless_cancelled(self.poll_interval, ctx)

    def _download(self, client: httpx.Client, job_id: str, dest: Path, ctx: JobContext) -> None:
        try:
            with client.stream("GET", f"{self.url}/{job_id}/download", headers=self._headers()) as response:
                if response.status_code != 200:
                    raise status_error(response, WHAT)
                stream_mp4_to_file(response, dest, self.max_bytes, WHAT, ctx)
        except httpx.HTTPError as exc:
            raise transport_error(exc, WHAT, self.timeout) from None

    def _cancel_upstream(self, client: httpx.Client, job_id: str) -> None:
        """Best effort: stop the accelerator working on a video nobody wants any more."""
        try:
            client.post(f"{self.url}/{job_id}/cancel", headers=self._headers(), timeout=10)
        except httpx.HTTPError:
            pass


def _json(response: httpx.Response) -> dict:
    try:
        response.read()  # no-op when already read; needed for streamed answers
        data = response.json()
    except ValueError:
        raise ProviderError(
            "upstream_error", f"{WHAT} answered invalid JSON (HTTP {response.status_code}).", upstream_status=response.status_code
        ) from None
    if not isinstance(data, dict):
        raise ProviderError("upstream_error", f"{WHAT} answered unexpected JSON.", upstream_status=response.status_code)
    return data


def _sleep_unless_cancelled(seconds: float, ctx: JobContext) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ctx.cancelled():
            raise JobCancelled()
        time.sleep(min(0.2, max(0.0, end - time.monotonic())))
