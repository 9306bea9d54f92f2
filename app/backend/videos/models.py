"""The one persistent record of a generation: a VideoJob."""

from __future__ import annotations

import uuid

from django.db import models


def new_video_id() -> str:
    return f"video_{uuid.uuid4().hex}"


class VideoJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        IN_PROGRESS = "in_progress"
        COMPLETED = "completed"
        FAILED = "failed"
        CANCELLED = "cancelled"

    TERMINAL = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

    id = models.CharField(primary_key=True, max_length=40, default=new_video_id, editable=False)
    owner = models.CharField(max_length=150, blank=True, default="", db_index=True)
    provider = models.CharField(max_length=40, db_index=True)
    prompt = models.TextField()
    negative_prompt = models.TextField(blank=True, default="")
    num_inference_steps = models.PositiveIntegerField()
    seed = models.BigIntegerField()
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    num_frames = models.PositiveIntegerField(null=True, blank=True)
    reference_image = models.CharField(max_length=255, blank=True, default="")  # storage name
    preview = models.BooleanField(default=False)

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    upstream_id = models.CharField(max_length=200, blank=True, default="")
    worker = models.CharField(max_length=120, blank=True, default="")
    error_code = models.CharField(max_length=40, blank=True, default="")
    error_message = models.TextField(blank=True, default="")
    status_message = models.CharField(max_length=200, blank=True, default="")  # what a running job is doing

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    video_file = models.CharField(max_length=255, blank=True, default="")  # storage names
    thumbnail_file = models.CharField(max_length=255, blank=True, default="")
    metadata = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=["provider", "status", "created_at"]),)

    def __str__(self) -> str:
        return f"{self.id} ({self.provider}, {self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL
