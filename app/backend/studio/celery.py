"""The studio's Celery app (VIDEO_JOB_BACKEND=celery), and the `run.py worker` entry point.

Workers run the same `videos.runner` code as the in-process worker. One queue per provider
(`<CELERY_QUEUE_PREFIX>.<provider>`), and one worker process per provider queue whose
concurrency is that upstream's capacity, so the studio never sends an upstream more work
than it can do at once. See docs/scale.md.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

import django
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
django.setup()  # the tasks touch models; idempotent when Django is already set up

from django.conf import settings  # noqa: E402

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
    # database recovery pass (below) usually requeues the job long before that. A job that
    # outlives it gets a duplicate delivery, which the claim's conditional UPDATE ignores.
    broker_transport_options={"visibility_timeout": settings.CELERY_VISIBILITY_TIMEOUT},
    worker_hijack_root_logger=False,  # keep Django's LOGGING (token redaction) in charge
    worker_cancel_long_running_tasks_on_connection_loss=False,
)

ENTRY = "import sys; from studio.celery import main; sys.exit(main(sys.argv[1:]))"


def queue_name(provider: str) -> str:
    return f"{settings.CELERY_QUEUE_PREFIX}.{provider}"


def main(argv: list[str]) -> int:
    """`run.py worker`: one provider in this process, or one child process per provider."""
    from videos.providers.registry import all_providers, get_provider

    parser = argparse.ArgumentParser(prog="run.py worker", description="Run Celery workers for the studio's jobs.")
    parser.add_argument("--provider", help="serve only this provider's queue (default: one worker per ready provider)")
    parser.add_argument("--concurrency", type=int, help="jobs at once (default: the provider's configured capacity)")
    parser.add_argument("--loglevel", default=settings.LOGGING["root"]["level"])
    args = parser.parse_args(argv)
    if settings.VIDEO_JOB_BACKEND != "celery":
        print(
            f"Note: VIDEO_JOB_BACKEND is {settings.VIDEO_JOB_BACKEND!r}; the studio only sends jobs to workers when it is "
            "'celery' (workers still pick up queued jobs through their recovery pass).",
            file=sys.stderr,
        )

    if args.provider:
        provider = get_provider(args.provider)
        concurrency = args.concurrency or provider.concurrency
        app.worker_main(
            [
                "worker",
                "--queues", queue_name(provider.name),
                "--concurrency", str(concurrency),
                "--hostname", f"{provider.name}-{os.getpid()}@%h",
                "--loglevel", args.loglevel,
                # Gossip/mingle only sync state we keep in the database; they slow startup.
                "--without-gossip", "--without-mingle",
            ]
        )
        return 0

    names = [p.name for p in all_providers() if p.status().ready]
    if not names:
        print("No provider is configured and ready; nothing to work on.", file=sys.stderr)
        return 1
    children = []
    for name in names:
        cmd = [sys.executable, "-c", ENTRY, "--provider", name, "--loglevel", args.loglevel]
        if args.concurrency:
            cmd += ["--concurrency", str(args.concurrency)]
        children.append(subprocess.Popen(cmd))

    def forward(signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    codes = [child.wait() for child in children]
    return max(codes, default=0)
