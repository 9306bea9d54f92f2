"""Runs the ASGI application on granian, embedded in this process.

granian reads and writes the sockets in Rust (epoll, no select() and its 1,024-descriptor
ceiling), times out slow request headers itself, and sends files by path; Python sees a
request only once its headers are in. Embedded (not granian's worker processes) so the
in-process job queue and the server share one process, one start and one stop.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import resource
import signal
import socket
from collections.abc import Callable

from django.conf import settings
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server.embed import Server

from serving import limits

log = logging.getLogger("studio")
# Per-connection kernel send buffer (Linux doubles it). Left to autotuning, each stalled
# download took up to 4 MB, and 1,000 starting at once copied gigabytes in one burst that held
# /healthz past a second; at 512 KiB the burst still left 200 to 600 connections unaccepted and
# /healthz waiting behind them on a slower machine. 128 KiB still fills a loopback or LAN link
# (bench/serve.py was no slower).
SEND_BUFFER = int(limits.default("SEND_BUFFER_BYTES"))


def raise_descriptor_limit() -> int:
    """Every connection and open file is a descriptor: allow as many as the system lets us."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1_048_576
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        except (ValueError, OSError):
            return soft
    return wanted


def serve(
    target: str,
    host: str,
    port: int,
    on_stop: Callable[[], None],
    on_listening: Callable[[], None] | None = None,
) -> None:
    """Serve the ASGI app `target` ("module:name", imported now, as granian and uvicorn take
    theirs) until SIGTERM or SIGINT; `on_stop` runs first (it ends the live streams);
    `on_listening` once the port accepts connections (it starts nginx in front)."""
    module, _, name = target.partition(":")
    application = getattr(importlib.import_module(module), name)
    limit = raise_descriptor_limit()
    log.info("serving with up to %d open descriptors", limit)
    server = Server(
        application,
        address=host,
        port=port,
        interface=Interfaces.ASGINL,  # no lifespan: the queue is started by runstudio
        http=HTTPModes.http1,
        websockets=False,
        backlog=int(limits.default("LISTEN_BACKLOG")),
        runtime_threads=2,  # two cores: one Rust I/O thread fell behind 1,000 files in flight
        # Requests granian hands to Python at once. Streams and downloads count until they end,
        # so this sits above every cap the studio applies itself (serving/edge.py, the stream caps).
        backpressure=max(limit, 1024),
        http1_settings=HTTP1Settings(header_read_timeout=int(settings.STUDIO_HEADER_TIMEOUT_SECONDS * 1000)),
        log_enabled=True,
        log_level=LogLevels.error,  # its one warning says the embedded mode is new
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def stop() -> None:
            on_stop()
            server.stop()

        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop)

        async def listening() -> None:
            await _tune_listener(port, settings.STUDIO_WRITE_TIMEOUT_SECONDS)
            if on_listening is not None:
                on_listening()

        tuning = loop.create_task(listening())
        await server.serve()
        tuning.cancel()

    asyncio.run(main())


async def _tune_listener(port: int, write_timeout: float) -> None:
    """Give the listening socket TCP_USER_TIMEOUT, which every accepted connection inherits: the
    kernel then drops a connection whose client has read nothing for `write_timeout`, even after
    the whole response sits in its send buffer, past the reach of the app's own write timeout
    (granian has none). granian opens the socket itself, so it is found among our descriptors."""
    if not hasattr(socket, "TCP_USER_TIMEOUT"):
        return  # not Linux
    for _ in range(100):  # granian binds once its worker task has run
        if _set_user_timeout(port, int(write_timeout * 1000)):
            return
        await asyncio.sleep(0.05)
    log.warning("no listening socket on port %d to give a write timeout", port)


def _set_user_timeout(port: int, milliseconds: int) -> bool:
    found = False
    for entry in os.scandir("/proc/self/fd"):
        try:
            sock = socket.socket(fileno=os.dup(int(entry.name)))
        except (OSError, ValueError):
            continue  # not a socket
        with sock:
            try:
                listening = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
                if listening and sock.type == socket.SOCK_STREAM and sock.getsockname()[1] == port:
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, milliseconds)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)
                    found = True
            except OSError:
                continue
    return found
