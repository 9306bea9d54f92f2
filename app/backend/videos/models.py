"""The one persistent record of a generation, a VideoJob, and RunTimes, what ETAs learn from."""

from __future__ import annotations

import time
import uuid
from contextlib import nullcontext
from dataclasses import fields
from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from videos.providers.base import VideoParams

PARAM_NAMES = tuple(field.name for field in fields(VideoParams))


def new_video_id() -> str:
    return f"video_{uuid.uuid4().hex}"


# Sent when jobs change in this process (a save, an update, a delete). What must hear of it at
# once (estimates read afresh, shared answers forgotten, open event streams woken) is connected
# in VideosConfig.ready, so the model imports none of the layers above it.
jobs_changed = Signal()
# Sent with `ids` when an update moved jobs to a terminal status (completed, failed, cancelled), in
# the process that made the change (a worker, or a request that cancelled a queued job): what
# follows a job's end (a storyboard's next shot) is connected in VideosConfig.ready. `ids` may
# name a job the update did not change after all (its receivers read the job); None: too many to
# name (a bulk update), check them all.
job_ended = Signal()
# Sent like job_ended but inside the update's transaction, before it commits: what must be
# recorded with the end or not at all (webhook deliveries, videos/webhooks/events.py).
job_ending = Signal()
ENDED = ("completed", "failed", "cancelled")
MAX_NAMED_ENDS = 1000


class JobQuerySet(models.QuerySet["VideoJob"]):
    def update(self, **kwargs: Any) -> int:
        ending = kwargs.get("status") in ENDED
        with transaction.atomic() if ending else nullcontext():
            ids = list(self.values_list("id", flat=True)[: MAX_NAMED_ENDS + 1]) if ending else []
            changed = super().update(**kwargs)
            if changed and ending:
                job_ending.send(sender=self.model, ids=ids if len(ids) <= MAX_NAMED_ENDS else None)
        if changed:
            jobs_changed.send(sender=self.model)
            if ending:
                job_ended.send(sender=self.model, ids=ids if len(ids) <= MAX_NAMED_ENDS else None)
        return changed


STARRED = models.Q(favorite=True)


class VideoJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        FAILED = "failed"
        CANCELLED = "cancelled"

    TERMINAL = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

    id = models.CharField(primary_key=True, max_length=40, default=new_video_id, editable=False)
    owner = models.CharField(max_length=150, blank=True, default="")  # indexed with created_at below
    provider = models.CharField(max_length=40)  # indexed with created_at (and status) below
    prompt = models.TextField()
    negative_prompt = models.TextField(blank=True, default="")
    num_inference_steps = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    num_frames = models.PositiveIntegerField(null=True, blank=True)
    reference_image = models.CharField(max_length=255, blank=True, default="")  # storage name
    last_frame_image = models.CharField(max_length=255, blank=True, default="")  # storage name: the clip's last frame
    preview = models.BooleanField(default=False)
    seconds = models.IntegerField(null=True, blank=True)  # OpenAI's `seconds`: the length asked for
    added_seconds = models.PositiveIntegerField(null=True, blank=True)  # an extend's new part (seconds: the total)
    sound = models.BooleanField(default=False)  # a soundtrack asked for (what was made: metadata["audio"])
    # "generate", "extend" (source_video + a continuation) or "edit" (video-to-video on source_video)
    operation = models.CharField(max_length=10, default="generate")
    source_video = models.CharField(max_length=255, blank=True, default="")  # storage name of the clip extended/edited
    remixed_from = models.CharField(max_length=40, blank=True, default="")  # video ids; the source may be gone
    extended_from = models.CharField(max_length=40, blank=True, default="")
    edited_from = models.CharField(max_length=40, blank=True, default="")
    batch_id = models.CharField(max_length=40, blank=True, default="", db_index=True)  # variations made together
    # The person's own words when the prompt sent is an enhanced one (videos/prompts/): reuse and
    # remix can offer either.
    original_prompt = models.TextField(blank=True, default="")
    # Where a queued job stands in its owner's order (videos/queue/order.py): set from the clock
    # when it is made, so first come is first served until someone moves it.
    queue_order = models.FloatField(default=time.time)
    favorite = models.BooleanField(default=False)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    upstream_id = models.CharField(max_length=200, blank=True, default="")
    worker = models.CharField(max_length=120, blank=True, default="")
    error_code = models.CharField(max_length=40, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    status_message = models.CharField(max_length=200, blank=True, default="")  # what a running job is doing

    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    video_file = models.CharField(max_length=255, blank=True, default="")  # storage names
    thumbnail_file = models.CharField(max_length=255, blank=True, default="")
    spritesheet_file = models.CharField(max_length=255, blank=True, default="")
    metadata = models.JSONField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            # A model's queue in run order (videos/queue/order.py): claims and positions walk it.
            models.Index(fields=["provider", "status", "queue_order", "created_at", "id"], name="videojob_queue_order"),
            # The list's order, so a page (any cursor, either direction) is an index walk, not a sort.
            models.Index(fields=["created_at", "id"], name="videojob_created_id"),
            models.Index(fields=["owner", "created_at", "id"], name="videojob_owner_created_id"),
            # The list's filters, each an ordered walk too (with and without an owner): a page of
            # failed or of one model's jobs reads its rows, not every row it skips (or all, sorted).
            models.Index(fields=["status", "created_at", "id"], name="videojob_status_created_id"),
            models.Index(fields=["owner", "status", "created_at", "id"], name="videojob_owner_status_created"),
            models.Index(fields=["provider", "created_at", "id"], name="videojob_model_created_id"),
            models.Index(fields=["owner", "provider", "created_at", "id"], name="videojob_owner_model_created"),
            # Favorites are few: only they are indexed.
            models.Index(fields=["created_at", "id"], condition=STARRED, name="videojob_fav_created_id"),
            models.Index(fields=["owner", "created_at", "id"], condition=STARRED, name="videojob_owner_fav_created"),
        )

    def __str__(self) -> str:
        return f"{self.id} ({self.provider}, {self.status})"

    @property
    def params(self) -> VideoParams:
        """The job's parameters as one value (each has a column of its name)."""
        return VideoParams(**{name: getattr(self, name) for name in PARAM_NAMES})

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class QueueState(models.Model):
    """A paused queue: all of it (model "") or one model's. Kept in the database, so a pause
    outlives a restart and every worker process sees it."""

    model = models.CharField(primary_key=True, max_length=40)
    paused = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    ALL = ""  # `model` of the whole queue's pause

    def __str__(self) -> str:
        return f"{self.model or 'all models'}: {'paused' if self.paused else 'running'}"

    @classmethod
    def paused_models(cls) -> set[str]:
        """The models whose queue is paused; ALL in it when the whole queue is."""
        return set(cls.objects.filter(paused=True).values_list("model", flat=True))

    @classmethod
    def is_paused(cls, model: str, paused: set[str] | None = None) -> bool:
        paused = cls.paused_models() if paused is None else paused
        return cls.ALL in paused or model in paused


