"""A loopback server that implements OpenAI's published Videos API strictly, for testing the
`openai` provider against the contract itself rather than against a second studio.

Real HTTP on 127.0.0.1 under `/v1`, with OpenAI's shapes (the `openai` SDK's types and docs are
the reference):
- `POST /v1/videos`: multipart/form-data only (JSON or a urlencoded form: 400); `prompt`
  required; `model` one of OpenAI's (default sora-2); `size` one of its four sizes and `seconds`
  one of "4", "8", "12"; `input_reference` an image file the size of the video; any other field:
  400 `unknown_parameter`.
- `POST /v1/videos/extensions` (`prompt`, `seconds` 4-20, `video`) and `POST /v1/videos/edits`
  (`prompt`, `video`): multipart, the video an uploaded MP4 or `video[id]` of a completed one.
- `POST /v1/videos/{id}/remix` (JSON `{"prompt"}`), `GET /v1/videos`, `GET /v1/videos/{id}`
  (with `openai-poll-after-ms` when `poll_after_ms` is set), `GET /v1/videos/{id}/content`
  (`variant` video | thumbnail | spritesheet; 404 until the video has completed), `DELETE
  /v1/videos/{id}` (`{"id", "object": "video.deleted", "deleted": true}`).
- Every error is OpenAI's envelope `{"error": {"message", "type", "param", "code"}}`; an unknown
  route is 404 "Invalid URL (METHOD /path)"; a missing or wrong Bearer key is 401.

Videos run for `run_seconds` (queued for the first fifth), then complete, or fail with
`fail_with` (e.g. `{"code": "moderation_blocked", "message": ...}`) when that was set as they
were made. `hold` keeps every video in progress until cleared; `create_delay` delays the answer
to a create (the video already exists). A deleted video stays visible
(and busy) for `delete_delay` seconds, then answers 404. `max_alive` is the most videos that were
queued or in progress at once (one accelerator: a client with concurrency 1 never makes it 2).

Faults: `inject(route, status, times=1, headers=..., code=...)` answers the next `times`
requests of a route (create, extend, edit, remix, retrieve, content, delete; times=None: all of
them) with that status and an error envelope instead. Every request is recorded in `seen`.

The checks of a request's fields, and the shapes of a request and a video, are
tests/support/openai_contract.py; this module holds the server and its videos' life.
"""

from __future__ import annotations

import io
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from tests.support.media import tiny_mp4
from tests.support.openai_contract import (
    MP4_BOXES,
    ApiError,
    Part,
    Seen,
    Video,
    content_variant,
    create_fields,
    extend_or_edit_fields,
    parse_multipart,
    remix_prompt,
)
from tests.support.upstream_answers import send


class _Server(ThreadingHTTPServer):
    request_queue_size = 64
    daemon_threads = True


