"""Tenstorrent's Wan 2.2 cloud endpoint and tt-media-server (the seed's upstream).

The endpoint answers in one of two ways: `200 video/mp4` (the seed's synchronous form), or
`202` with a JSON job that is polled at `{url}/{id}` and fetched from `{url}/{id}/download`.
The token goes in the Authorization header to this URL only, and is never logged.

With an image (a reference image, or the last frame of a clip being extended) the job goes to
tt-media-server's image-to-video route, `{url}/i2v`, with the image as its first frame
(`image_prompts: [{image: <base64>, frame_pos: 0}]`, and a last-frame image at `last_frame_pos`);
it is polled and fetched the same way. `modes` says what the upstream makes (t2v, i2v, both: it
does not advertise it). With `aspect_ratios` / `durations` set, a request's size and seconds go
as tt-media-server's `aspect_ratio` and `duration_seconds`. A 422 (the upstream's validation)
fails the job with the upstream's own reasons.
"""

from __future__ import annotations

import base64
import json
from math import gcd
from pathlib import Path

import httpx

from videos.providers.base import Capabilities, GenerationRequest, JobContext, ProviderError
from videos.providers.upstream_faults import body_head, status_error, transport_error
from videos.providers.upstream_http import read_json, stream_mp4_to_file, usable_job_id
from videos.providers.upstream_job import UpstreamJobProvider, UpstreamRoutes

WHAT = "The cloud video endpoint"
MODES = ("t2v", "i2v", "both")


def ratio_of(width: int, height: int) -> str:
    """'16:9' for 1280x720."""
    d = gcd(width, height)
    return f"{width // d}:{height // d}"


def size_for_ratio(ratio: str) -> tuple[int, int]:
    """The size the studio shows for an aspect ratio: 720 on the short side, multiples of 16."""
    w, h = (int(part) for part in ratio.split(":"))
    if w >= h:
        return round(720 * w / h / 16) * 16, 720
    return 720, round(720 * h / w / 16) * 16


def validation_detail(response: httpx.Response) -> str:
    """FastAPI's 422 detail as one line: a string, or pydantic's [{loc, msg}, ...]."""
    try:
        data = json.loads(body_head(response, 16384) or b"null")
    except (ValueError, RecursionError, httpx.HTTPError):
        data = None
    detail = data.get("detail") if isinstance(data, dict) else None
    if isinstance(detail, list):
        parts = []
        for item in detail[:5]:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}" if loc else str(item.get("msg", "")))
        detail = "; ".join(parts)
    if not isinstance(detail, str) or not detail:
        detail = response.reason_phrase or "Unprocessable Entity"
    return " ".join(detail.split())[:400]


class TTCloudProvider(UpstreamJobProvider):
    name = "tt-cloud"
    label = "Wan 2.2 (Tenstorrent cloud / tt-media-server)"
    runs_on = "tenstorrent"
    typical_time = "2–3 minutes"
    what = WHAT
    title = "cloud video"
    routes = UpstreamRoutes("CLOUD_VIDEO_GENERATION_URL", jobs="", video="/download", stop=("POST", "/cancel"))

    def __init__(
        self,
        url: str,
        token: str = "",
        *,
        timeout: float = 180.0,
        steps_range: tuple[int, int] = (4, 50),
        image_to_video: bool = False,
        modes: str = "",
        last_frame_pos: int = 80,
        aspect_ratios: list[str] | tuple[str, ...] = (),
        durations: list[int] | tuple[int, ...] = (),
        **options: object,
    ) -> None:
        super().__init__(url, token, timeout=timeout, **options)  # type: ignore[arg-type]
        modes = modes or ("both" if image_to_video else "t2v")
        if modes not in MODES:
            raise ValueError(f"modes must be one of {', '.join(MODES)}; got {modes!r}")
        self.modes = modes
        self.last_frame_pos = last_frame_pos
        # aspect_ratio: each served ratio stands for one size in the studio's size field.
        self.ratio_sizes = {size_for_ratio(r): r for r in aspect_ratios}
        self.durations = tuple(durations)
        i2v = modes in ("i2v", "both")
        # Without shape fields the upstream decides size and length. The defaults are what
        # tt-media-server's Wan 2.2 makes (720p, 81 frames at 16 fps), shown on a job until its
        # video is measured.
        self.capabilities = Capabilities(
            steps_range=steps_range,
            default_steps=12,
            default_size=(1280, 720),
            sizes=tuple(self.ratio_sizes) or None,
            default_seconds=5 if not durations or 5 in durations else durations[0],
            seconds_options=self.durations or None,
            accepts_size=bool(self.ratio_sizes),
            accepts_frames=False,
            image_to_video=i2v,
            text_to_video=modes in ("t2v", "both"),
            last_frame=i2v,
        )

    def submit(self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext) -> str | None:
        body: dict[str, object] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "num_inference_steps": request.num_inference_steps,
            "seed": request.seed,
        }
        if request.width and request.height and self.ratio_sizes:
            ratio = self.ratio_sizes.get((request.width, request.height), ratio_of(request.width, request.height))
            if ratio in self.ratio_sizes.values():  # an extend's source size may be none of them
                body["aspect_ratio"] = ratio
        if self.durations and request.seconds and request.operation != "extend":
            body["duration_seconds"] = request.seconds
        url = self.base_url
        anchors = [(request.image_path, 0), (request.last_image_path, self.last_frame_pos)]
        image_prompts = [
            {"image": base64.b64encode(path.read_bytes()).decode("ascii"), "frame_pos": pos}
            for path, pos in anchors
            if path is not None
        ]
        if image_prompts:
            url = f"{self.base_url}/i2v"
            body["image_prompts"] = image_prompts
        try:
            with client.stream("POST", url, json=body, headers=self.headers()) as response:
                if response.status_code == 422:  # the upstream's request validation
                    raise ProviderError(
                        "upstream_rejected",
                        f"{WHAT} refused the request (HTTP 422): {validation_detail(response)}",
                        upstream_status=422,
                    )
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