class RunTimes(models.Model):
    """The last SAMPLE run times of one provider and shape, kept up to date as jobs complete,
    so an ETA reads one small row instead of sorting the job history.

    `shape` is shape_of(job) for rows of seconds per run, or "" for the provider's row of
    seconds per step (any shape), which estimates shapes that never ran yet.
    """

    SAMPLE = 20
    PER_STEP = ""

    provider = models.CharField(max_length=40)
    shape = models.CharField(max_length=80, blank=True, default="")
    # [[completed_at as a Unix time, seconds], ...], most recently completed first.
    samples = models.JSONField(default=list)

    class Meta:
        constraints = (models.UniqueConstraint(fields=["provider", "shape"], name="runtimes_provider_shape"),)

    def __str__(self) -> str:
        return f"{self.provider} {self.shape or 'per step'} ({len(self.samples)} runs)"

    @property
    def seconds(self) -> list[float]:
        return [float(seconds) for _, seconds in self.samples]

    @classmethod
    def record(cls, job: VideoJob, completed_at: datetime | None = None) -> None:
        """Count one completed run of `job` (started_at to completed_at)."""
        end = completed_at or job.completed_at
        if job.started_at is None or end is None:
            return
        seconds = (end - job.started_at).total_seconds()
        per_step = seconds / max(job.num_inference_steps, 1)
        with transaction.atomic():  # SQLite: IMMEDIATE, PostgreSQL: the row lock below
            for shape, value in ((shape_of(job), seconds), (cls.PER_STEP, per_step)):
                row, _ = cls.objects.select_for_update().get_or_create(provider=job.provider, shape=shape)
                row.samples = newest(row.samples, end.timestamp(), value)
                row.save(update_fields=["samples"])


def shape_of(job: VideoJob) -> str:
    return shape_key(job.num_inference_steps, job.width, job.height, job.num_frames)


def shape_key(steps: int, width: int | None, height: int | None, frames: int | None) -> str:
    """The parameters a run time depends on: steps, size, frames (None when the model chose)."""
    return f"{steps}/{width}x{height}/{frames}"


def parse_shape_key(key: str) -> tuple[int, int | None, int | None, int | None] | None:
    """shape_key's inverse: (steps, width, height, frames); None for a key that is no shape."""
    steps, _, rest = key.partition("/")
    size, _, frames = rest.partition("/")
    width, x, height = size.partition("x")
    if not x:
        return None

    def number(text: str) -> int | None:
        return None if text == "None" else int(text)

    try:
        return int(steps), number(width), number(height), number(frames)
    except ValueError:
        return None


def newest(samples: list[Any], completed: float, seconds: float, keep: int = RunTimes.SAMPLE) -> list[list[float]]:
    """Add one sample and keep the `keep` most recently completed (an old job can arrive late)."""
    merged = [[float(at), float(value)] for at, value in samples] + [[completed, seconds]]
    return sorted(merged, key=lambda sample: sample[0], reverse=True)[:keep]


