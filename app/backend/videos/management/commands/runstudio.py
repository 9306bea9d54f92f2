"""`manage.py runstudio`: the studio's server, with the in-process worker, on one port."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

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

        # Both explicitly: a process started in the background of a script inherits SIGINT as
        # ignored, and Python then never raises KeyboardInterrupt for it.
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        try:
            if settings.VIDEO_JOB_BACKEND == "inprocess":
                get_queue().start()  # type: ignore[attr-defined]
            shown = f"[{host}]" if ":" in host else host
            self.stdout.write(
                f"Video Studio is running: open http://{shown}:{port}/video-generation  (Ctrl+C stops it)"
            )
            self.stdout.flush()
            # On SIGTERM or Ctrl+C waitress stops accepting, gives requests in progress up to 5 s
            # and closes its sockets, then returns.
            serve(
                application,
                host=host,
                port=port,
                threads=threads,
                connection_limit=1000,
                channel_timeout=300,
                ident="video-studio",
                # Absurd bodies are refused before they are read; near the image limit the API's
                # own check answers, with a JSON error that names the limit.
                max_request_body_size=2 * settings.VIDEO_MAX_IMAGE_BYTES + 1024**2,
            )
        except KeyboardInterrupt:  # stopped before serving had begun
            pass
        # Jobs still running are left as they are (the worker threads are daemons and end with
        # the process): the next start's recovery requeues them.
        if settings.VIDEO_JOB_BACKEND == "inprocess":
            get_queue().stop()  # type: ignore[attr-defined]
        self.stdout.write("Video Studio stopped.")


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (docker stop, systemd, a supervisor) and SIGINT stop the server as Ctrl+C does:
    waitress catches the exception in its loop, stops accepting and closes its sockets."""
    raise KeyboardInterrupt
