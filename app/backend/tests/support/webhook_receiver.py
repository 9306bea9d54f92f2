"""A loopback webhook receiver for tests: real HTTP on 127.0.0.1, recording every request
(headers and body) and answering from a script. An answer can be held on an Event the test
sets, so no test races the studio's sender; waits are on a Condition, never a sleep."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
from standardwebhooks import Webhook

MAX_WAIT = 60.0


@dataclass
class Received:
    headers: dict[str, str]
    body: str
    answered: int = 0  # the status it was answered with (0: not yet, or the client hung up)

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    hold: threading.Event | None = None  # answered once the test sets it


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class Receiver:
    def __init__(self, policy: Callable[[Received, int], Answer] | None = None) -> None:
        self.script: list[Answer] = []  # the next requests' answers, one each; then 200
        # Instead of the script: the answer to a request, given its attempt (1: the first request
        # with its webhook-id), e.g. hold every third attempt.
        self.policy = policy
        self.received: list[Received] = []
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                receiver._handle(self)

        self.server = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks?from=studio"

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length", "0"))
        body = handler.rfile.read(length).decode()
        got = Received({k.lower(): v for k, v in handler.headers.items()}, body)
        with self.changed:
            if self.policy is not None:
                attempt = 1 + sum(
                    1 for r in self.received if r.headers.get("webhook-id") == got.headers.get("webhook-id")
                )
                answer = self.policy(got, attempt)
            else:
                answer = self.script.pop(0) if self.script else Answer()
            self.received.append(got)
            self.changed.notify_all()
        if answer.hold is not None:
            answer.hold.wait(MAX_WAIT)
        try:
            handler.send_response(answer.status)
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", "2")
            handler.end_headers()
            handler.wfile.write(b"ok")
        except OSError:
            return  # the sender is gone (killed): not answered
        with self.changed:
            got.answered = answer.status
            self.changed.notify_all()

    def wait_until(self, done: object, timeout: float = MAX_WAIT) -> list[Received]:
        """Until done(received) is true (a callable), returning what was received."""
        with self.changed:
            if not self.changed.wait_for(lambda: done(self.received), timeout):  # type: ignore[operator]
                raise AssertionError(f"the receiver got {[r.body for r in self.received]}")
            return list(self.received)

    def delivered(self) -> list[Received]:
        """The requests answered 2xx: each webhook-id at most once if nothing was sent twice."""
        with self.changed:
            return [r for r in self.received if 200 <= r.answered < 300]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def verify(received: Received, secret: str) -> dict:
    """Both verifiers a receiver would use: the standardwebhooks package and the openai client."""
    event = Webhook(secret).verify(received.body, received.headers)
    client = openai.OpenAI(api_key="unused", webhook_secret=secret)
    client.webhooks.verify_signature(received.body, received.headers)
    assert isinstance(event, dict)
    return event
