"""A job's end becomes one delivery row per endpoint that chose its event, written inside the
update that ended the job (models.job_ending), so the two commit together or not at all."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from videos.models import Storyboard, Sweep, VideoJob
from videos.webhook_models import WebhookDelivery, WebhookEndpoint
from videos.webhooks import boards, signing
from videos.webhooks.wake import wake

VIDEO_EVENTS = ("video.completed", "video.failed", "video.cancelled")
SWEEP_DONE = "sweep.completed"  # the studio's own: no cell of a sweep grid is queued or running
BOARD_DONE = "storyboard.completed"  # its joined MP4 is stored (written with it: joined.py)
BOARD_FAILED = "storyboard.failed"  # a shot failed and nothing of it runs, or its render failed
TEST_EVENT = "webhook.test"  # sent by POST /v1/webhooks/{id}/test, whatever the endpoint chose
EVENTS = (*VIDEO_EVENTS, SWEEP_DONE, BOARD_DONE, BOARD_FAILED)

log = logging.getLogger(__name__)
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
        if url:  # never the value: it is a secret
            log.warning("STUDIO_WEBHOOK_SECRET is not whsec_<base64 of 16+ bytes>: the settings webhook is off")
        WebhookEndpoint.objects.filter(id=WebhookEndpoint.SETTINGS_ID).update(enabled=False)
    _synced.set()


def on_job_ending(ids: list[str] | None, **_: Any) -> None:
    """Receiver of models.job_ending, inside the ending update's transaction. A database error
    fails the end with it (the runner writes it again later, deliveries and all); a bug here is
    logged and rolled back to a savepoint: it must not keep a job from ending."""
    try:
        with transaction.atomic():
            _write_deliveries(ids)
    except DatabaseError:
        raise
    except Exception:
        log.exception("could not write the webhook deliveries of jobs %s", ids)


def _write_deliveries(ids: list[str] | None) -> None:
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
    rows: list[WebhookDelivery] = []
    batches, ended = set(), []
    for job_id, status, owner, completed_at, batch in jobs.values_list(
        "id", "status", "owner", "completed_at", "batch_id"
    ):
        kind = f"video.{status}"
        evt_id = event_id(job_id, kind, completed_at)
        rows += _rows(endpoints, evt_id, kind, job_id, owner, completed_at or now)
        if batch:
            batches.add(batch)
        ended.append(job_id)  # a completed shot may be the last of a board another shot failed
    for sweep in _finished_sweeps(batches):
        evt_id = event_id(sweep.id, SWEEP_DONE, None)
        rows += _rows(endpoints, evt_id, SWEEP_DONE, sweep.id, sweep.owner, now)
    if any(BOARD_FAILED in e.events for e in endpoints):  # only then is it worth reading the boards
        for board_id, owner, key in boards.failed_boards(ended):
            rows += _rows(endpoints, event_id(board_id, BOARD_FAILED + key, None), BOARD_FAILED, board_id, owner, now)
    if rows:
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(wake)


def announce(kind: str, subject: str, key: str, owner: str) -> None:
    """One event about `subject` (a storyboard) to each endpoint that chose it; call it inside the
    transaction of the change it announces. `key` tells apart two ends of one subject (a board
    rendered again after a re-roll): the same key is the same event, written once."""
    sync_settings_endpoint()
    endpoints = list(WebhookEndpoint.objects.filter(enabled=True))
    rows = _rows(endpoints, event_id(subject, kind + key, None), kind, subject, owner, timezone.now())
    if rows:
        WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
        transaction.on_commit(wake)


def announce_failed_board(board_id: str) -> None:
    """storyboard.failed for a board whose shot could not even be queued (no job ended to carry
    the event); the same failure read at a job's end is the same event, so never sent twice."""
    try:
        with transaction.atomic():
            board = Storyboard.objects.select_for_update().filter(id=board_id).first()
            key = boards.failed_key(board_id) if board is not None else None
            if board is not None and key is not None:
                announce(BOARD_FAILED, board_id, key, board.owner)
    except Exception:  # it runs where a board moves on: that must go on
        log.exception("storyboard %s: could not write its failure's webhook deliveries", board_id)


def sees(endpoint: WebhookEndpoint, owner: str) -> bool:
    """An endpoint hears of its creator's videos; the settings endpoint (the admin's) of all."""
    return endpoint.id == WebhookEndpoint.SETTINGS_ID or endpoint.owner == owner


def _rows(
    endpoints: list[WebhookEndpoint], evt_id: str, kind: str, subject: str, owner: str, at: datetime
) -> list[WebhookDelivery]:
    body = payload(evt_id, kind, subject, at)
    return [
        WebhookDelivery(endpoint=e, event_id=evt_id, event_type=kind, payload=body, next_attempt_at=timezone.now())
        for e in endpoints
        if kind in e.events and sees(e, owner)
    ]


def _finished_sweeps(batches: set[str]) -> list[Sweep]:
    """The sweeps of these batches with no cell left to run. Their rows are locked first
    (PostgreSQL), so of two cells ending at once the later transaction sees the earlier's end:
    one of them announces the sweep (its event id is the sweep's, so never twice)."""
    done = []
    for sweep in Sweep.objects.select_for_update().filter(batch_id__in=sorted(batches)).order_by("id"):
        running = VideoJob.objects.filter(id__in=sweep.video_ids, status__in=("queued", "in_progress"))
        if not running.exists():
            done.append(sweep)
    return done
