"""`manage.py runworker` (what `python3 run.py worker` and compose start): Celery workers.

With --provider, one worker for that provider's queue in this process; without, one child
process per ready provider, each sized to its upstream's capacity. SIGTERM/SIGINT reach
every child, and the command exits with the worst child's status.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

MANAGE = Path(__file__).resolve().parents[3] / "manage.py"


class Command(BaseCommand):
    help = "Run Celery workers for the studio's jobs (VIDEO_JOB_BACKEND=celery; docs/scale.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--provider", help="only this provider's queue (default: one worker per ready provider)")
        parser.add_argument("--concurrency", type=int, help="jobs at once (default: the provider's capacity)")
        parser.add_argument("--loglevel", default=logging.getLevelName(logging.getLogger().level))

    def handle(
        self, *args: object, provider: str | None, concurrency: int | None, loglevel: str, **options: Any
    ) -> None:
        from videos.providers.registry import UnknownProvider, all_providers, get_provider

        if settings.VIDEO_JOB_BACKEND != "celery":
            self.stderr.write(
                f"Note: VIDEO_JOB_BACKEND is {settings.VIDEO_JOB_BACKEND!r}; the studio only sends jobs to workers "
                "when it is 'celery' (workers still pick up queued jobs through their recovery pass)."
            )
        if provider:
            try:
                chosen = get_provider(provider)
            except UnknownProvider:
                known = ", ".join(p.name for p in all_providers())
                raise CommandError(f"Unknown provider {provider!r}; choose one of: {known}.") from None
            self._worker(chosen.name, concurrency or chosen.concurrency, loglevel)
            return
        names = [p.name for p in all_providers() if p.status().ready]
        if not names:
            raise CommandError("No provider is configured and ready; nothing to work on.")
        code = self._children(names, concurrency, loglevel)
        if code:
            sys.exit(code)

    def _worker(self, provider: str, concurrency: int, loglevel: str) -> None:
        from videos.queue.celery_app import app, queue_name

        app.worker_main(
            [
                "worker",
                "--queues", queue_name(provider),
                "--concurrency", str(concurrency),
                "--hostname", f"{provider}-{os.getpid()}@%h",
                "--loglevel", loglevel,
                # Gossip/mingle only sync state we keep in the database; they slow startup.
                "--without-gossip", "--without-mingle",
            ]
        )  # fmt: skip

    def _children(self, names: list[str], concurrency: int | None, loglevel: str) -> int:
        children = []
        for name in names:
            cmd = [sys.executable, str(MANAGE), "runworker", "--provider", name, "--loglevel", loglevel]
            if concurrency:
                cmd += ["--concurrency", str(concurrency)]
            children.append(subprocess.Popen(cmd))

        def forward(signum: int, _frame: object) -> None:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signum)

        signal.signal(signal.SIGTERM, forward)
        signal.signal(signal.SIGINT, forward)
        return max((child.wait() for child in children), default=0)
