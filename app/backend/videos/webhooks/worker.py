"""The sender loop, one per worker process (the in-process queue's studio, each Celery worker):
claims due deliveries with a conditional UPDATE that sets a lease, so two processes never send
one at once, and posts them on a few threads. A killed process's leases are taken over when they
run out, or at once by a process on the same host that sees its pid gone."""

from __future__ import annotations

import logging
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.db import close_old_connections
from django.db.models import F, Q
from django.utils import timezone

from videos.processes import pid_alive
from videos.webhook_models import WebhookDelivery
from videos.webhooks import events, schedule, sender, signing, wake

log = logging.getLogger(__name__)
Status = WebhookDelivery.Status
# Longer than one attempt can take (sender.TIMEOUT_SECONDS per step), so a live sender keeps it.
LEASE = timedelta(seconds=120)
POLL_SECONDS = 1.0
SENDERS = 4

_lock = threading.Lock()
_in_flight: set[str] = set()
_started = threading.Event()
_stop = threading.Event()


def me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _unleased(now: object) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def release_dead_leases() -> int:
    """Leases held by a process of this host that is gone (or by an earlier process that had
    this pid): free them now rather than when they run out."""
    now, mine = timezone.now(), me()
    host = mine.rpartition(":")[0]
    freed = 0
    leased = WebhookDelivery.objects.filter(status=Status.PENDING, lease_until__gte=now)
    for delivery_id, owner in leased.values_list("id", "lease_owner"):
        owner_host, _, pid = owner.rpartition(":")
        with _lock:
            ours_and_sending = owner == mine and delivery_id in _in_flight
        if owner_host != host or not pid.isdigit() or ours_and_sending:
            continue
        if owner == mine or not pid_alive(int(pid)):
            freed += WebhookDelivery.objects.filter(id=delivery_id, lease_owner=owner).update(lease_until=None)
    return freed


def claim(delivery_id: str) -> WebhookDelivery | None:
    now = timezone.now()
    with _lock:
        _in_flight.add(delivery_id)
    taken = WebhookDelivery.objects.filter(
        _unleased(now), id=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(lease_owner=me(), lease_until=now + LEASE, attempts=F("attempts") + 1)
    if taken:
        return WebhookDelivery.objects.select_related("endpoint").get(id=delivery_id)
    with _lock:
        _in_flight.discard(delivery_id)
    return None


def deliver(delivery: WebhookDelivery) -> None:
    """One attempt of a claimed delivery, and what follows from its answer."""
    try:
        endpoint, now = delivery.endpoint, timezone.now()
        keys = [endpoint.secret]
        if endpoint.previous_secret and endpoint.previous_expires_at and endpoint.previous_expires_at > now:
            keys.append(endpoint.previous_secret)  # rotation: the old secret still verifies
        headers = signing.headers(keys, delivery.event_id, int(now.timestamp()), delivery.payload)
        answer = sender.post(endpoint.url, delivery.payload, headers)
        fields: dict[str, object] = {"lease_until": None, "last_status_code": answer.status}
        fields["last_error"] = answer.error[:300]
        if answer.status is not None and 200 <= answer.status < 300:
            fields.update(status=Status.DELIVERED, delivered_at=timezone.now())
        elif answer.status == 410:
            fields.update(status=Status.STOPPED, last_error="The endpoint answered 410 Gone: no more retries.")
        else:
            hint = schedule.parse_retry_after(answer.retry_after) if answer.status in schedule.SLOWED_BY else None
            wait = schedule.next_wait(delivery.attempts, hint)
            if wait is None:
                fields["status"] = Status.FAILED
            else:
                fields["next_attempt_at"] = timezone.now() + timedelta(seconds=wait)
        WebhookDelivery.objects.filter(id=delivery.id, lease_owner=me()).update(**fields)
        outcome = fields.get("status", "retry")
        log.info(
            "webhook %s (%s) attempt %d: %s -> %s",
            delivery.id,
            delivery.event_type,
            delivery.attempts,
            answer.status or answer.error,
            outcome,
        )
    except Exception:
        log.exception(
            "webhook %s: the attempt failed in the studio; its lease runs out and it is tried again", delivery.id
        )
    finally:
        with _lock:
            _in_flight.discard(delivery.id)
        close_old_connections()


def send_due(pool: ThreadPoolExecutor | None = None, limit: int = SENDERS) -> int:
    """Claim what is due (up to `limit`) and send it (on `pool`, else here); returns how many."""
    now = timezone.now()
    due = WebhookDelivery.objects.filter(_unleased(now), status=Status.PENDING, next_attempt_at__lte=now)
    sent = 0
    for delivery_id in due.order_by("next_attempt_at").values_list("id", flat=True)[:limit]:
        delivery = claim(delivery_id)
        if delivery is None:
            continue
        sent += 1
        if pool is None:
            deliver(delivery)
        else:
            pool.submit(deliver, delivery)
    return sent


def _loop() -> None:
    failing = False
    try:
        events.sync_settings_endpoint()
    except Exception:
        log.exception("could not record the settings webhook endpoint; the first job's end tries again")
    with ThreadPoolExecutor(SENDERS, thread_name_prefix="webhook-send") as pool:
        while not _stop.is_set():
            try:
                release_dead_leases()
                with _lock:
                    free = SENDERS - len(_in_flight)
                sent = send_due(pool, free) if free > 0 else 0
                failing = False
            except Exception:
                if not failing:
                    log.exception("the webhook sender hit an error; it goes on")
                failing, sent = True, 0
            finally:
                close_old_connections()
            if not sent:
                wake.wait(POLL_SECONDS)


def start() -> None:
    """Start this process's sender loop (once)."""
    if _started.is_set():
        return
    _started.set()
    _stop.clear()
    threading.Thread(target=_loop, daemon=True, name="webhook-sender").start()


def stop() -> None:
    _stop.set()
    wake.wake()