@dataclass
class StrictOpenAI:
    key: str = "sk-strict-sentinel-5d1e"
    run_seconds: float = 0.3
    poll_after_ms: int | None = None
    fail_with: dict | None = None  # the error of videos made while it is set
    hold: bool = False  # videos stay in progress until this is cleared
    delete_delay: float = 0.0
    check_reference_size: bool = True  # OpenAI wants input_reference at the video's size
    content_not_ready_status: int = 404
    create_delay: float = 0.0  # seconds a create (extend, edit, remix) takes to answer, its video already made
    seen: list[Seen] = field(default_factory=list)
    videos: dict[str, Video] = field(default_factory=dict)
    max_alive: int = 0
    outputs: dict[str, bytes] = field(
        default_factory=lambda: {
            "create": tiny_mp4(8),
            "remix": tiny_mp4(8),
            "extend": tiny_mp4(16),
            "edit": tiny_mp4(12),
        }
    )

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._faults: dict[str, list[tuple[int | None, int, dict[str, str], str | None]]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server._handle(self, "GET")

            def do_POST(self) -> None:
                server._handle(self, "POST")

            def do_DELETE(self) -> None:
                server._handle(self, "DELETE")

            def do_PUT(self) -> None:
                server._handle(self, "PUT")

            def do_PATCH(self) -> None:
                server._handle(self, "PATCH")

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # --- for tests --------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL a client is given (OpenAI's `https://api.openai.com/v1`)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(
        self,
        route: str,
        status: int,
        *,
        times: int | None = 1,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ) -> None:
        """Answer the next `times` requests of `route` (None: every one) with `status`."""
        with self._lock:
            self._faults.setdefault(route, []).append((times, status, dict(headers or {}), code))

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def requests(self, method: str, path: str) -> list[Seen]:
        """What came for `path` (relative to /v1; a trailing '*' matches any rest)."""
        full = "/v1" + path
        with self._lock:
            seen = list(self.seen)
        if full.endswith("*"):
            return [s for s in seen if s.method == method and s.path.startswith(full[:-1])]
        return [s for s in seen if s.method == method and s.path == full]

    def status_of(self, video: Video, now: float | None = None) -> str:
        now = time.monotonic() if now is None else now
        if video.deleted_at is not None:
            now = min(now, video.deleted_at)  # a deleted video's work stops there
        elapsed = now - video.started
        if self.hold or elapsed < video.run_seconds:
            return "queued" if elapsed < video.run_seconds / 5 and not self.hold else "in_progress"
        return "failed" if video.error else "completed"

    def gone(self, video: Video, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        return video.deleted_at is not None and now >= video.deleted_at + self.delete_delay

    def alive(self) -> list[str]:
        """Videos the 'accelerator' is working on now: queued or in progress, not yet gone."""
        now = time.monotonic()
        with self._lock:
            return [
                v.id
                for v in self.videos.values()
                if not self.gone(v, now) and self.status_of(v, now) in ("queued", "in_progress")
            ]

    def visible(self) -> list[str]:
        """Videos that exist (not deleted), whatever their status."""
        with self._lock:
            return [v.id for v in self.videos.values() if v.deleted_at is None]

    # --- the API ----------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        try:
            length = int(h.headers.get("content-length") or 0)
        except ValueError:
            length = 0
        raw = h.rfile.read(length) if length else b""
        split = urlsplit(h.path)
        ctype = (h.headers.get("content-type") or "").split(";")[0].strip().lower()
        seen = Seen(method, split.path, parse_qs(split.query), {k.lower(): v for k, v in h.headers.items()}, ctype)
        try:
            if ctype == "multipart/form-data":
                seen.fields, seen.files = parse_multipart(h.headers.get("content-type", ""), raw)
            elif ctype == "application/json" and raw:
                seen.json = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            seen.json = None
        with self._lock:
            self.seen.append(seen)
        try:
            if h.headers.get("authorization") != f"Bearer {self.key}":
                raise ApiError(
                    401,
                    "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
                    code="invalid_api_key",
                )
            status, body, headers = self._route(method, split.path, seen, raw)
        except ApiError as exc:
            kind = "invalid_request_error" if exc.status < 500 else "server_error"
            error = {"message": exc.message, "type": kind, "param": exc.param, "code": exc.code}
            status, body, headers = exc.status, {"error": error}, exc.headers
        if isinstance(body, bytes):
            ctype_out = "video/mp4" if body[4:8] in MP4_BOXES else "image/jpeg"
            return self._send(h, status, ctype_out, body, headers)
        return self._send(h, status, "application/json", json.dumps(body).encode(), headers)

    def _fault(self, route: str) -> None:
        with self._lock:
            queue = self._faults.get(route) or []
            if not queue:
                return
            times, status, headers, code = queue[0]
            if times is not None:
                if times <= 1:
                    queue.pop(0)
                else:
                    queue[0] = (times - 1, status, headers, code)
        message = "The server had an error while processing your request. Sorry about that!"
        if status < 500:
            message = f"Injected HTTP {status}."
        raise ApiError(status, message, code=code, headers=headers)

    def _route(self, method: str, path: str, seen: Seen, raw: bytes) -> tuple[int, object, dict[str, str]]:
        parts = path.strip("/").split("/")
        if parts[:2] != ["v1", "videos"]:
            raise ApiError(404, f"Invalid URL ({method} {path})")
        rest = parts[2:]
        if rest == [] and method == "POST":
            self._fault("create")
            return self._create(seen)
        if rest == [] and method == "GET":
            with self._lock:
                data = [self._object(v) for v in self.videos.values() if v.deleted_at is None]
            return 200, {"object": "list", "data": data[::-1], "has_more": False}, {}
        if rest == ["extensions"] and method == "POST":
            self._fault("extend")
            return self._extend_or_edit(seen, "extend")
        if rest == ["edits"] and method == "POST":
            self._fault("edit")
            return self._extend_or_edit(seen, "edit")
        if len(rest) == 1 and method in ("GET", "DELETE"):
            self._fault("retrieve" if method == "GET" else "delete")
            video = self._find(rest[0])
            if method == "DELETE":
                with self._lock:
                    video.deleted_at = time.monotonic()
                return 200, {"id": video.id, "object": "video.deleted", "deleted": True}, {}
            return 200, self._object(video), self._poll_after()
        if len(rest) == 2 and rest[1] == "content" and method == "GET":
            self._fault("content")
            return self._content(self._find(rest[0]), seen)
        if len(rest) == 2 and rest[1] == "remix" and method == "POST":
            self._fault("remix")
            return self._remix(self._find(rest[0]), seen)
        raise ApiError(404, f"Invalid URL ({method} {path})")

    def _create(self, seen: Seen) -> tuple[int, object, dict[str, str]]:
        model, prompt, size, seconds, upload = create_fields(seen, self.check_reference_size)
        return self._made(self._start("create", model, prompt, size, seconds, upload=upload))

    def _extend_or_edit(self, seen: Seen, kind: str) -> tuple[int, object, dict[str, str]]:
        prompt, seconds, upload = extend_or_edit_fields(seen, kind)
        source = None
        if upload is None and "video[id]" in seen.fields:
            source = self._find(seen.fields["video[id]"])
            if self.status_of(source) != "completed":
                raise ApiError(400, f"Video {source.id} is not completed.", "video", "invalid_value")
        elif upload is None:
            raise ApiError(400, "Missing required parameter: 'video'.", "video", "missing_required_parameter")
        size = source.size if source else "720x1280"
        video = self._start(kind, "sora-2", prompt, size, seconds, upload=upload)
        video.source_id = source.id if source else None
        return self._made(video)

    def _remix(self, source: Video, seen: Seen) -> tuple[int, object, dict[str, str]]:
        prompt = remix_prompt(seen)
        if self.status_of(source) != "completed":
            raise ApiError(
                400, f"Video {source.id} is not completed; only completed videos can be remixed.", "video_id"
            )
        video = self._start("remix", source.model, prompt, source.size, source.seconds)
        video.remixed_from_video_id = source.id
        return self._made(video)

    def _content(self, video: Video, seen: Seen) -> tuple[int, object, dict[str, str]]:
        variant = content_variant(seen)
        if self.status_of(video) != "completed":
            raise ApiError(
                self.content_not_ready_status,
                f"Video {video.id} has no content: it is {self.status_of(video)}.",
                None,
                "video_not_ready" if self.status_of(video) != "failed" else "video_failed",
            )
        if variant == "video":
            return 200, self.outputs[video.kind], {}
        return 200, _jpeg(), {}

    # --- pieces -----------------------------------------------------------------------------

    def _start(self, kind: str, model: str, prompt: str, size: str, seconds: str, upload: Part | None = None) -> Video:
        video = Video(
            id=f"video_{uuid.uuid4().hex}",
            kind=kind,
            model=model,
            prompt=prompt,
            size=size,
            seconds=seconds,
            started=time.monotonic(),
            run_seconds=self.run_seconds,
            error=dict(self.fail_with) if self.fail_with else None,
            upload=upload,
        )
        with self._lock:
            self.videos[video.id] = video
            self.max_alive = max(self.max_alive, len(self.alive()))
        return video

    def _made(self, video: Video) -> tuple[int, object, dict[str, str]]:
        time.sleep(self.create_delay)
        return 200, self._object(video), self._poll_after()

    def _find(self, video_id: str) -> Video:
        with self._lock:
            video = self.videos.get(video_id)
            if video is None or self.gone(video):
                raise ApiError(404, f"Video with id '{video_id}' not found.", None, "video_not_found")
            return video

    def _object(self, video: Video) -> dict:
        status = self.status_of(video)
        elapsed = time.monotonic() - video.started
        done = status in ("completed", "failed")
        return {
            "id": video.id,
            "object": "video",
            "model": video.model,
            "status": status,
            "progress": 100 if done else min(99, int(100 * elapsed / max(video.run_seconds, 0.01))),
            "created_at": video.created_at,
            "completed_at": int(time.time()) if done else None,
            "expires_at": None,
            "prompt": video.prompt,
            "remixed_from_video_id": video.remixed_from_video_id,
            "seconds": video.seconds,
            "size": video.size,
            "error": video.error if status == "failed" else None,
        }

    def _poll_after(self) -> dict[str, str]:
        return {} if self.poll_after_ms is None else {"openai-poll-after-ms": str(self.poll_after_ms)}

    def _send(
        self, h: BaseHTTPRequestHandler, code: int, ctype: str, body: bytes, headers: dict[str, str] | None = None
    ) -> None:
        send(h, code, ctype, body, {"x-request-id": f"req_{uuid.uuid4().hex[:16]}", **(headers or {})})


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 90, 160)).save(buffer, format="JPEG")
    return buffer.getvalue()
