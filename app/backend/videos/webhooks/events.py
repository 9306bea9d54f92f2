"""A job's end becomes one delivery row per endpoint that chose its event, written inside the
update that ended the job (models.job_ending), so the two commit together or not at all."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from videos.models import VideoJob
from videos.webhook_models import WebhookDelivery, WebhookEndpoint
from videos.webhooks import signing
from videos.webhooks.wake import wake

VIDEO_EVENTS = ("video.completed", "video.failed", "video.cancelled")
TEST_EVENT = "webhook.test"  # sent by POST /v1/webhooks/{id}/test, whatever the endpoint chose
EVENTS = VIDEO_EVENTS

_synced = threading.Event()


def event_id(subject: str, kind: str, at: datetime | None) -> str:
    """The same end (a job, its status, its completed_at) always has the same id: a second
    update that ended it again writes no second delivery (the unique constraint drops it)."""
    digest = hashlib.sha256(f"{subject}|{kind}|{at.isoformat() if at else ''}".encode()).hexdigest()
    return f"evt_{digest[:32]}"


def payload(evt_id: str, kind: str, subject: str, at: datetime) -> str:
    """OpenAI's event shape; the body is stored as sent, so every attempt signs the same bytes."""
    body = {"id": evt_id, "object": "event", "type": kind, "created_at": int(at.timestamp()), "data": {"id": subject}}
    return json.dumps(body, separators=(",", ":"))


def parse_events(value: Any) -> list[str] | None:
    """The event types named (a list, or a comma-separated string; empty: all); None if unknown."""
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        return None
    chosen = sorted({name.strip() for name in names if name.strip()})
    if any(name not in EVENTS for name in chosen):
        return None
    return chosen or list(EVENTS)


def sync_settings_endpoint() -> None:
    """The settings endpoint as a row (deliveries need one): made, changed or disabled to match
    STUDIO_WEBHOOK_URL/_SECRET/_EVENTS. Once per process: settings do not change while it runs."""
    if _synced.is_set():
        return
    url, secret = settings.STUDIO_WEBHOOK_URL, settings.STUDIO_WEBHOOK_SECRET
    if url and signing.is_valid_secret(secret):
        events = parse_events(settings.STUDIO_WEBHOOK_EVENTS) or list(EVENTS)
        fields = {"url": url, "secret": secret, "events": events, "enabled": True, "owner": ""}
        WebhookEndpoint.objects.update_or_create(id=WebhookEndpoint.SETTINGS_ID, defaults=fields)
    else:
        WebhookEndpoint.objects.filter(id=WebhookEndpoint.SETTINGS_ID).update(enabled=False)
    _synced.set()


def on_job_ending(ids: list[str] | None, **_: Any) -> None:
    """Receiver of models.job_ending, inside the ending update's transaction."""
    sync_settings_endpoint()
    endpoints = list(WebhookEndpoint.objects.filter(enabled=True))
    if not endpoints:
        return
    jobs = VideoJob.objects.filter(status__in=VideoJob.TERMINAL)
    if ids is not None:
        jobs = jobs.filter(id__in=ids)
    else:  # a bulk end: the ones that ended just now
        jobs = jobs.filter(completed_at__gte=timezone.now() - timedelta(minutes=1))
    now = timezone.now()
    rows = []
    for job_id, status, owner, completed_at in jobs.values_list("id", "status", "owner", "completed_at"):
        kind = f"video.{status}"
        evt_id = event_id(job_id, kind, completed_at)
        body = payload(evt_id, kind, job_id, completed_at or now)
        for endpoint in endpoints:
            if kind in endpoint.events and sees(endpoint, owner):
                rows.append(
                    WebhookDelivery(
                        endpoint=endpoint, event_id=evt_id, event_type=kind, payload=body, next_attempt_at=now
                    )
                )
    if rows:
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(wake)


def sees(endpoint: WebhookEndpoint, owner: str) -> bool:
    """An endpoint hears of its creator's videos; the settings endpoint (the admin's) of all."""
    return endpoint.id == WebhookEndpoint.SETTINGS_ID or endpoint.owner == owner
