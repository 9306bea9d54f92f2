"""`manage.py runstudio`: the studio's server, with the in-process worker, on one port."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

log = logging.getLogger("studio")


class Command(BaseCommand):
    help = "Serve the studio (API, web page, workers) with granian."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.STUDIO_HOST)
        parser.add_argument("--port", type=int, default=settings.STUDIO_PORT)

    def handle(self, *args: object, host: str, port: int, **options: object) -> None:
        from videos.access.middleware import auth_configured, is_loopback
        from videos.queue import get_queue

        if not is_loopback(host):
            # Anyone on the network could reach it: refuse to serve without authentication.
            if not auth_configured() and not settings.STUDIO_ALLOW_OPEN_BIND:
                raise CommandError(
                    f"Refusing to listen on {host} without authentication. Create a login with "
                    "`python3 run.py adduser NAME` or set STUDIO_API_KEYS=user:key (keys of 16+ characters), "
                    "or listen on 127.0.0.1."
                )
            settings.STUDIO_AUTH_REQUIRED = auth_configured() or settings.STUDIO_AUTH_REQUIRED
            if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
                self.stderr.write(
                    "note: add this machine's name or address to DJANGO_ALLOWED_HOSTS to reach it remotely"
                )

        from studio.assets import precompress
        from studio.server import serve
        from videos.live.hub import hub

        precompress(settings.FRONTEND_DIST)  # before the app starts: WhiteNoise indexes files once
        if settings.VIDEO_JOB_BACKEND == "inprocess":
            get_queue().start()  # type: ignore[attr-defined]
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Video Studio is running: open http://{shown}:{port}/video-generation  (Ctrl+C stops it)")
        self.stdout.flush()
        # SIGTERM or Ctrl+C: live streams end (browsers reconnect to the next start), granian
        # stops accepting, finishes the requests in progress and returns.
        serve(host, port, on_stop=hub.close_all)
        # Jobs still running are left as they are (the worker threads are daemons and end with
        # the process): the next start's recovery requeues them.
        if settings.VIDEO_JOB_BACKEND == "inprocess":
            get_queue().stop()  # type: ignore[attr-defined]
        self.stdout.write("Video Studio stopped.")
