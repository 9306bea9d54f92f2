"""Any server speaking the OpenAI Videos API (`POST /v1/videos`, poll, `GET .../content`).

That includes another Video Studio. Only OpenAI's own fields are sent unless
OPENAI_VIDEO_EXTRA_FIELDS is on (for servers, like this studio, that also take
negative_prompt, num_inference_steps and seed).
"""
from __future__ import annotations

import mimetypes
from pathlib import Path

import httpx

from .base import Capabilities, GenerationRequest, JobCancelled, JobContext, Provider, ProviderError, ProviderStatus
from .http_common import download_mp4, make_client, read_json, run_cancellable, status_error, transport_error, usable_job_id, wait_for_job

WHAT = "The OpenAI-compatible video server"


class OpenAIVideosProvider(Provider):
    name = "openai"
    label = "OpenAI-compatible video API"

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        model: str = "sora-2",
        timeout: float = 60.0,
        job_timeout: float = 1800.0,
        poll_interval: float = 2.0,
        concurrency: int = 1,
        ca_bundle: str = "",
        max_bytes: int = 2 * 1024**3,
        extra_fields: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.model = model
        self.timeout = timeout
        self.job_timeout = job_timeout
        self.poll_interval = poll_interval
        self._concurrency = max(1, concurrency)
        self.ca_bundle = ca_bundle
        self.max_bytes = max_bytes
        self.extra_fields = extra_fields
        # Length is OpenAI's `seconds`, which the server decides by default; size is passed on.
        self.capabilities = Capabilities(
            steps_range=(1, 100), default_steps=12, accepts_size=True, accepts_frames=False, image_to_video=True
        )

    def __repr__(self) -> str:
        return f"OpenAIVideosProvider(base_url={self.base_url!r}, model={self.model!r})"

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def status(self) -> ProviderStatus:
        if not self.base_url:
            return ProviderStatus(False, "OPENAI_VIDEO_BASE_URL is not set")
        if not self.base_url.startswith(("http://", "https://")):
            return ProviderStatus(False, "OPENAI_VIDEO_BASE_URL must start with http:// or https://")
        return ProviderStatus(True, f"configured (model {self.model})")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        state = self.status()
        if not state.ready:
            raise ProviderError("not_configured", f"The OpenAI video provider is not configured: {state.detail}.")
        with make_client(self.timeout, self.ca_bundle) as client:
            video_id = ctx.upstream_id
            if video_id is None:
                video_id = run_cancellable(lambda: self._submit(client, request), ctx)
                ctx.remember_upstream_id(video_id)
            try:
                wait_for_job(
                    lambda: client.get(f"{self.base_url}/videos/{video_id}", headers=self._headers()),
                    ctx,
                    what=WHAT,
                    job_id=video_id,
                    interval=self.poll_interval,
                    timeout=self.job_timeout,
                    request_timeout=self.timeout,
                )
                run_cancellable(lambda: self._download(client, video_id, dest, ctx), ctx)
            except (JobCancelled, ProviderError) as exc:
                if isinstance(exc, JobCancelled) or exc.code == "upstream_timeout":
                    self._delete(client, video_id)
                raise
        ctx.report(100)

    def _submit(self, client: httpx.Client, request: GenerationRequest) -> str:
        fields: dict[str, str] = {"prompt": request.prompt, "model": self.model}
        if request.width and request.height:
            fields["size"] = f"{request.width}x{request.height}"
        if self.extra_fields:
            fields.update(
                negative_prompt=request.negative_prompt,
                num_inference_steps=str(request.num_inference_steps),
                seed=str(request.seed),
            )
        files = None
        if request.image_path is not None:
            ctype = mimetypes.guess_type(request.image_path.name)[0] or "application/octet-stream"
            files = {"input_reference": (request.image_path.name, request.image_path.read_bytes(), ctype)}
        try:
            # Form fields, with the image as a multipart file when there is one (as OpenAI documents).
            response = client.post(f"{self.base_url}/videos", data=fields, files=files, headers=self._headers())
        except httpx.HTTPError as exc:
            raise transport_error(exc, WHAT, self.timeout) from None
        if response.status_code not in (200, 201, 202):
            raise status_error(response, WHAT)
        video = read_json(response, WHAT)
        if not usable_job_id(video.get("id")):
            raise ProviderError("upstream_error", f"{WHAT} answered without a usable video id.", upstream_status=response.status_code)
        return video["id"]

    def _download(self, client: httpx.Client, video_id: str, dest: Path, ctx: JobContext) -> None:
        download_mp4(
            client, f"{self.base_url}/videos/{video_id}/content", self._headers(), dest, max_bytes=self.max_bytes, what=WHAT, timeout=self.timeout, ctx=ctx,
            max_seconds=self.job_timeout,
        )

    def _delete(self, client: httpx.Client, video_id: str) -> None:
        """OpenAI has no cancel; deleting the video stops it where the server supports that."""
        try:
            client.delete(f"{self.base_url}/videos/{video_id}", headers=self._headers(), timeout=10)
        except httpx.HTTPError:
            pass
