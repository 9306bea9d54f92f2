"""One tt-media-server (or the seed's cloud endpoint) of the tt-cloud fleet: how a job is sent
there and followed. The shared submit / poll / download / stop flow is `upstream_job.py`.

The endpoint answers in one of two ways: `200 video/mp4` (the seed's synchronous form), or
`202` with a JSON job that is polled at `{url}/{id}` and fetched from `{url}/{id}/download`.
The token goes in the Authorization header to this URL (and its server's /tt-liveness) only,
and is never logged.

With an image (a reference image, or the last frame of a clip being extended) the job goes to
tt-media-server's image-to-video route, `{url}/i2v`, with the image as its first frame
(`image_prompts: [{image: <base64>, frame_pos: 0}]`, and a last-frame image at `last_frame_pos`).
The upstream's profile (discovered from its runner, or configured) says which shape fields it
takes: a request's size goes as `aspect_ratio` and its seconds as `duration_seconds` only to a
runner that serves several; steps are kept within the runner's range. A 422 (the upstream's
validation) fails the job with the upstream's own reasons.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from videos.providers.base import GenerationRequest, JobContext, ProviderError
from videos.providers.fleet.routing import ratio_for_size
from videos.providers.tt_runners import RunnerProfile
from videos.providers.upstream_faults import body_head, status_error, transport_error
from videos.providers.upstream_http import read_json, stream_mp4_to_file, usable_job_id
from videos.providers.upstream_job import UpstreamJobProvider, UpstreamRoutes

WHAT = "The cloud video endpoint"
MIN_POLL = 0.05  # seconds: the fastest a job is polled near its expected end


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


class TTUpstream(UpstreamJobProvider):
    """Talks to one upstream; `profile` is read at each submit (discovery may change it)."""

    name = "tt-cloud"  # its requests are the tt-cloud provider's (metrics, logs)
    what = WHAT
    title = "cloud video"
    routes = UpstreamRoutes("CLOUD_VIDEO_GENERATION_URL", jobs="", video="/download", stop=("POST", "/cancel"))

    def __init__(
        self,
        url: str,
        token: str,
        profile: Callable[[], RunnerProfile],
        *,
        last_frame_pos: int = 80,
        **options: object,
    ) -> None:
        super().__init__(url, token, **options)  # type: ignore[arg-type]
        self.profile = profile
        self.last_frame_pos = last_frame_pos
        self._timing = threading.Lock()
        self._started: dict[str, float] = {}  # job id -> when a poll first found it at work
        self._expected: float | None = None  # seconds a job takes here once at work

    @property
    def token(self) -> str:
        return self._token

    # --- polling near a job's expected end ----------------------------------------------------

    def poll_delay(self, response: httpx.Response) -> float | None:
        """Poll every `poll_interval` until the job nears the time this upstream's jobs take (learnt
        from the ones before it), then four times as often, so a finished video is fetched soon."""
        try:
            job = json.loads(response.content or b"null")
        except (ValueError, RecursionError):
            return None
        if not isinstance(job, dict) or str(job.get("status", "")).lower() != "in_progress":
            return None
        now = time.monotonic()
        with self._timing:
            started = self._started.setdefault(str(job.get("id")), now)
            expected = self._expected
        if expected is None:
            return None
        left = started + expected - now
        if left <= 2 * self.poll_interval:
            return max(MIN_POLL, self.poll_interval / 4)
        return min(self.poll_interval, left - 2 * self.poll_interval)

    def finished(self, job_id: str, completed: bool) -> None:
        """The job ended here: learn how long its generation took (from when it was first seen at
        work), a moving average over this upstream's jobs."""
        with self._timing:
            started = self._started.pop(job_id, None)
            if completed and started is not None:
                took = time.monotonic() - started
                self._expected = took if self._expected is None else 0.7 * self._expected + 0.3 * took

    def body(self, request: GenerationRequest) -> dict[str, object]:
        profile = self.profile()
        low, high = profile.steps_range
        body: dict[str, object] = {
            "prompt": request.prompt,
            "negative_prompt": request.negative_prompt,
            "num_inference_steps": min(max(request.num_inference_steps, low), high),
            "seed": request.seed,
        }
        if request.width and request.height and profile.aspect_ratios:
            ratio = ratio_for_size(profile, request.width, request.height)
            if ratio is not None:  # an extend's source size may be none of them
                body["aspect_ratio"] = ratio
        if profile.durations and request.seconds in profile.durations and request.operation != "extend":
            body["duration_seconds"] = request.seconds
        return body

    def submit(self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext) -> str | None:
        body = self.body(request)
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
