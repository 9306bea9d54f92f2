"""One GET-like request through an ASGI app in-process, as a client that stays connected sees it."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any


def request(app: Any, scope: dict[str, Any]) -> dict[str, Any]:
    """Run `scope` (no body) through `app`: its status, headers (decoded) and body."""
    sent: list[dict] = []
    asked: list[int] = []

    async def receive() -> dict:
        asked.append(1)
        if len(asked) > 1:
            await asyncio.Event().wait()  # a client that stays: no more messages
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    return {
        "status": start["status"],
        "headers": {k.decode(): v.decode() for k, v in start["headers"]},
        "body": b"".join(m.get("body", b"") for m in sent[1:]),
    }
