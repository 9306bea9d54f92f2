"""Server-sent event streams of job changes: the view half (who may open one, the caps) and
the half that runs as a coroutine after the view has returned (see serving/edge.py)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from serving.handoff import Message, Receive, Scope, Send, hand_off, send_in_time
from videos.errors import error_response
from videos.live.hub import CLOSE, Subscriber, hub

KEEPALIVE_SECONDS = 15.0


def open_stream(request: HttpRequest, owner: str | None, job_id: str | None = None) -> HttpResponse:
    """A 200 whose body the ASGI layer streams, or a JSON 429 when over a stream cap."""
    response = HttpResponse(content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not buffer the stream
    if request.META.get("REQUEST_METHOD") == "HEAD":  # the headers alone: no stream, no slot held
        return response
    client = f"user:{owner}" if owner else f"addr:{request.META.get('REMOTE_ADDR', '')}"
    refused = hub.reserve(client)
    if refused:
        response = error_response(refused, status=429, code="too_many_streams")
        response["Retry-After"] = "5"
        return response
    return hand_off(response, "events", owner=owner, job_id=job_id, client=client)


async def run_stream(params: dict[str, Any], scope: Scope, receive: Receive, send: Send, start: Message) -> None:
    client: str = params["client"]
    subscriber = Subscriber(owner=params["owner"], job_id=params["job_id"])
    disconnected = asyncio.ensure_future(_until_disconnect(receive))
    try:
        start["headers"] = [(n, v) for n, v in start["headers"] if n.lower() != b"content-length"]
        await send_in_time(send, start)
        await _body(send, "retry: 2000\n\n")
        hub.subscribe(subscriber)
        ends_at = time.monotonic() + settings.VIDEO_EVENTS_MAX_SECONDS
        while not disconnected.done():
            left = ends_at - time.monotonic()
            if left <= 0:
                break
            frame_wait = asyncio.ensure_future(subscriber.frames.get())
            done, _ = await asyncio.wait(
                {frame_wait, disconnected}, timeout=min(KEEPALIVE_SECONDS, left), return_when=asyncio.FIRST_COMPLETED
            )
            if frame_wait not in done:
                frame_wait.cancel()
                if not disconnected.done():
                    await _body(send, ": keep-alive\n\n")
                continue
            frame = frame_wait.result()
            if frame == CLOSE:
                break
            await _body(send, frame)
        if not disconnected.done():
            await send_in_time(send, {"type": "http.response.body", "body": b"", "more_body": False})
    except (OSError, TimeoutError):
        pass  # the client went away or stopped reading: nothing left to tell it
    finally:
        hub.unsubscribe(subscriber)
        hub.release(client)
        disconnected.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await disconnected


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _body(send: Send, text: str) -> None:
    await send_in_time(send, {"type": "http.response.body", "body": text.encode(), "more_body": True})
