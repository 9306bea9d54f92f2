"""Answers given again for a moment without asking again: one cache, three uses.

- FileGrants: a player seeking through a video sends a request per slice, each the same but for
  its Range. Django decides the first (who is asking, may they, which file, which headers); the
  edge answers the same request again from it for GRANT_SECONDS: the slice's bytes without a
  thread hop, a session or a query. A grant is dropped when the file is gone or changed (a
  deleted video stops at once), and never replays a cookie. Another caller, host or query
  string is another key: Django decides.
- SharedAnswers: a crowd polling a job asks the same question many times a second. Django marks
  its answer replayable (serving/handoff.py); the edge gives it to the same request (path,
  query, client address and every header alike) for SHARED_SECONDS. Any change to a job in this
  process forgets every such answer at once (`forget_all`, and again when its transaction
  commits), so a client that cancels a job and polls reads the change. Used only where jobs
  change in this process: with Celery workers a change would be seen up to a second late.
- ReplayCache.value: run times and queue counts for ETAs (videos/jobs/eta.py), shared by every
  request of this process for up to a second in the same way.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from serving.handoff import Message, Scope
from serving.ranges import parse_range

V = TypeVar("V")

_changes = itertools.count(1)
_generation = 0  # which changes a value was read after; a new value forgets every kept one


def generation() -> int:
    return _generation


def forget_all() -> None:
    """A job changed in this process: nothing read before now that follows changes is given
    again. Thread-safe: each call takes a number never used before."""
    global _generation
    _generation = next(_changes)


@dataclass(frozen=True)
class _Kept(Generic[V]):
    value: V
    generation: int
    expires: float


class ReplayCache(Generic[V]):
    """Values by (path, key), each kept `seconds`; with `follows_changes`, forgotten by
    `forget_all`. Over `limit` it starts over rather than track ages (a crowd of callers)."""

    def __init__(self, seconds: float, limit: int, follows_changes: bool) -> None:
        self.seconds = seconds
        self.limit = limit
        self.follows_changes = follows_changes
        self._kept: dict[str, dict[Hashable, _Kept[V]]] = {}  # by path first: any other path costs one lookup
        self._count = 0
        self._lock = threading.Lock()  # the edge uses it from the event loop, the ETAs from threads

    def knows(self, path: str) -> bool:
        return path in self._kept

    def get(self, path: str, key: Hashable) -> V | None:
        found = self._current(path, key)
        return found.value if found is not None else None

    def _current(self, path: str, key: Hashable) -> _Kept[V] | None:
        by_path = self._kept.get(path)
        found = by_path.get(key) if by_path else None
        if found is None:
            return None
        stale = self.follows_changes and found.generation != _generation
        if stale or time.monotonic() > found.expires:
            self.drop(path, key)
            return None
        return found

    def put(self, path: str, key: Hashable, value: V, read_after: int | None = None) -> None:
        """Keep `value`; when it follows changes, only if none happened since `read_after`
        (the generation taken before it was read)."""
        read_after = _generation if read_after is None else read_after
        if self.follows_changes and read_after != _generation:
            return
        with self._lock:
            if self._count >= self.limit:
                self._kept.clear()
                self._count = 0
            by_path = self._kept.setdefault(path, {})
            self._count += key not in by_path
            by_path[key] = _Kept(value, read_after, time.monotonic() + self.seconds)

    def drop(self, path: str, key: Hashable) -> None:
        with self._lock:
            by_path = self._kept.get(path, {})
            if by_path.pop(key, None) is not None:
                self._count -= 1
            if not by_path:
                self._kept.pop(path, None)

    def value(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The kept value for `key` (None too), or `compute()`'s, kept."""
        found = self._current("", key)
        if found is not None:
            return found.value
        read_after = _generation
        computed = compute()
        self.put("", key, computed, read_after)
        return computed


# --- file grants ------------------------------------------------------------------------------

GRANT_SECONDS = 5.0  # how long a signed-out session or a revoked rule can still read a file it just read
MAX_GRANTS = 4096
_PER_REQUEST = {b"content-length", b"content-range", b"set-cookie", b"date"}
_IGNORED = {b"range", b"if-range"}  # the sender answers Range itself


@dataclass(frozen=True)
class Grant:
    path: str
    size: int
    mtime_ns: int
    headers: list[tuple[bytes, bytes]]


