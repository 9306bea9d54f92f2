"""Any server speaking the OpenAI Videos API (`POST /v1/videos`, poll, `GET .../content`).

That includes another Video Studio. Only OpenAI's own fields are sent unless
OPENAI_VIDEO_EXTRA_FIELDS is on (for servers, like this studio, that also take
negative_prompt, num_inference_steps and seed).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

import httpx

from videos.providers.base import Capabilities, GenerationRequest, JobContext, ProviderError
from videos.providers.upstream_http import bounded_request, read_json, status_error, transport_error, usable_job_id
from videos.providers.upstream_job import UpstreamJobProvider

WHAT = "The OpenAI-compatible video server"


class OpenAIVideosProvider(UpstreamJobProvider):
    name = "openai"
    label = "OpenAI-compatible video API"
    what = WHAT
    url_setting = "OPENAI_VIDEO_BASE_URL"
    title = "OpenAI video"

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        model: str = "sora-2",
        timeout: float = 60.0,
        extra_fields: bool = False,
        sizes: str = "720x1280,1280x720,1024x1792,1792x1024",
        seconds: str = "4,8,12",
        **options: object,
    ) -> None:
        super().__init__(base_url, api_key, timeout=timeout, **options)  # type: ignore[arg-type]
        self.model = model
        self.extra_fields = extra_fields
        # Length is OpenAI's `seconds`, which the server decides by default; size is passed on.
        self.capabilities = Capabilities(
            steps_range=(1, 100), default_steps=12, accepts_size=True, accepts_frames=False, image_to_video=True
        )

    def ready_detail(self) -> str:
        return f"configured (model {self.model})"

    def submit(self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext) -> str:
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
            # Read whole but capped: an endless JSON answer must not grow the studio without bound.
            response = bounded_request(
                client, "POST", f"{self.base_url}/videos", what=WHAT, data=fields, files=files, headers=self.headers()
            )
        except httpx.HTTPError as exc:
            raise transport_error(exc, WHAT, self.timeout) from None
        if response.status_code not in (200, 201, 202):
            raise status_error(response, WHAT)
        video = read_json(response, WHAT)
        if not usable_job_id(video.get("id")):
            raise ProviderError(
                "upstream_error", f"{WHAT} answered without a usable video id.", upstream_status=response.status_code
            )
        return video["id"]

    def job_url(self, video_id: str) -> str:
        return f"{self.base_url}/videos/{video_id}"

    def download_url(self, video_id: str) -> str:
        return f"{self.base_url}/videos/{video_id}/content"

    def stop_request(self, video_id: str) -> tuple[str, str]:
        # OpenAI has no cancel; deleting the video stops it where the server supports that.
        return "DELETE", f"{self.base_url}/videos/{video_id}"
