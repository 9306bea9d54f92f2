"""A server speaking OpenAI's Videos API: create, extend and edit as multipart uploads, then
poll `GET /videos/{id}`, download `GET /videos/{id}/content`, and `DELETE /videos/{id}`.

Requests are what the official `openai` SDK sends: every create is multipart/form-data (also a
text-only one), with OpenAI's fields only unless OPENAI_VIDEO_EXTRA_FIELDS is on (for servers,
like this studio, that also take negative_prompt, num_inference_steps and seed). Each exchange
is retried as the SDK retries (408, 409, 429, 5xx and connection faults, twice, honouring
`retry-after-ms` / `retry-after` / `x-should-retry`); polls wait as `openai-poll-after-ms`
says. An upstream video is never left behind: however the studio's job ends without the video
(failure, cancel, timeout), it is deleted and the job waits until it is gone. The upstream's
error codes (e.g. `moderation_blocked`) are kept in the job's error.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import IO

import httpx

from videos.providers.base import Capabilities, GenerationRequest, JobContext, ProviderError, ProviderStatus
from videos.providers.upstream_faults import RetryPolicy, body_head, retry_after, status_error, transport_error
from videos.providers.upstream_http import bounded_request, read_json, usable_job_id
from videos.providers.upstream_job import UpstreamJobProvider, UpstreamRoutes
from videos.redact import redact

WHAT = "The OpenAI-compatible video server"
DEFAULT_SIZES = "720x1280,1280x720,1024x1792,1792x1024"  # OpenAI's sizes; the first is its default
DEFAULT_SECONDS = "4,8,12"  # OpenAI's lengths; the first is its default
CODE_RE = re.compile(r"[a-z0-9_]{1,40}")
POLL_AFTER_BOUNDS = (0.1, 60.0)  # seconds: what `openai-poll-after-ms` may ask for
RETRY = RetryPolicy()  # the SDK's: 2 retries, 0.5 s doubling to at most 8 s

FilePart = tuple[str, IO[bytes] | bytes, str]  # (filename, content, content type)
Upload = Callable[[], AbstractContextManager[FilePart]]  # opened afresh for each try


def parse_sizes(text: str) -> tuple[tuple[int, int], ...]:
    """Sizes from a setting: "720x1280,1280x720" -> ((720, 1280), (1280, 720)); ValueError if malformed."""
    sizes = []
    for part in text.split(","):
        match = re.fullmatch(r"\s*(\d{2,4})x(\d{2,4})\s*", part)
        if not match:
            raise ValueError(part.strip())
        sizes.append((int(match[1]), int(match[2])))
    return tuple(sizes)


def parse_seconds(text: str) -> tuple[int, ...]:
    """Lengths from a setting: "4,8,12" -> (4, 8, 12); ValueError if malformed."""
    lengths = []
    for part in text.split(","):
        if not re.fullmatch(r"\s*\d{1,2}\s*", part) or int(part) < 1:
            raise ValueError(part.strip())
        lengths.append(int(part))
    return tuple(lengths)


def upstream_code(value: object) -> str | None:
    """An upstream's error code fit to be the job's own (`moderation_blocked`), else None."""
    return value if isinstance(value, str) and CODE_RE.fullmatch(value) else None


def short_text(value: object, limit: int = 300) -> str:
    return " ".join(redact(str(value)).split())[:limit]


class OpenAIVideosProvider(UpstreamJobProvider):
    name = "openai"
    label = "OpenAI-compatible video API"
    what = WHAT
    title = "OpenAI video"
    # OpenAI has no cancel: deleting the video is how its work is given up.
    routes = UpstreamRoutes("OPENAI_VIDEO_BASE_URL", jobs="/videos", video="/content", stop=("DELETE", ""))
    retry = RETRY
    stop_on_failure = True

    def __init__(
        self,
        base_url: str,
        api_key: str = "",
        *,
        model: str = "sora-2",
        timeout: float = 60.0,
        extra_fields: bool = False,
        sizes: str = DEFAULT_SIZES,
        seconds: str = DEFAULT_SECONDS,
        **options: object,
    ) -> None:
        super().__init__(base_url, api_key, timeout=timeout, **options)  # type: ignore[arg-type]
        self.model = model
        self.extra_fields = extra_fields
        self.settings_problem = ""
        try:
            size_options = parse_sizes(sizes)
        except ValueError as exc:
            size_options = parse_sizes(DEFAULT_SIZES)
            self.settings_problem = (
                f"OPENAI_VIDEO_SIZES must be comma-separated WIDTHxHEIGHT sizes such as {DEFAULT_SIZES}; "
                f"{str(exc)[:40]!r} is not one"
            )
        try:
            seconds_options = parse_seconds(seconds)
        except ValueError as exc:
            seconds_options = parse_seconds(DEFAULT_SECONDS)
            self.settings_problem = self.settings_problem or (
                f"OPENAI_VIDEO_SECONDS must be comma-separated whole seconds such as {DEFAULT_SECONDS}; "
                f"{str(exc)[:40]!r} is not one"
            )
        # What the upstream model makes (the first of each is its default): the studio refuses
        # any other size or length before a job is queued.
        self.capabilities = Capabilities(
            steps_range=(1, 100),
            default_steps=12,
            sizes=size_options,
            default_size=size_options[0],
            accepts_size=True,
            accepts_frames=False,
            seconds_options=seconds_options,
            default_seconds=seconds_options[0],
            image_to_video=True,
            native_extend=True,
            video_to_video=True,
        )
        self._poll_after: dict[str, float] = {}  # job id -> the create's `openai-poll-after-ms`
        self._poll_after_lock = threading.Lock()

    def status(self) -> ProviderStatus:
        state = super().status()
        if state.ready and self.settings_problem:
            return ProviderStatus(False, self.settings_problem)
        return state

    def ready_detail(self) -> str:
        return f"configured (model {self.model})"

    # --- create, extend, edit ---------------------------------------------------------------

    def submit(self, client: httpx.Client, request: GenerationRequest, dest: Path, ctx: JobContext) -> str:
        path, fields, uploads = self._form(request)
        with ExitStack() as stack:
            # Each try opens its uploads afresh (a retry sends them whole again); a source clip
            # streams from disk instead of sitting in memory.
            files: list[tuple[str, FilePart | tuple[None, str]]] = [(name, (None, value)) for name, value in fields]
            for name, upload in uploads:
                files.append((name, stack.enter_context(upload())))
            try:
                response = bounded_request(
                    client, "POST", f"{self.base_url}{path}", what=WHAT, files=files, headers=self.headers()
                )
            except httpx.HTTPError as exc:
                raise transport_error(exc, WHAT, self.timeout) from None
        if response.status_code not in (200, 201, 202):
            raise self.error_for(response, WHAT)
        video = read_json(response, WHAT)
        if not usable_job_id(video.get("id")):
            raise ProviderError(
                "upstream_error", f"{WHAT} answered without a usable video id.", upstream_status=response.status_code
            )
        wait = self.poll_delay(response)
        if wait is not None:
            with self._poll_after_lock:
                self._poll_after[video["id"]] = wait
        return video["id"]

    def _form(self, request: GenerationRequest) -> tuple[str, list[tuple[str, str]], list[tuple[str, Upload]]]:
        """(path, text fields, file fields) exactly as the SDK's create, extend and edit send them."""
        if request.operation in ("extend", "edit"):
            if request.video_path is None:
                raise ProviderError("invalid_request", f"An {request.operation} needs the source video.")
            source = request.video_path
            video = ("video", lambda: _file_part(source, "video/mp4"))
            if request.operation == "edit":
                return "/videos/edits", [("prompt", request.prompt)], [video]
            # The extension's own length; OpenAI requires it, so the default goes when none was asked.
            seconds = request.seconds or self.capabilities.default_seconds
            return "/videos/extensions", [("prompt", request.prompt), ("seconds", str(seconds))], [video]
        fields = [("prompt", request.prompt), ("model", self.model)]
        size = (request.width, request.height) if request.width and request.height else None
        uploads: list[tuple[str, Upload]] = []
        if request.image_path is not None:
            # OpenAI wants the reference image at the video's size: fit it (crop to the aspect
            # ratio, then scale), and name the size even when none was asked for.
            size = size or self.capabilities.default_size
            assert size is not None
            image, fit_to = request.image_path, size
            uploads.append(("input_reference", lambda: _fitted_image(image, fit_to)))
        if size is not None:
            fields.append(("size", f"{size[0]}x{size[1]}"))
        if request.seconds is not None:
            fields.append(("seconds", str(request.seconds)))
        if self.extra_fields:
            fields += [
                ("negative_prompt", request.negative_prompt),
                ("num_inference_steps", str(request.num_inference_steps)),
                ("seed", str(request.seed)),
            ]
        return "/videos", fields, uploads

    # --- OpenAI's answers -------------------------------------------------------------------

    def error_for(self, response: httpx.Response, what: str) -> ProviderError:
        """The usual mapping, with OpenAI's error code kept (`{"error": {"code": ...}}` on a 4xx),
        and `retryable` / `retry_after` as the SDK decides them."""
        try:
            head = body_head(response, 4096)
        except httpx.HTTPError:
            head = b""
        answer = httpx.Response(response.status_code, headers=response.headers, content=head, request=response.request)
        usual = status_error(answer, what)
        code = usual.code
        if 400 <= response.status_code < 500:
            try:
                error = answer.json().get("error")
            except (ValueError, AttributeError, RecursionError):
                error = None
            if isinstance(error, dict):
                code = upstream_code(error.get("code")) or code
        return ProviderError(
            code,
            usual.message,
            upstream_status=response.status_code,
            retryable=(self.retry or RETRY).should_retry(response),
            retry_after=retry_after(response.headers),
            warming_up=usual.warming_up,
        )

    def failed_error(self, job: dict) -> ProviderError:
        error = job.get("error")
        code = message = None
        if isinstance(error, dict):
            code, message = upstream_code(error.get("code")), error.get("message")
        elif error:
            message = error
        return ProviderError(
            code or "upstream_failed",
            f"The model failed to make the video: {short_text(message or 'no reason given').rstrip('.')}.",
        )

    def poll_delay(self, response: httpx.Response) -> float | None:
        try:
            wait = float(response.headers.get("openai-poll-after-ms", "")) / 1000
        except ValueError:
            return None
        if wait != wait:  # NaN
            return None
        low, high = POLL_AFTER_BOUNDS
        return min(max(wait, low), high)

    def first_poll_delay(self, job_id: str) -> float | None:
        with self._poll_after_lock:
            return self._poll_after.pop(job_id, None)


@contextmanager
def _file_part(path: Path, ctype: str) -> Iterator[FilePart]:
    with open(path, "rb") as handle:
        yield (path.name, handle, ctype)


@contextmanager
def _fitted_image(path: Path, size: tuple[int, int]) -> Iterator[FilePart]:
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            picture = image.convert("RGB")
    except (OSError, ValueError) as exc:
        raise ProviderError("invalid_request", f"The reference image could not be read: {exc}") from exc
    if picture.size != size:
        picture = ImageOps.fit(picture, size, method=Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    yield ("reference.png", buffer.getvalue(), "image/png")