def _grant_key(scope: Scope) -> Hashable | None:
    if scope.get("method") not in ("GET", "HEAD"):
        return None
    headers = tuple(sorted((name, value) for name, value in scope.get("headers", []) if name not in _IGNORED))
    return scope.get("query_string", b""), headers


class FileGrants:
    def __init__(self, seconds: float = GRANT_SECONDS, limit: int = MAX_GRANTS, whole_files: bool = False) -> None:
        self.cache: ReplayCache[Grant] = ReplayCache(seconds, limit, follows_changes=False)
        # Whole files go by the server's path-send, which returns before the bytes are out: a
        # flood of them from grants would all start at once (1,500 held /healthz past a second),
        # so they go through Django and its admission unless nginx in front sends them.
        self.whole_files = whole_files

    def remember(self, scope: Scope, params: dict[str, Any], start: Message) -> None:
        """Keep Django's answer to a file request: only a plain 200/206 of a local file."""
        key = _grant_key(scope)
        if key is None or start.get("status") not in (200, 206):
            return
        try:
            stat = os.stat(params["path"])
        except OSError:
            return
        if stat.st_size != params["size"]:
            return
        headers = [(n, v) for n, v in start.get("headers", []) if n.lower() not in _PER_REQUEST]
        self.cache.put(scope["path"], key, Grant(params["path"], stat.st_size, stat.st_mtime_ns, headers))

    def answer(self, scope: Scope) -> tuple[dict[str, Any], Message] | None:
        """The sender's parameters and start message for a request granted moments ago; None:
        ask Django (no grant, expired, the file changed, or a Range only Django answers)."""
        key = _grant_key(scope) if self.cache.knows(scope["path"]) else None
        grant = self.cache.get(scope["path"], key) if key is not None else None
        if grant is None:
            return None
        asked = next((value for name, value in scope["headers"] if name == b"range"), None)
        wanted = parse_range(asked.decode("latin-1"), grant.size) if asked is not None else None
        if wanted == "bad":
            return None  # Django answers the 416
        if not self.whole_files and (not isinstance(wanted, tuple) or wanted == (0, grant.size - 1)):
            return None  # a whole file: Django and its admission (see whole_files), before any stat
        try:
            stat = os.stat(grant.path)
        except OSError:
            stat = None
        if stat is None or (stat.st_size, stat.st_mtime_ns) != (grant.size, grant.mtime_ns):
            self.cache.drop(scope["path"], key)
            return None
        headers = list(grant.headers)
        if isinstance(wanted, tuple):
            first, last = wanted
            status = 206
            headers.append((b"content-range", f"bytes {first}-{last}/{grant.size}".encode()))
        else:
            first, last, status = 0, grant.size - 1, 200
        length = max(last - first + 1, 0)
        headers.append((b"content-length", str(length).encode()))
        params = {"path": grant.path, "offset": first, "length": length, "size": grant.size}
        return params, {"type": "http.response.start", "status": status, "headers": headers}


# --- shared status answers --------------------------------------------------------------------

SHARED_SECONDS = 1.0
MAX_ANSWERS = 4096
_NOT_REPLAYED = {b"date"}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def _answer_key(scope: Scope) -> Hashable | None:
    if scope.get("method") != "GET":
        return None
    client = scope.get("client") or ("",)
    return scope.get("query_string", b""), client[0], tuple(sorted(scope.get("headers", [])))


class SharedAnswers:
    def __init__(self, seconds: float = SHARED_SECONDS, limit: int = MAX_ANSWERS) -> None:
        self.cache: ReplayCache[Answer] = ReplayCache(seconds, limit, follows_changes=True)

    def answer(self, scope: Scope) -> Answer | None:
        if not self.cache.knows(scope["path"]):
            return None
        key = _answer_key(scope)
        return self.cache.get(scope["path"], key) if key is not None else None

    def remember(self, scope: Scope, read_after: int, start: Message, body: bytes) -> None:
        """Keep a replayable 200 read after change `read_after` (taken before Django ran)."""
        key = _answer_key(scope)
        headers = start.get("headers", [])
        if key is None or start.get("status") != 200:
            return
        if any(name == b"set-cookie" for name, _ in headers):
            return  # a cookie is one response's, never replayed
        kept = [(n, v) for n, v in headers if n not in _NOT_REPLAYED]
        self.cache.put(scope["path"], key, Answer(200, kept, body), read_after)
