"""Sends a local file's bytes once the view has answered with a handoff (serving/handoff.py).

A whole file goes by the server's path-send (granian streams it in Rust). A Range slice is
read in chunks off the event loop and written as the client takes them (the server's send
waits while the socket is full), so a client that stops reading is dropped after
STUDIO_WRITE_TIMEOUT_SECONDS instead of pinning a file and its buffers.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any
from urllib.parse import quote

from django.conf import settings

from serving.handoff import Message, Receive, Scope, Send, send_in_time

CHUNK = 1024 * 1024  # a browser seek asks for about this much: one read, one send
ACCEL_PREFIX = "/_studio_media/"  # nginx's internal location over MEDIA_ROOT (serving/front.py)


async def send_file(params: dict[str, Any], scope: Scope, receive: Receive, send: Send, start: Message) -> None:
    path, offset, length = params["path"], int(params["offset"]), int(params["length"])
    await send(start)
    if scope["method"] == "HEAD" or length == 0:
        await send({"type": "http.response.body", "body": b""})
        return
    if offset == 0 and length == params["size"] and "http.response.pathsend" in scope.get("extensions", {}):
        # The whole file: granian reads and writes it in Rust. A reader that stalls is dropped
        # by the kernel (TCP_USER_TIMEOUT on the listening socket, serving/server.py).
        await send({"type": "http.response.pathsend", "path": path})
        return
    loop = asyncio.get_running_loop()
    fd = await loop.run_in_executor(None, os.open, path, os.O_RDONLY)
    try:
        end = offset + length
        while offset < end:
            data = await loop.run_in_executor(None, os.pread, fd, min(CHUNK, end - offset), offset)
            if not data:
                break  # the file shrank under us: end the body short rather than hang
            offset += len(data)
            more = offset < end
            await send_in_time(send, {"type": "http.response.body", "body": data, "more_body": more})
    except (OSError, TimeoutError):
        pass  # the client went away or stopped reading: the server drops the connection
    finally:
        os.close(fd)


_FRONT_SETS = (b"content-length", b"content-range", b"accept-ranges")  # nginx adds its own


async def send_by_front(params: dict[str, Any], scope: Scope, receive: Receive, send: Send, start: Message) -> None:
    """nginx in front (STUDIO_FRONT=nginx) sends the bytes with sendfile, Range and all: the answer
    names the file under its internal location instead of carrying it."""
    relative = os.path.relpath(params["path"], settings.MEDIA_ROOT)
    headers = [(n, v) for n, v in start.get("headers", []) if n.lower() not in _FRONT_SETS]
    headers.append((b"x-accel-redirect", (ACCEL_PREFIX + quote(relative)).encode()))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
