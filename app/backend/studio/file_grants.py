"""Files Django has just let a caller read, served again for a few seconds without asking it.

A player seeking through a video sends a request per slice, each the same but for its Range.
Django decides the first (who is asking, may they, which file, which headers); the edge layer
remembers that answer under everything the request said except its Range, and answers the same
request again from it for GRANT_SECONDS: the slice's bytes without a thread hop, a session or a
query. A grant is dropped when the file is gone or changed (so a deleted video stops at once),
and never replays a cookie. Another caller, host or query string is another key: Django decides.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from videos.files.ranges import parse_range
from videos.handoff import Message, Scope

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
    expires: float


Key = tuple[bytes, tuple[tuple[bytes, bytes], ...]]


def _key(scope: Scope) -> Key | None:
    if scope.get("method") not in ("GET", "HEAD"):
        return None
    headers = tuple(sorted((name, value) for name, value in scope.get("headers", []) if name not in _IGNORED))
    return scope.get("query_string", b""), headers


class FileGrants:
    def __init__(self, seconds: float = GRANT_SECONDS, limit: int = MAX_GRANTS, whole_files: bool = False) -> None:
        self.seconds = seconds
        self.limit = limit
        # Whole files go by the server's path-send, which returns before the bytes are out: a
        # flood of them from grants would all start at once (1,500 held /healthz past a second),
        # so they go through Django and its admission unless nginx in front sends them.
        self.whole_files = whole_files
        self._grants: dict[str, dict[Key, Grant]] = {}  # by path first: any other path costs one lookup
        self._count = 0

    def remember(self, scope: Scope, params: dict[str, Any], start: Message) -> None:
        """Keep Django's answer to a file request: only a plain 200/206 of a local file."""
        key = _key(scope)
        if key is None or start.get("status") not in (200, 206):
            return
        try:
            stat = os.stat(params["path"])
        except OSError:
            return
        if stat.st_size != params["size"]:
            return
        if self._count >= self.limit:
            self._grants.clear()  # a crowd of callers: start over rather than track ages
            self._count = 0
        headers = [(n, v) for n, v in start.get("headers", []) if n.lower() not in _PER_REQUEST]
        grant = Grant(params["path"], stat.st_size, stat.st_mtime_ns, headers, time.monotonic() + self.seconds)
        by_path = self._grants.setdefault(scope["path"], {})
        self._count += key not in by_path
        by_path[key] = grant

    def answer(self, scope: Scope) -> tuple[dict[str, Any], Message] | None:
        """The sender's parameters and start message for a request granted moments ago; None:
        ask Django (no grant, expired, the file changed, or a Range only Django answers)."""
        by_path = self._grants.get(scope["path"])
        key = _key(scope) if by_path else None
        grant = by_path.get(key) if by_path and key is not None else None
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
        fresh = stat is not None and (stat.st_size, stat.st_mtime_ns) == (grant.size, grant.mtime_ns)
        if not fresh or time.monotonic() > grant.expires:
            self._forget(scope["path"], key)
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

    def _forget(self, path: str, key: Key | None) -> None:
        by_path = self._grants.get(path, {})
        if by_path.pop(key, None) is not None:  # type: ignore[arg-type]
            self._count -= 1
        if not by_path:
            self._grants.pop(path, None)
