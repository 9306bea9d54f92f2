"""Webhook endpoints and their deliveries (videos/webhooks/): one row per delivery, so an event
written with a job's end outlives a restart and is sent by whichever worker claims it.

Imported by videos/models.py so Django registers them with the app; they import nothing of it.
"""

from __future__ import annotations

import uuid

from django.db import models


def new_endpoint_id() -> str:
    return f"wh_{uuid.uuid4().hex}"


def new_delivery_id() -> str:
    return f"whd_{uuid.uuid4().hex}"


class WebhookEndpoint(models.Model):
    """Where events go. `owner` is its creator (sign-in on: it hears of their videos only); the
    settings endpoint (STUDIO_WEBHOOK_URL) is the row SETTINGS_ID, the admin's, hearing of all."""

    SETTINGS_ID = "wh_settings"

    id = models.CharField(primary_key=True, max_length=40, default=new_endpoint_id, editable=False)
    owner = models.CharField(max_length=150, blank=True, default="")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list)  # event types, e.g. ["video.completed"]
    secret = models.CharField(max_length=100)  # whsec_<base64>: shown once, when made or rotated
    # The secret before the last rotation, still signing until previous_expires_at.
    previous_secret = models.CharField(max_length=100, blank=True, default="")
    previous_expires_at = models.DateTimeField(null=True, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "videos"
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=["owner", "created_at"], name="webhook_owner_created"),)

    def __str__(self) -> str:
        return f"{self.id} ({self.url})"


class WebhookDelivery(models.Model):
    """One event for one endpoint. A sender claims it with a conditional UPDATE that sets a lease
    (lease_owner, lease_until), so two workers never send it at once; a dead owner's lease is
    taken over when it runs out (or at once on the same host, once its pid is gone)."""

    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for next_attempt_at (sent, or being sent, when leased)
        DELIVERED = "delivered"
        FAILED = "failed"  # every attempt of the schedule failed
        STOPPED = "stopped"  # the endpoint answered 410 Gone, or it was deleted

    id = models.CharField(primary_key=True, max_length=40, default=new_delivery_id, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=60)  # webhook-id: the same on every attempt
    event_type = models.CharField(max_length=40)
    payload = models.TextField()  # the exact body sent, signed as is
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_owner = models.CharField(max_length=120, blank=True, default="")
    lease_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "videos"
        ordering = ("-created_at", "-id")
        constraints = (
            # A job's end written twice (two racing updates) is still one delivery per endpoint.
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once"),
        )
        indexes = (
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["endpoint", "created_at"], name="webhook_delivery_log"),
        )

    def __str__(self) -> str:
        return f"{self.id} ({self.event_type} -> {self.endpoint_id}, {self.status})"
