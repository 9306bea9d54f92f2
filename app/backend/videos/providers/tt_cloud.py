"""Tenstorrent's Wan 2.2 cloud endpoint and tt-media-server (the seed's upstream).

The endpoint answers in one of two ways: `200 video/mp4` (the seed's synchronous form), or
`202` with a JSON job that is polled at `{url}/{id}` and fetched from `{url}/{id}/download`.
The token goes in the Authorization header to this URL only, and is never logged.

With an image (a reference image, or the last frame of a clip being extended) the job goes to
tt-media-server's image-to-video route, `{url}/i2v`, with the image as its first frame
(`image_prompts: [{image: <base64>, frame_pos: 0}]`); it is polled and fetched the same way.
"""

from __future__ import annotations

import base64
from pathlib import Path

import httpx

from videos.providers.base import Capabilities, GenerationRequest, JobContext, ProviderError
from videos.providers.upstream_http import read_json, status_error, stream_mp4_to_file, transport_error, usable_job_id
from videos.providers.upstream_job import UpstreamJobProvider

WHAT = "The cloud video endpoint"


class TTCloudProvider(UpstreamJobProvider):
    name = "tt-cloud"
    label = "Wan 2.2 (Tenstorrent cloud / tt-media-server)"
    what = WHAT
    url_setting = "CLOUD_VIDEO_GENERATION_URL"
    title = "cloud video"

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        timeout: float = 180.0,
        steps_range: tuple[int, int] = (4, 50),
        image_to_video: bool = False,
        **options: object,
    ) -> None:
        super().__init__(url, token, timeout=timeout, **options)  # type: ignore[arg-type]
        # The upstream decides size and length; it accepts only these four fields. The defaults
        # are what tt-media-server's Wan 2.2 makes (720p, 81 frames at 16 fps), shown on a job until
        # its video is measured.
        self.capabilities = Capabilities(
            steps_range=steps_range,
            default_steps=12,
            default_size=(1280, 720),
            default_seconds=5,
            accepts_size=False,
            accepts_frames=False,
            image_to_video=image_to_video,
        )

    def submit(self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext) -> str | None:
        body: dict[str, object] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "num_inference_steps": request.num_inference_steps,
            "seed": request.seed,
        }
        url = self.base_url
        if request.image_path is not None:
            url = f"{self.base_url}/i2v"
            image = base64.b64encode(request.image_path.read_bytes()).decode("ascii")
            body["image_prompts"] = [{"image": image, "frame_pos": 0}]
        try:
            with client.stream("POST", url, json=body, headers=self.headers()) as response:
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

    def job_url(self, job_id: str) -> str:
        return f"{self.base_url}/{job_id}"

    def download_url(self, job_id: str) -> str:
        return f"{self.base_url}/{job_id}/download"

    def stop_request(self, job_id: str) -> tuple[str, str]:
        return "POST", f"{self.base_url}/{job_id}/cancel"
