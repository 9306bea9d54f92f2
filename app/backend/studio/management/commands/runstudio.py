"""`manage.py runstudio`: the studio's server, with the in-process worker, on one port."""

from __future__ import annotations

import logging
import os
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from serving.front import NginxFront, free_loopback_port, host_port
from serving.server import serve
from studio.assets import precompress
from videos.access.middleware import auth_configured, is_loopback
from videos.access.proxy import trusted_networks
from videos.live.hub import hub
from videos.queue import get_queue
from videos.runner import run as runner

log = logging.getLogger("studio")


class Command(BaseCommand):
    help = "Serve the studio (API, web page, workers) with granian."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.STUDIO_HOST)
        parser.add_argument("--port", type=int, default=settings.STUDIO_PORT)

    def handle(self, *args: object, host: str, port: int, **options: object) -> None:
        host = host.strip() or "0.0.0.0"  # empty is every interface, as for bind(); granian needs it named
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

        front = None
        if settings.STUDIO_FRONT == "nginx":
            outer = [str(net) for net in trusted_networks(settings.STUDIO_TRUSTED_PROXIES)]
            front = NginxFront(host, port, free_loopback_port(), trusted=outer)
            problem = front.check()
            if problem:
                raise CommandError(problem)
            # nginx takes the public address and resolves any outer proxies' headers; the studio
            # listens where only this machine reaches and believes nginx's X-Forwarded-For alone.
            settings.STUDIO_TRUSTED_PROXIES = "127.0.0.1"
            host, port = "127.0.0.1", front.upstream_port
        elif settings.STUDIO_FRONT:
            raise CommandError(f"STUDIO_FRONT={settings.STUDIO_FRONT!r}: leave it empty, or set it to nginx")

        precompress(settings.FRONTEND_DIST)  # before the app starts: WhiteNoise indexes files once
        if settings.VIDEO_JOB_BACKEND == "inprocess":
            get_queue().start()  # type: ignore[attr-defined]
        public_host, public_port = (front.host, front.port) if front else (host, port)
        self.stdout.write(
            f"Video Studio is running: open http://{host_port(public_host, public_port)}/video-generation"
            "  (Ctrl+C stops it)"
        )
        self.stdout.flush()
        inprocess = settings.VIDEO_JOB_BACKEND == "inprocess"
        stop_deadline: list[float] = []

        def on_stop() -> None:
            # Live streams end (browsers reconnect to the next start); the worker claims nothing
            # more and its running jobs hand themselves back while granian finishes its requests.
            stop_deadline.append(time.monotonic() + settings.STUDIO_STOP_TIMEOUT_SECONDS)
            # granian waits for every request in flight (the seed's endpoint waits minutes for
            # its video): past the bound, the process ends anyway.
            watchdog = threading.Timer(settings.STUDIO_STOP_TIMEOUT_SECONDS + 0.5, _exit_now, args=(inprocess,))
            watchdog.daemon = True  # a clean stop before the bound must not wait for it
            watchdog.start()
            hub.close_all()
            if front is not None:
                front.begin_stop()
            if inprocess:
                get_queue().begin_stop()  # type: ignore[attr-defined]

        # SIGTERM or Ctrl+C: on_stop runs, granian stops accepting, finishes the requests in
        # progress and returns.
        # The app by name, built only now: the settings above (trusted proxies) and the
        # precompressed assets are what its middleware and WhiteNoise read once, when built.
        serve("studio.asgi:application", host, port, on_stop=on_stop, on_listening=front.start if front else None)
        if front is not None:
            front.stop()
        if inprocess:
            # A job that reaches no hand-back point in time (a sync upstream call, a local model
            # step) stays in_progress; the worker threads are daemons and end with the process,
            # and the next start's recovery requeues it.
            left = max(0.0, (stop_deadline[0] if stop_deadline else time.monotonic()) - time.monotonic())
            still_running = get_queue().stop(timeout=left)  # type: ignore[attr-defined]
            if still_running:
                log.warning("stopping with %d job(s) still running; the next start resumes them", len(still_running))
        self.stdout.write("Video Studio stopped.")


def _exit_now(inprocess: bool) -> None:
    """The stop outlived STUDIO_STOP_TIMEOUT_SECONDS: exit now. What still runs is left as after a
    crash (SQLite's WAL keeps the database whole): the next start's recovery requeues it."""
    running = len(runner.active_job_ids()) if inprocess else 0
    log.warning(
        "stop took over %gs (requests or jobs still running: %d job(s)); exiting now, the next start resumes them",
        settings.STUDIO_STOP_TIMEOUT_SECONDS,
        running,
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    os._exit(0)
