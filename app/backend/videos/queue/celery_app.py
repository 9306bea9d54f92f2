"""The studio's Celery app (VIDEO_JOB_BACKEND=celery); workers start with `manage.py runworker`.

Workers run the same `videos.runner` code as the in-process worker. One queue per provider
(`<CELERY_QUEUE_PREFIX>.<provider>`), and one worker process per provider queue whose
concurrency is that upstream's capacity, so the studio never sends an upstream more work
than it can do at once. See docs/scale.md.
"""

from __future__ import annotations

from celery import Celery
from django.conf import settings

app = Celery("studio", include=["videos.queue.celery_queue"])
app.conf.update(
    broker_url=settings.CELERY_BROKER_URL,
    broker_connection_retry_on_startup=True,
    # A worker only takes one message per free slot: the rest stay in Redis where any
    # worker can get them (and a cancel revokes them before they start).
    worker_prefetch_multiplier=1,
    # Threads, not prefork: jobs wait on upstream I/O or a shared in-memory model (local
    # engine), and the job row's `worker` (host:pid) then names the process that runs it,
    # which is what recovery checks for liveness.
    worker_pool="threads",
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_ignore_result=True,
    # An unacknowledged message (its worker died) comes back after this many seconds; the
    # database recovery pass usually requeues the job long before that. A job that outlives
    # it gets a duplicate delivery, which the claim's conditional UPDATE ignores.
    broker_transport_options={"visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT},
    worker_hijack_root_logger=False,  # keep Django's LOGGING (token redaction) in charge
    worker_cancel_long_running_tasks_on_connection_loss=False,
)


def queue_name(provider: str) -> str:
    return f"{settings.CELERY_QUEUE_PREFIX}.{provider}"
