"""A job's status answer, given again for up to a second to the same request, without Django.

A crowd polling a job asks the same question many times a second. Django answers it (who is
asking, may they, what the job says now) and marks the answer shareable with the internal
`X-Studio-Shared` header; the edge layer (studio/edge.py) then gives that answer to the same
request (path, query, client address and every header alike) for SHARED_SECONDS: no thread
hop, session or query. Any change to a job in this process forgets every shared answer at once
(and again when its transaction commits), so a client that cancels a job and polls reads the
change; only the clock fields (elapsed, ETA) can be a second old. Used only where jobs change
in this process: with Celery workers a change would be seen up to a second late.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from django.db import transaction

from videos.handoff import Message, Scope

SHARED_HEADER = "X-Studio-Shared"
SHARED_SECONDS = 1.0
MAX_ANSWERS = 4096
_SHARED = SHARED_HEADER.lower().encode()
_PER_RESPONSE = {b"date", _SHARED}

_changes = itertools.count(1)
_generation = 0  # which changes an answer was read after; a new value forgets every answer


def generation() -> int:
    return _generation


def forget_all() -> None:
    """A job changed in this process: no answer read before now is given again. Thread-safe:
    each call takes a number never used before."""
    global _generation
    _generation = next(_changes)


def job_changed() -> None:
    forget_all()
    transaction.on_commit(forget_all)  # a request may read the old row until the change commits


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    generation: int
    expires: float


Key = tuple[str, bytes, str, tuple[tuple[bytes, bytes], ...]]


def _key(scope: Scope) -> Key | None:
    if scope.get("method") != "GET":
        return None
    client = scope.get("client") or ("",)
    headers = tuple(sorted(scope.get("headers", [])))
    return scope["path"], scope.get("query_string", b""), client[0], headers


def is_shareable(start: Message) -> bool:
    """Django marked this answer shareable (the header is then dropped before it is sent)."""
    headers = start.get("headers", [])
    found = any(name == _SHARED for name, _ in headers)
    if found:
        start["headers"] = [(n, v) for n, v in headers if n != _SHARED]
    return found


class SharedAnswers:
    def __init__(self, seconds: float = SHARED_SECONDS, limit: int = MAX_ANSWERS) -> None:
        self.seconds = seconds
        self.limit = limit
        self._answers: dict[Key, Answer] = {}

    def answer(self, scope: Scope) -> Answer | None:
        if not self._answers:
            return None
        key = _key(scope)
        found = self._answers.get(key) if key is not None else None
        if found is None or key is None:
            return None
        if found.generation != _generation or time.monotonic() > found.expires:
            del self._answers[key]
            return None
        return found

    def remember(self, scope: Scope, read_after: int, start: Message, body: bytes) -> None:
        """Keep a shareable 200 read after change `read_after` (taken before Django ran)."""
        key = _key(scope)
        headers = start.get("headers", [])
        if key is None or start.get("status") != 200 or read_after != _generation:
            return
        if any(name == b"set-cookie" for name, _ in headers):
            return  # a cookie is one response's, never replayed
        if len(self._answers) >= self.limit:
            self._answers.clear()  # a crowd of callers: start over rather than track ages
        kept = [(n, v) for n, v in headers if n not in _PER_RESPONSE]
        self._answers[key] = Answer(200, kept, body, read_after, time.monotonic() + self.seconds)
