"""`manage.py runstudio`: the studio's server, with the in-process worker, on one port."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

log = logging.getLogger("studio")


class Command(BaseCommand):
    help = "Serve the studio (API, web page, workers) with waitress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.STUDIO_HOST)
        parser.add_argument("--port", type=int, default=settings.STUDIO_PORT)
        parser.add_argument("--threads", type=int, default=48, help="request threads (SSE streams hold one each)")

    def handle(self, *args: object, host: str, port: int, threads: int, **options: object) -> None:
        from waitress import serve

        from studio.wsgi import application
        from videos.queue import get_queue

        if settings.VIDEO_JOB_BACKEND == "inprocess":
            get_queue().start()  # type: ignore[attr-defined]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Video Studio is running: open http://{shown}:{port}/video-generation  (Ctrl+C stops it)")
        self.stdout.flush()
        serve(
            application,
            host=host,
            port=port,
            threads=threads,
            connection_limit=1000,
            channel_timeout=300,
            ident="video-studio",
        )