@receiver(post_save, sender=VideoJob)
def _inserted_completed(sender: type[VideoJob], instance: VideoJob, created: bool, **kwargs: Any) -> None:
    """A row written already completed (an import, a fixture) counts as a run too; jobs that
    complete in the runner are counted there (its update() sends no signal)."""
    if created and instance.status == VideoJob.Status.COMPLETED and not kwargs.get("raw"):
        RunTimes.record(instance)


def new_sweep_id() -> str:
    return f"sweep_{uuid.uuid4().hex}"


class OwnedRecord(models.Model):
    """Something a person makes and lists, newest first (a sweep, a storyboard): its owner and
    time, and the index a list of one person's walks."""

    owner = models.CharField(max_length=150, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=["owner", "created_at", "id"], name="%(class)s_owner_created_id"),)


class Sweep(OwnedRecord):
    """A grid of jobs made from one base request and up to three axes of values (videos/sweeps/):
    which job sits in which cell, and the grid video once rendered."""

    id = models.CharField(primary_key=True, max_length=40, default=new_sweep_id, editable=False)
    batch_id = models.CharField(max_length=40, default="")  # the cells' jobs share it
    base = models.JSONField(default=dict)  # the checked create fields every cell starts from
    axes = models.JSONField(default=list)  # [{"param", "values", "find"?}], ranges expanded
    cells = models.JSONField(default=list)  # [{"index": [i, j, k], "values": {param: value}, "video_id"}]
    grid_file = models.CharField(max_length=255, blank=True, default="")  # storage name of the grid MP4
    # Set while one process renders the grid, so a second request waits instead of rendering too.
    grid_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.id} ({len(self.cells)} cells)"

    @property
    def video_ids(self) -> list[str]:
        return [cell["video_id"] for cell in self.cells]


def new_storyboard_id() -> str:
    return f"sb_{uuid.uuid4().hex}"


def new_shot_id() -> str:
    return f"shot_{uuid.uuid4().hex}"


class Storyboard(OwnedRecord):
    """An ordered list of shots (Shot), each made as a job of one model and size, joined into
    one MP4 once all are made (videos/storyboards/)."""

    id = models.CharField(primary_key=True, max_length=40, default=new_storyboard_id, editable=False)
    provider = models.CharField(max_length=40)
    width = models.PositiveIntegerField(null=True, blank=True)  # null: the model's default size
    height = models.PositiveIntegerField(null=True, blank=True)
    num_inference_steps = models.PositiveIntegerField(null=True, blank=True)  # null: the model's default
    # null: not given, so the create's default ("" is a choice: no negative prompt)
    negative_prompt = models.TextField(null=True, blank=True)  # noqa: DJ001
    sound = models.BooleanField(default=False)  # every shot asks for a soundtrack (the film keeps it)
    video_file = models.CharField(max_length=255, blank=True, default="")  # storage name of the joined MP4
    rendered_key = models.CharField(max_length=64, blank=True, default="")  # the shots and seams it joined
    render_info = models.JSONField(null=True, blank=True)  # {"starts": [...], "frames", "fps", ...}
    render_error = models.TextField(blank=True, default="")
    # Set while one process renders, so a second one waits instead of rendering too.
    rendering_since = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.id} ({self.provider})"


class Shot(models.Model):
    """One shot of a storyboard: its parameters, how it joins the shot before it, and its
    current job (`job_id`; the video may have been deleted from history since)."""

    class Join(models.TextChoices):
        CUT = "cut"
        CONTINUE = "continue"  # starts on the previous shot's last frame (image-to-video)
        CROSSFADE = "crossfade"  # blends over crossfade_frames frames

    class State(models.TextChoices):
        CURRENT = ""  # its job's status is the shot's
        WAITING = "waiting"  # no job yet: made once its predecessor completes (or at once)
        STARTING = "starting"  # one process is making its job
        BLOCKED = "blocked"  # its predecessor failed or was cancelled
        STALE = "stale"  # continues a shot that was re-rolled since: its old video stays
        CHANGED = "changed"  # its parameters changed since its video was made

    id = models.CharField(primary_key=True, max_length=40, default=new_shot_id, editable=False)
    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE, related_name="shots")
    index = models.PositiveIntegerField()
    prompt = models.TextField()
    seconds = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    join = models.CharField(max_length=10, choices=Join.choices, default=Join.CUT)
    crossfade_frames = models.PositiveIntegerField(default=0)
    input_reference = models.CharField(max_length=255, blank=True, default="")  # storage names
    last_frame = models.CharField(max_length=255, blank=True, default="")
    job_id = models.CharField(max_length=40, blank=True, default="", db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, blank=True, default=State.WAITING)
    reason = models.TextField(blank=True, default="")  # why it is blocked, stale or changed

    class Meta:
        ordering = ("storyboard", "index")
        indexes = (models.Index(fields=["storyboard", "index"], name="shot_board_index"),)

    def __str__(self) -> str:
        return f"{self.id} (shot {self.index} of {self.storyboard_id})"


# Registered with the app through this module (videos/webhook_models.py imports nothing of it).
from videos.webhook_models import WebhookDelivery, WebhookEndpoint  # noqa: E402, F401
