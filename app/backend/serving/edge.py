"""The ASGI layer between the server and Django: the parts of a response no request thread
should spend its time on.

Django decides (who may see what, which bytes, which headers); when its answer carries the
internal `X-Studio-Handoff` header (serving/handoff.py), this layer sends the body itself after
Django has returned — a file's bytes, or a live event stream — as a coroutine, so neither holds a
thread while a slow client reads, or keeps Django's answer to replay it for a moment
(serving/replay.py). The header never leaves the process. It also admits requests to
Django (a bounded number at once, a bounded queue, then a JSON 503; /healthz never queues)
and refuses request bodies over the limit before anyone reads them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from django.conf import settings

from serving import limits, replay
from serving.handoff import REPLAY, Handoff, Message, Receive, Scope, Send, take_from_start
from serving.replay import FileGrants, SharedAnswers
from videos import route_policy
from videos.errors import error_body
from videos.route_policy import Admission

ASGIApp = Callable[..., Awaitable[None]]  # Django's handler types its messages more narrowly

# Slices sent from grants at once (each counts until its last chunk is taken); past it, requests
# go through Django and its admission again, which spreads a flood out.
GRANTED_AT_ONCE = int(limits.default("GRANTED_AT_ONCE"))


class Edge:
    def __init__(
        self,
        app: ASGIApp,
        handoffs: dict[str, Handoff],
        waiting_app: ASGIApp | None = None,
        grants: FileGrants | None = None,
        shared: SharedAnswers | None = None,
    ) -> None:
        self.app = app
        self.grants = grants
        self.shared = shared
        self.granted_sending = 0
        self.waiting_app = waiting_app or app
        self.handoffs = handoffs
        self.slots = asyncio.Semaphore(settings.STUDIO_MAX_CONCURRENT_REQUESTS)
        self.waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.shared is not None:
            answer = self.shared.answer(scope)
            if answer is not None:  # the same question Django answered under a second ago, nothing changed since
                await send({"type": "http.response.start", "status": answer.status, "headers": answer.headers})
                await send({"type": "http.response.body", "body": answer.body})
                return
        granted = None
        if self.grants is not None and self.granted_sending < GRANTED_AT_ONCE:
            granted = self.grants.answer(scope)
        if granted is not None:  # the same request Django allowed moments ago: no thread, no query
            params, start = granted
            self.granted_sending += 1
            try:
                await self.handoffs["sendfile"](params, scope, receive, send, start)
            finally:
                self.granted_sending -= 1
            return
        too_big = _declared_too_big(scope)
        if too_big:
            await _answer(send, 413, too_big, "too_large")
            return

        if _chunked_upload(scope):
            replayed = await _read_capped(receive)
            if replayed is None:
                limit = settings.STUDIO_MAX_REQUEST_BYTES // 1024**2
                await _answer(send, 413, f"The request body is over {limit} MB, this server's limit.", "too_large")
                return
            receive = replayed

        # A handed-off response: its parameters and its held-back start message.
        handoff: tuple[dict[str, Any], Message] | None = None
        # A replayable answer: its start message and body, kept if no job changed while Django read it.
        read_after = replay.generation()
        shareable: Message | None = None
        body: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal handoff, shareable
            if message["type"] == "http.response.start":
                params = take_from_start(message)
                if params is not None and params["kind"] != REPLAY:
                    handoff = (params, message)
                    return
                if params is not None and self.shared is not None:
                    shareable = message
            elif handoff is not None:
                return  # Django's (empty) body of a handed-off response
            elif shareable is not None:
                body.append(message.get("body", b""))
            await send(message)

        admitted = route_policy.admission(scope["path"], scope.get("method", ""))
        probe, waits = admitted is Admission.PROBE, admitted is Admission.WAITS
        if not (probe or waits) and self.waiting >= settings.STUDIO_MAX_QUEUED_REQUESTS:
            # Before anything is set up for it: a flood's refusals cost the event loop little.
            busy = "The studio is busy with other requests; try again in a moment."
            await _answer(send, 503, busy, "busy", retry_after=1)
            return
        inbox = _Inbox(receive)
        try:
            if probe:
                await self.app(scope, inbox.receive, capture)  # the liveness probe never queues
            elif waits:
                # The seed's endpoint sleeps in its thread until the video is made (minutes): it
                # runs apart, so it never holds the slots everything else needs.
                await self.waiting_app(scope, inbox.receive, capture)
            elif await self._turn(inbox):
                try:
                    await self.app(scope, inbox.receive, capture)
                finally:
                    self.slots.release()
            else:
                return  # the client left while it waited: nobody would read the answer
            if shareable is not None and self.shared is not None:
                self.shared.remember(scope, read_after, shareable, b"".join(body))
            if handoff is not None:
                params, start = handoff
                if params["kind"] == "sendfile" and self.grants is not None:
                    self.grants.remember(scope, params, start)
                await self.handoffs[params["kind"]](params, scope, inbox.receive, send, start)
        finally:
            inbox.close()

    async def _turn(self, inbox: _Inbox) -> bool:
        """Wait for a free slot; False (holding none) if the client disconnects first."""
        self.waiting += 1
        acquire = asyncio.ensure_future(self.slots.acquire())
        gone = asyncio.ensure_future(inbox.gone.wait())
        try:
            await asyncio.wait({acquire, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.waiting -= 1
            gone.cancel()
            if not acquire.done():
                acquire.cancel()
        if acquire.cancelled():
            return False
        if inbox.gone.is_set():
            self.slots.release()
            return False
        return True


class _Inbox:
    """The client's messages, read as they arrive: a request waiting for its turn learns that
    its client has gone (a flood's abandoned requests are never worked on), and Django and the
    handoffs still receive every message in order."""

    def __init__(self, receive: Receive) -> None:
        self._messages: asyncio.Queue[Message] = asyncio.Queue()
        self.gone = asyncio.Event()
        self._pump = asyncio.ensure_future(self._read(receive))

    async def _read(self, receive: Receive) -> None:
        while True:
            message = await receive()
            self._messages.put_nowait(message)
            if message["type"] == "http.disconnect":
                self.gone.set()
                return

    async def receive(self) -> Message:
        return await self._messages.get()

    def close(self) -> None:
        self._pump.cancel()


def _declared_too_big(scope: Scope) -> str | None:
    limit = route_policy.body_limit(scope.get("path", ""))
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                return None  # Django answers a malformed length itself
            if declared > limit:
                return f"The request body is {declared} bytes; this server accepts at most {limit // 1024**2} MB."
    return None


def _chunked_upload(scope: Scope) -> bool:
    names = {name for name, _ in scope.get("headers", [])}
    return b"content-length" not in names and b"transfer-encoding" in names


async def _read_capped(receive: Receive) -> Receive | None:
    """A body sent without a length, read up to the (small) limit (None: over it) and replayed:
    Django would otherwise spool any amount of it to disk. A larger upload (a source clip) must
    declare its Content-Length."""
    limit, size, messages = settings.STUDIO_MAX_REQUEST_BYTES, 0, []
    while True:
        message = await receive()
        messages.append(message)
        size += len(message.get("body", b""))
        if size > limit:
            return None
        if message["type"] != "http.request" or not message.get("more_body"):
            break
    replay = iter(messages)

    async def replayed() -> Message:
        return next(replay, None) or await receive()

    return replayed


async def _answer(send: Send, status: int, message: str, code: str, retry_after: int | None = None) -> None:
    body = json.dumps(error_body(message, status=status, code=code)).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
