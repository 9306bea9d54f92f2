"""A loopback server for OpenAI's chat completions API, strict about the request shape the
official `openai` client sends, for testing the prompt enhancer (videos/prompts/).

Real HTTP on 127.0.0.1; `url` is the base URL (`.../v1`, the client's base_url). Only
`POST /v1/chat/completions` exists (anything else: 404 "Invalid URL (METHOD /path)", as OpenAI
answers); it needs `Authorization: Bearer <key>` (else 401), `Content-Type: application/json`, a
JSON object whose fields are chat completions parameters (another: 400 "Unrecognized request
argument supplied"), `model` the served one (else 404 model_not_found), and `messages` a non-empty
list of `{role, content}` with known roles and, for content given as parts, `text` and
`image_url` parts only (an image as an http(s) URL or a base64 data URL). Errors are OpenAI's
envelope. Every request is recorded in `seen`.

`mode` sets the answer: `ok` (a chat.completion with `answer`), `sse` (the answer streamed as
Server-Sent Events even when `"stream": false` was asked; a request with `"stream": true` is
always streamed), `status:<code>` (an error envelope; `retry_after` adds Retry-After, and a 401
quotes the key it was sent, as a careless server might), `garbage` (200 with an HTML page). `held`
makes every answer wait until `release()` (or close): a time-out raced against it cannot lose.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.upstream_answers import send, send_json

BASE = "/v1"
MAX_HOLD_SECONDS = 300.0  # a held answer nobody releases goes on after this
ROLES = {"system", "developer", "user", "assistant", "tool"}
# The chat completions parameters (openai's CompletionCreateParams); any other is refused.
PARAMETERS = {
    "messages", "model", "audio", "frequency_penalty", "function_call", "functions", "logit_bias", "logprobs",
    "max_completion_tokens", "max_tokens", "metadata", "modalities", "n", "parallel_tool_calls", "prediction",
    "presence_penalty", "prompt_cache_key", "reasoning_effort", "response_format", "safety_identifier", "seed",
    "service_tier", "stop", "store", "stream", "stream_options", "temperature", "tool_choice", "tools",
    "top_logprobs", "top_p", "user", "verbosity", "web_search_options",
}  # fmt: skip
DATA_URL = re.compile(r"data:image/(png|jpeg|webp|gif);base64,([A-Za-z0-9+/=]+)")


@dataclass
class Seen:
    path: str
    headers: dict[str, str]  # names in lower case
    body: object


class ApiError(Exception):
    def __init__(self, status: int, message: str, kind: str = "invalid_request_error", code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.kind, self.code = status, message, kind, code


class _Server(ThreadingHTTPServer):
    daemon_threads = True


@dataclass
class ChatServer:
    key: str = "sk-enhancer-secret-5be1d0c3"
    model: str = "tiny-director"
    answer: str = "A wide shot of a red kite over golden dunes at dusk, the camera tracking slowly beside it."
    mode: str = "ok"
    retry_after: str | None = None
    seen: list[Seen] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._released = threading.Event()
        self._released.set()
        chat = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                chat._handle(self)

            def do_GET(self) -> None:
                chat._handle(self)

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{BASE}"

    @property
    def held(self) -> bool:
        return not self._released.is_set()

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def last(self) -> dict:
        """The body of the last request (a dict: the tests read it after a 200)."""
        body = self.seen[-1].body
        assert isinstance(body, dict), body
        return body

    # --- the server ---------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        raw = h.rfile.read(int(h.headers.get("content-length") or 0))
        try:
            body: object = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        self.seen.append(Seen(h.path, {name.lower(): value for name, value in h.headers.items()}, body))
        try:
            streamed = self._check(h, body)
        except ApiError as exc:
            error = {"message": exc.message, "type": exc.kind, "param": None, "code": exc.code}
            return send_json(h, exc.status, {"error": error})
        self._released.wait(MAX_HOLD_SECONDS)
        if self.mode.startswith("status:"):
            return self._error(h, int(self.mode.split(":")[1]))
        if self.mode == "garbage":
            return send(h, 200, "text/html", b"<html><body>Welcome to nginx!</body></html>")
        if self.mode == "sse" or streamed:
            return self._stream(h)
        message: dict[str, object] = {"role": "assistant", "content": self.answer, "refusal": None, "annotations": []}
        send_json(
            h,
            200,
            {
                "id": f"chatcmpl-{uuid.uuid4().hex}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": self.model,
                "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 30, "total_tokens": 80},
            },
        )
        return None

    def _check(self, h: BaseHTTPRequestHandler, body: object) -> bool:
        """Refuse what OpenAI refuses; True when the request asks for a streamed answer."""
        if h.command != "POST" or h.path != f"{BASE}/chat/completions":
            raise ApiError(404, f"Invalid URL ({h.command} {h.path})")
        if h.headers.get("authorization") != f"Bearer {self.key}":
            raise ApiError(401, "You didn't provide a valid API key.", code="invalid_api_key")
        if (h.headers.get("content-type") or "").split(";")[0].strip() != "application/json":
            raise ApiError(400, "Content-Type must be application/json.")
        if not isinstance(body, dict):
            raise ApiError(400, "We could not parse the JSON body of your request.")
        unknown = sorted(set(body) - PARAMETERS)
        if unknown:
            raise ApiError(400, f"Unrecognized request argument supplied: {unknown[0]}")
        if body.get("model") != self.model:
            raise ApiError(404, f"The model `{body.get('model')}` does not exist.", code="model_not_found")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise ApiError(400, "messages: a non-empty array is required.")
        for index, message in enumerate(messages):
            _check_message(index, message)
        if "stream" in body and not isinstance(body["stream"], bool):
            raise ApiError(400, "stream: a boolean is required.")
        return body.get("stream") is True

    def _error(self, h: BaseHTTPRequestHandler, status: int) -> None:
        headers = {"Retry-After": self.retry_after} if self.retry_after else None
        message = {
            401: f"Incorrect API key provided: {h.headers.get('authorization', '')[7:]}.",
            429: "Rate limit reached for requests.",
        }.get(status, "The server had an error while processing your request.")
        error = {"message": message, "type": "server_error", "param": None, "code": None}
        send_json(h, status, {"error": error}, headers)

    def _stream(self, h: BaseHTTPRequestHandler) -> None:
        """The answer word by word, as `chat.completion.chunk` events, then `[DONE]`."""
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream; charset=utf-8")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Connection", "close")
        h.end_headers()
        ident, words = f"chatcmpl-{uuid.uuid4().hex}", self.answer.split(" ")
        deltas = [{"role": "assistant", "content": ""}]
        deltas += [{"content": word if i == 0 else " " + word} for i, word in enumerate(words)]
        try:
            for index, delta in enumerate([*deltas, {}]):
                done = index == len(deltas)
                chunk = {
                    "id": ident,
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": self.model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": "stop" if done else None}],
                }
                h.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                h.wfile.flush()
            h.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True


def _check_message(index: int, message: object) -> None:
    where = f"messages[{index}]"
    if not isinstance(message, dict) or message.get("role") not in ROLES:
        raise ApiError(400, f"{where}.role: one of {sorted(ROLES)} is required.")
    content = message.get("content")
    if isinstance(content, str):
        return
    if not isinstance(content, list) or not content:
        raise ApiError(400, f"{where}.content: a string or a non-empty array of parts is required.")
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            continue
        url = (part.get("image_url") or {}).get("url") if kind == "image_url" and message["role"] == "user" else None
        if not isinstance(url, str):
            raise ApiError(400, f"{where}.content: parts are {{type: text, text}} or {{type: image_url, image_url}}.")
        if url.startswith(("https://", "http://")):
            continue
        match = DATA_URL.fullmatch(url)
        try:
            if match is None or not base64.b64decode(match.group(2), validate=True):
                raise ValueError
        except (binascii.Error, ValueError):
            raise ApiError(400, f"{where}: invalid image_url; a URL or a base64 data URL of an image.") from None
