"""Sends a local file's bytes once the view has answered with a handoff (see studio/edge.py).

The bytes are read in chunks off the event loop and written as the client takes them (the
server's send waits while the socket is full), so a client that stops reading is dropped after
STUDIO_WRITE_TIMEOUT_SECONDS instead of pinning a file and its buffers. (granian's path-send
was no faster here, measured with bench/serve.py, and it never times out a stalled reader.)
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from django.conf import settings

from videos.handoff import Message, Receive, Scope, Send

CHUNK = 64 * 1024  # in flight per connection: 2,000 stalled downloads held 430 MB of memory, 840 MB at 256 KiB


async def send_file(params: dict[str, Any], scope: Scope, receive: Receive, send: Send, start: Message) -> None:
    path, offset, length = params["path"], int(params["offset"]), int(params["length"])
    timeout = settings.STUDIO_WRITE_TIMEOUT_SECONDS
    await send(start)
    if scope["method"] == "HEAD" or length == 0:
        await send({"type": "http.response.body", "body": b""})
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
            await asyncio.wait_for(send({"type": "http.response.body", "body": data, "more_body": more}), timeout)
    finally:
        os.close(fd)
