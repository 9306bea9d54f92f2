"""How the loopback upstream (tests/support/upstream.py) writes its answers on a request
handler: a plain or JSON answer (the strict OpenAI server's too), the video or one of its body
faults (`html`, `garbage`, `truncated`, `reset`, `html_error:<code>`, `slow_body`, `chunked`),
and the hostile job-status answers; and whether the caller has hung up.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler


def send(h: BaseHTTPRequestHandler, code: int, ctype: str, body: bytes, headers: dict[str, str] | None = None) -> None:
    h.send_response(code)
    h.send_header("Content-Type", ctype)
    h.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        h.send_header(name, value)
    h.end_headers()
    try:
        h.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass


def send_json(h: BaseHTTPRequestHandler, code: int, data: dict, headers: dict[str, str] | None = None) -> None:
    send(h, code, "application/json", json.dumps(data).encode(), headers)


def send_body(
    h: BaseHTTPRequestHandler, mode: str, video: bytes, slow_chunk: int, stall: float, wait: Callable[[], None]
) -> None:
    """Answer with the video, or with one of the body faults (`slow_body`: `slow_chunk` bytes
    every `stall` seconds, each chunk after the first once `wait()` returns)."""
    if mode == "sync":
        return send(h, 200, "video/mp4", video)
    if mode == "html":
        return send(h, 200, "text/html", b"<html><body>502 Bad Gateway</body></html>")
    if mode == "garbage":
        return send(h, 200, "video/mp4", b"\x00\x01not a video at all" * 50)
    if mode == "truncated":
        return send(h, 200, "video/mp4", video[: len(video) // 2])
    if mode == "reset":
        h.send_response(200)
        h.send_header("Content-Type", "video/mp4")
        h.send_header("Content-Length", str(len(video)))
        h.end_headers()
        h.wfile.write(video[:64])
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        h.connection.shutdown(socket.SHUT_RDWR)  # the makefile()s keep the fd; shutdown ends it now
        h.close_connection = True
        return None
    if mode.startswith("html_error:"):  # what a reverse proxy answers when the model server is down
        code = int(mode.split(":")[1])
        page = f"<html><head><title>{code}</title></head><body><h1>{code} Bad Gateway</h1><hr>nginx</body></html>"
        return send(h, code, "text/html", page.encode())
    if mode == "slow_body":  # headers at once, then the bytes trickle in
        h.send_response(200)
        h.send_header("Content-Type", "video/mp4")
        h.send_header("Content-Length", str(len(video)))
        h.end_headers()
        try:
            for start in range(0, len(video), slow_chunk):
                h.wfile.write(video[start : start + slow_chunk])
                h.wfile.flush()
                wait()
                time.sleep(stall)
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True
        return None
    if mode == "chunked":  # no Content-Length: the size is only known by counting
        h.send_response(200)
        h.send_header("Content-Type", "video/mp4")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for start in range(0, len(video), 4096):
                part = video[start : start + 4096]
                h.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            h.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            h.close_connection = True
        return None
    raise AssertionError(f"unknown mode {mode}")


def send_hostile_status(
    h: BaseHTTPRequestHandler, job_id: str, poll_mode: str, endless_bytes: int, stall: float
) -> None:
    """A 200 JSON status answer that is endless (`endless_bytes` of it), trickles (a byte every
    `stall` seconds), or nests too deep to parse (`poll_mode` endless | trickle | deep)."""
    if poll_mode == "deep":
        return send(h, 200, "application/json", b"[" * 100_000 + b"]" * 100_000)
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Transfer-Encoding", "chunked")
    h.end_headers()
    head = json.dumps({"id": job_id, "status": "in_progress", "pad": ""})[:-2].encode()
    try:
        h.wfile.write(f"{len(head):x}\r\n".encode() + head + b"\r\n")
        if poll_mode == "endless":
            pad = b"x" * 65536
            for _ in range(endless_bytes // len(pad)):
                h.wfile.write(b"10000\r\n" + pad + b"\r\n")
            h.wfile.write(b"0\r\n\r\n")  # ends unclosed: invalid JSON, if anyone got this far
        else:  # trickle: one space a `stall`, until the caller hangs up
            while True:
                h.wfile.write(b"1\r\n \r\n")
                h.wfile.flush()
                time.sleep(stall)
    except OSError:
        pass
    h.close_connection = True
    return None


def client_gone(sock: socket.socket) -> bool:
    readable, _, _ = select.select([sock], [], [], 0)
    if not readable:
        return False
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True


def send_maintenance(
    h: BaseHTTPRequestHandler, path: str, runner: str, ready: bool, queue_size: int, max_queue_size: int
) -> None:
    """tt-media-server's `/health` (200 `{}` when the model is ready, else 503) or `/tt-liveness`
    (its check_is_model_ready() payload under status "alive")."""
    if path == "/health":
        return send_json(h, 200, {}) if ready else send_json(h, 503, {"detail": "Model not ready"})
    return send_json(
        h,
        200,
        {
            "status": "alive",
            "model_ready": ready,
            "queue_size": queue_size,
            "max_queue_size": max_queue_size,
            "device_mesh_shape": [4, 8],
            "device": "galaxy",
            "worker_info": {},
            "runner_in_use": runner,
            "canary_alive": True,
            "canary_state": "disabled",
        },
    )
