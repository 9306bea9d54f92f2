"""Tenstorrent's Wan 2.2 cloud endpoint and tt-media-server (the seed's upstream).

The endpoint answers in one of two ways: `200 video/mp4` (the seed's synchronous form), or
`202` with a JSON job that is polled at `{url}/{id}` and fetched from `{url}/{id}/download`.
The token goes in the Authorization header to this URL only, and is never logged.
"""
from __future__ import annotations

from pathlib import Path

import httpx

from .base import Capabilities, GenerationRequest, JobCancelled, JobContext, Provider, ProviderError, ProviderStatus
from .http_common import download_mp4, make_client, read_json, run_cancellable, status_error, stream_mp4_to_file, transport_error, usable_job_id, wait_for_job

WHAT = "The cloud video endpoint"


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
                    job = read_json(response, WHAT)
                    if not usable_job_id(job.get("id")):
                        raise ProviderError(
                            "upstream_error",
                            f"{WHAT} answered HTTP {response.status_code} JSON without a usable job id.",
                            upstream_status=response.status_code,
                        )
                    return job["id"]
                if response.status_code != 200:
                    raise status_error(response, WHAT)
                stream_mp4_to_file(response, dest, self.max_bytes, WHAT, ctx, self.job_timeout)
                return None
        except httpx.HTTPError as exc:
            raise transport_error(exc, WHAT, self.timeout) from None

    def _wait(self, client: httpx.Client, job_id: str, ctx: JobContext) -> None:
        try:
            wait_for_job(
                lambda: client.get(f"{self.url}/{job_id}", headers=self._headers()),
                ctx,
                what=WHAT,
                job_id=job_id,
                interval=self.poll_interval,
                timeout=self.job_timeout,
                request_timeout=self.timeout,
            )
        except ProviderError as exc:
            if exc.code == "upstream_timeout":
                self._cancel_upstream(client, job_id)  # stop the accelerator on a job we gave up on
            raise

    def _download(self, client: httpx.Client, job_id: str, dest: Path, ctx: JobContext) -> None:
        download_mp4(
            client, f"{self.url}/{job_id}/download", self._headers(), dest, max_bytes=self.max_bytes, what=WHAT, timeout=self.timeout, ctx=ctx,
            max_seconds=self.job_timeout,
        )

    def _cancel_upstream(self, client: httpx.Client, job_id: str) -> None:
        """Best effort: stop the accelerator working on a video nobody wants any more."""
        try:
            client.post(f"{self.url}/{job_id}/cancel", headers=self._headers(), timeout=10)
        except httpx.HTTPError:
            pass

