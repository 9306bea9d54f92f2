"""Django's WSGI handler on a small thread pool, called from the ASGI side in one hop.

Django's own ASGI handler runs each sync middleware and the (sync) view through separate
thread hops on a new thread per request; this costs one pooled-thread call per request (and
one per chunk of the rare streamed body). Measured: /healthz 484 -> ~1,100 requests/s, a job's
status 190 -> ~450 (docs/performance.md). The request body is read before the call: the
edge layer has capped it already.
"""

from __future__ import annotations

import asyncio
import io
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.http import HttpResponseBase

from serving.handoff import Receive, Scope, Send

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WSGIBridge:
    def __init__(self, app: WSGIApp, threads: int) -> None:
        self.app = app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="django")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = await _read_body(receive)
        if body is None:
            return  # the client left before it finished sending
        loop = asyncio.get_running_loop()
        status, headers, content, stream = await loop.run_in_executor(self.pool, self._call, _environ(scope, body))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if stream is not None:  # a streamed body (WhiteNoise's files): each chunk read in the pool
            try:
                while (chunk := await loop.run_in_executor(self.pool, next, stream, None)) is not None:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            finally:
                await loop.run_in_executor(self.pool, _close, stream)
        await send({"type": "http.response.body", "body": content})

    def _call(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes, Iterator[bytes] | None]:
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            started[:] = [status, headers]
            return lambda data: None  # the legacy write() callable; Django never uses it

        result = self.app(environ, start_response)
        status, headers = int(started[0].split(" ", 1)[0]), started[1]
        encoded = [(name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers]
        if isinstance(result, HttpResponseBase) and not result.streaming:
            content = b"".join(result)
            result.close()
            return status, encoded, content, None
        return status, encoded, b"", iter(result)


def _close(stream: Iterator[bytes]) -> None:
    close = getattr(stream, "close", None)
    if close is not None:
        close()


async def _read_body(receive: Receive) -> bytes | None:
    parts: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(parts)


def _environ(scope: Scope, body: bytes) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": "",
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin1"),
        "QUERY_STRING": scope["query_string"].decode("latin1"),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    server = scope.get("server") or ("localhost", 80)
    environ["SERVER_NAME"], environ["SERVER_PORT"] = server[0], str(server[1] or 0)
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for raw_name, raw_value in scope.get("headers", []):
        name, value = raw_name.decode("latin1"), raw_value.decode("latin1")
        key = {"content-length": "CONTENT_LENGTH", "content-type": "CONTENT_TYPE"}.get(name)
        key = key or "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ
