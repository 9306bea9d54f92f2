"""The one small interface every upstream kind implements.

A provider turns a GenerationRequest into an MP4 file at a given path. It reports
progress through the JobContext and checks it for cancellation; it never touches the
database or storage itself, so the same provider runs under the in-process worker,
a Celery worker, or the `serve` mode.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

Operation = Literal["generate", "extend", "edit"]


@dataclass(frozen=True)
class VideoParams:
    """A job's parameters, one shape from the checked request to the stored job (VideoJob has a
    column of the same name for each), the provider's request and the API's answer. Adding a
    parameter: a field here, its column (and migration), VideoCreate's field, and the providers
    that use it (docs/architecture.md)."""

    prompt: str
    negative_prompt: str = "low quality"
    num_inference_steps: int = 12
    seed: int = 0
    width: int | None = None  # None: the provider's default size
    height: int | None = None
    num_frames: int | None = None  # None: the provider's default length
    seconds: int | None = None  # the length asked for in whole seconds (OpenAI's `seconds`)
    sound: bool = False  # a soundtrack asked for (capabilities.sound); a model that always makes one still does


@dataclass(frozen=True)
class GenerationRequest(VideoParams):
    """What a provider runs: the parameters, the operation and its input files."""

    image_path: Path | None = None  # reference image for image-to-video (extend: the source's last frame)
    # What the job does: "generate" (text- or image-to-video), "extend" (continue `video_path`;
    # engines without native_extend get the source's last frame as image_path and make only the
    # continuation, which the runner joins to the source), "edit" (video-to-video on `video_path`).
    operation: Operation = "generate"
    video_path: Path | None = None  # the source clip of an extend or an edit
    # An image the clip should end on (image-to-video with a last frame; capabilities.last_frame).
    last_image_path: Path | None = None


@dataclass(frozen=True)
class Capabilities:
    steps_range: tuple[int, int] = (1, 100)
    default_steps: int = 12
    default_size: tuple[int, int] | None = None  # (width, height); None: upstream decides
    sizes: tuple[tuple[int, int], ...] | None = None  # allowed sizes; None: any multiple of 16
    accepts_size: bool = True
    accepts_frames: bool = True
    frames_range: tuple[int, int] = (1, 241)
    image_to_video: bool = False
    text_to_video: bool = True  # False: an image-only deployment (a prompt alone is refused)
    last_frame: bool = False  # takes an image for the clip's last frame as well as (or instead of) its first
    fps: int = 16
    # The clip length when none is asked for, in whole seconds (the API's `seconds`).
    default_seconds: int = 5
    # Lengths the model makes, in seconds; None: any whole number whose frames fit frames_range.
    seconds_options: tuple[int, ...] | None = None
    native_extend: bool = False  # extends a clip itself (writes source + continuation as one MP4)
    video_to_video: bool = False  # can edit a clip (operation "edit")
    sound: bool = False  # makes a soundtrack with the picture (an AAC track in its MP4s)

    @property
    def can_extend(self) -> bool:
        """Natively, or by image-to-video from the source's last frame (joined by the runner)."""
        return self.native_extend or self.image_to_video


@dataclass(frozen=True)
class ProviderStatus:
    ready: bool
    detail: str


class JobCancelled(Exception):
    """Raised inside a provider when the job was cancelled; the runner ends it cleanly."""


class ProviderError(Exception):
    """An upstream or engine failure with a message a person understands.

    `code` is machine-readable (see docs/api.md); `upstream_status` is the HTTP status the
    upstream answered, when there was one. `retryable` marks faults where trying again is
    safe and may succeed (connection refused, 429, 503); `warming_up` marks an upstream whose
    model is still loading.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        upstream_status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        warming_up: bool = False,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.upstream_status = upstream_status
        self.retryable = retryable
        self.retry_after = retry_after
        self.warming_up = warming_up  # the model is loading: the job waits (WARMUP_TIMEOUT) instead of failing


class JobContext(Protocol):
    """What a provider may ask of the job it is running."""

    def report(self, progress: float | None = None, message: str | None = None) -> None:
        """Record progress (0-100) and/or what the job is doing now ("denoising step 3/12")."""

    def cancelled(self) -> bool:
        """True once cancellation was requested (cheap; may be polled often)."""

    def raise_if_cancelled(self) -> None:
        """Raise JobCancelled once cancellation was requested."""

    @property
    def upstream_id(self) -> str | None:
        """The upstream's job id remembered from an earlier attempt (resume after restart)."""

    def remember_upstream_id(self, upstream_id: str) -> None:
        """Persist the upstream's job id so a restarted studio resumes instead of resubmitting."""


@dataclass
class NullContext:
    """A JobContext for running a provider outside the job system (CLI, tests, serve mode)."""

    progress: list[float] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    _upstream_id: str | None = None
    cancel_requested: bool = False

    def report(self, progress: float | None = None, message: str | None = None) -> None:
        if progress is not None:
            self.progress.append(progress)
        if message is not None:
            self.messages.append(message)

    def cancelled(self) -> bool:
        return self.cancel_requested

    def raise_if_cancelled(self) -> None:
        if self.cancelled():
            raise JobCancelled()

    @property
    def upstream_id(self) -> str | None:
        return self._upstream_id

    def remember_upstream_id(self, upstream_id: str) -> None:
        self._upstream_id = upstream_id


class Provider(ABC):
    """One upstream kind. Subclasses set `name`, `label` and `capabilities`."""

    name: str = ""
    label: str = ""
    preview: bool = False  # True only for the procedural "preview, not AI" engine
    output_label: str | None = None  # what its clips say they are, burnt in (the preview's "not AI")
    # It runs jobs on an upstream that keeps them: a stopping studio hands a job back only once
    # the upstream's id is recorded, so the next start resumes it instead of submitting again.
    keeps_upstream_jobs: bool = False
    # Where it runs, for people: Tenstorrent hardware, this machine, or a remote API.
    runs_on: Literal["tenstorrent", "this_machine", "remote"] = "remote"
    # How long a clip usually takes, for people waiting on one ("2-3 minutes"); None: unknown.
    typical_time: str | None = None
    capabilities: Capabilities = Capabilities()

    @property
    def concurrency(self) -> int:
        """How many jobs this upstream runs at once; more wait in the studio's queue."""
        return 1

    def has_room(self) -> bool:
        """Whether a worker may take another job now (several upstreams: one has a free slot)."""
        return True

    def upstreams(self) -> list[dict[str, object]]:
        """Each upstream's name, model, state and load, for the API (never a URL or a token)."""
        return []

    @abstractmethod
    def status(self) -> ProviderStatus:
        """Whether the provider is configured and able to take jobs (cheap, no network)."""

    @abstractmethod
    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        """Write an MP4 for `request` to `dest`, reporting progress through `ctx`."""
