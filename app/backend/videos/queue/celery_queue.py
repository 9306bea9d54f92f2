"""Queue backend `celery`: jobs run in Celery workers on a Redis broker (docs/scale.md).

The database stays the source of truth. A message only says "job X may be ready to run";
the task claims the job with the same conditional UPDATE as the in-process worker, so a
duplicate or stale message (redelivery after a crash, a resync) is a no-op and a job runs
exactly once. Cancel revokes the message of a queued job; a running job stops
cooperatively (the runner polls the job's cancel flag in the database).

Each worker also runs a recovery pass every CELERY_RECOVERY_INTERVAL seconds: jobs whose
worker died (dead pid on this host, or a stale heartbeat from another host) are requeued
(resuming the upstream job) or failed with a reason, and queued jobs whose message was lost
(Redis restarted, the broker was down when the studio enqueued) are sent again.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from celery.signals import worker_ready, worker_shutdown, worker_shutting_down
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from videos.models import VideoJob
from videos.providers.registry import UnknownProvider, get_provider
from videos.queue import recovery
from videos.queue.celery_app import app, queue_name
from videos.queue.claim import claim_next
from videos.queue.order import is_paused
from videos.runner import run as runner
from videos.runner.context import begin_hand_back
from videos.webhooks import worker as webhooks

log = logging.getLogger(__name__)
Status = VideoJob.Status
TASK_NAME = "videos.run_job"
ROOM_WAIT_SECONDS = 60.0
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def resync_after() -> timedelta:
    """A queued job older than this, with its broker queue empty, has lost its message."""
    return timedelta(seconds=max(1.0, 2 * settings.CELERY_RECOVERY_INTERVAL))


@app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: str) -> str:
    """Claim and run the next job of this job's model, in the database's order (a message
    stands for "one more job is queued", so moves and fairness hold whatever order the broker
    delivers in); returns what happened (for the worker's log)."""
    try:
        provider = VideoJob.objects.filter(id=job_id).values_list("provider", flat=True).first()
        if provider is None:
            return "not claimable"  # deleted
        if is_paused(provider):
            return "paused"  # resuming sends a message for every job still queued
        _wait_for_room(provider)
        job = claim_next(provider)
        if job is None:
            # Its jobs already running or finished elsewhere, cancelled, or deleted: nothing to do.
            return "not claimable"
        runner.run(job)
        return "ran"
    finally:
        close_old_connections()


def _wait_for_room(provider: str, most: float = ROOM_WAIT_SECONDS) -> None:
    """Several upstreams: claim once one has a free slot (this worker reads their liveness
    itself), so a job waits queued rather than on a busy upstream; after `most` seconds it is
    claimed anyway and waits in the provider."""
    try:
        chosen = get_provider(provider)
    except UnknownProvider:
        return
    deadline = time.monotonic() + most
    while not chosen.has_room() and time.monotonic() < deadline:
        time.sleep(0.25)


def send(job_id: str, provider: str) -> None:
    # task_id = job id, so a cancel can revoke it without storing anything.
    # A short retry: the studio calls this inside a request; if Redis stays down the job
    # remains queued in the database and a worker's recovery pass sends it later.
    run_job.apply_async(args=[job_id], queue=queue_name(provider), task_id=job_id, retry_policy=PUBLISH_RETRY)


class CeleryQueue:
    def enqueue(self, job: VideoJob) -> None:
        try:
            send(job.id, job.provider)
        except Exception as exc:  # broker down: the job stays queued; a worker's resync sends it later
            log.error("could not send job %s to the broker at %s (%s); it stays queued", job.id, _safe_broker(), exc)

    def resumed(self, providers: list[str]) -> None:
        queued = VideoJob.objects.filter(provider__in=providers, status=Status.QUEUED, cancel_requested=False)
        for job_id, provider in queued.values_list("id", "provider"):
            try:
                send(job_id, provider)
            except Exception as exc:  # the recovery pass resends what stays queued
                log.error("could not send job %s to the broker at %s (%s)", job_id, _safe_broker(), exc)

    def cancel(self, job: VideoJob) -> None:
        """Revoke a queued job's message; a running job already saw its cancel flag in the DB."""
        try:
            app.control.revoke(job.id)
        except Exception as exc:  # the message, if it runs, finds the job cancelled and does nothing
            log.warning("could not broadcast revoke for job %s (%s)", job.id, exc)


def _safe_broker() -> str:
    return app.connection_for_write().as_uri()  # kombu masks the password


# --- worker side ------------------------------------------------------------------------------

_stop = threading.Event()


@worker_ready.connect
def _start_recovery(sender: object = None, **_: object) -> None:
    consumer_queues = _consumed_queues(sender)
    _stop.clear()
    thread = threading.Thread(target=_recovery_loop, args=(consumer_queues,), daemon=True, name="studio-recovery")
    thread.start()
    webhooks.start()  # each worker also sends due webhook deliveries (claimed with a lease)


@worker_shutting_down.connect
def _hand_back_running(**_: object) -> None:
    """Warm shutdown waits for running tasks: have them hand their jobs back (queued, upstream
    id kept) instead of holding the stop until their videos finish; a worker's resync sends
    them again (their messages are acknowledged when the task returns)."""
    begin_hand_back()


@worker_shutdown.connect
def _stop_recovery(**_: object) -> None:
    _stop.set()
    webhooks.stop()


def _consumed_queues(consumer: object) -> list[str]:
    try:
        return [q.name for q in consumer.task_consumer.queues]  # type: ignore[attr-defined]
    except Exception:
        return []


def _providers_of(queues: list[str]) -> list[str]:
    prefix = settings.CELERY_QUEUE_PREFIX + "."
    return [q[len(prefix) :] for q in queues if q.startswith(prefix)]


def recover_and_resync(providers: list[str]) -> int:
    """One recovery pass; returns how many jobs were (re)sent to the broker."""
    recovery.housekeeping.send(sender=recover_and_resync)
    before = set(VideoJob.objects.filter(status=Status.IN_PROGRESS).values_list("id", flat=True))
    if recovery.recover_interrupted():
        # Requeued in the database: send them now (their old message is gone or unacked).
        for job_id, provider in VideoJob.objects.filter(id__in=before, status=Status.QUEUED).values_list(
            "id", "provider"
        ):
            send(job_id, provider)
    sent = 0
    cutoff = timezone.now() - resync_after()
    with app.connection_for_write() as conn:
        channel = conn.default_channel
        for provider in providers:
            if is_paused(provider):
                continue  # its messages would only say "paused"; resuming sends them
            # Not passive: kombu's Redis transport calls an empty queue missing.
            waiting = channel.queue_declare(queue=queue_name(provider)).message_count
            if waiting:
                continue  # messages are waiting; nothing can be lost behind them that matters yet
            lost = VideoJob.objects.filter(
                provider=provider, status=Status.QUEUED, cancel_requested=False, created_at__lt=cutoff
            ).values_list("id", flat=True)[:100]
            for job_id in lost:
                send(job_id, provider)
                sent += 1
    if sent:
        log.warning("resent %d queued job(s) whose broker message was missing", sent)
    return sent


def _recovery_loop(queues: list[str]) -> None:
    providers = _providers_of(queues)
    interval = settings.CELERY_RECOVERY_INTERVAL
    log.info("recovery pass every %.1fs for %s", interval, ", ".join(providers) or "no studio queue")
    while True:
        try:
            recover_and_resync(providers)
        except Exception:
            log.exception("recovery pass failed")
        finally:
            close_old_connections()
        if _stop.wait(interval):
            return
