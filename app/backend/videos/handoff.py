"""The handoff between a Django view and the ASGI layer (studio/edge.py): a view that answers
with the internal `X-Studio-Handoff` header leaves the body to a coroutine that runs after it
returns (a file's bytes, a live event stream), so no request thread waits on a slow client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Sends a handed-off response: (its parameters, scope, receive, send, the response's start message).
Handoff = Callable[[dict[str, Any], Scope, Receive, Send, Message], Awaitable[None]]

HANDOFF_HEADER = "X-Studio-Handoff"


def handoff_value(kind: str, **params: Any) -> str:
    return json.dumps({"kind": kind, **params})


async def send_in_time(send: Send, message: Message) -> None:
    """Send, or raise TimeoutError once the client has taken nothing for the write timeout: a
    client that stops reading is dropped rather than held with its buffers."""
    await asyncio.wait_for(send(message), settings.STUDIO_WRITE_TIMEOUT_SECONDS)
