"""The one protocol between a Django view and the edge (serving/edge.py): the internal
`X-Studio-Handoff` header, a JSON object whose `kind` says what the edge does with the answer.

- `sendfile`, `events`: the edge sends the body itself after the view has returned (a file's
  bytes, a live event stream), as a coroutine, so no request thread waits on a slow client.
- `replay`: Django's own answer, which the edge may give again for a moment to the same request
  (serving/replay.py, SharedAnswers).

The header never leaves the process.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

from django.conf import settings
from django.http.response import HttpResponseBase

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
# Sends a handed-off response: (its parameters, scope, receive, send, the response's start message).
Handoff = Callable[[dict[str, Any], Scope, Receive, Send, Message], Awaitable[None]]

HANDOFF_HEADER = "X-Studio-Handoff"
REPLAY = "replay"
_HEADER = HANDOFF_HEADER.lower().encode()
R = TypeVar("R", bound=HttpResponseBase)


def handoff_value(kind: str, **params: Any) -> str:
    return json.dumps({"kind": kind, **params})


def hand_off(response: R, kind: str, **params: Any) -> R:
    response[HANDOFF_HEADER] = handoff_value(kind, **params)
    return response


def mark_replayable(response: R) -> R:
    """A crowd asking the same question gets this answer again for up to a second."""
    return hand_off(response, REPLAY)


def take_handoff(response: HttpResponseBase) -> dict[str, Any] | None:
    """The handoff a view asked for, removed from its response (None: none)."""
    if not response.has_header(HANDOFF_HEADER):
        return None
    params: dict[str, Any] = json.loads(response[HANDOFF_HEADER])
    del response[HANDOFF_HEADER]
    return params


def take_from_start(start: Message) -> dict[str, Any] | None:
    """The same, from the ASGI start message of a response (the edge's side)."""
    headers = start.get("headers", [])
    found = [value for name, value in headers if name.lower() == _HEADER]
    if not found:
        return None
    start["headers"] = [(n, v) for n, v in headers if n.lower() != _HEADER]
    params: dict[str, Any] = json.loads(found[0])
    return params


async def send_in_time(send: Send, message: Message) -> None:
    """Send, or raise TimeoutError once the client has taken nothing for the write timeout: a
    client that stops reading is dropped rather than held with its buffers."""
    await asyncio.wait_for(send(message), settings.STUDIO_WRITE_TIMEOUT_SECONDS)
