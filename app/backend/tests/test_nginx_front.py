"""STUDIO_FRONT=nginx: runstudio puts Debian's nginx in front, which sends the videos' bytes after
the studio's access check (serving/front.py). Real nginx, real studio, real MP4s."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from PIL import Image

from serving.front import nginx_config
from tests.support.flood import source_address
from tests.support.studio import StudioServer, free_port

NGINX = "/usr/sbin/nginx"
ALICE, BOB = "alice-key-aaaaaaaaaaaa", "bob-key-bbbbbbbbbbbbbb"


@pytest.fixture(autouse=True)
def nginx_installed() -> None:
    if not os.access(NGINX, os.X_OK):  # `python3 run.py test` installs it; never skipped
        pytest.fail(f"{NGINX} is missing: `sudo apt-get install -y nginx` (python3 run.py test does it as root)")


def made(studio: StudioServer, client: httpx.Client, prompt: str = "front") -> str:
    video = client.post("/v1/videos", json={"prompt": prompt, "size": "64x64", "num_frames": 8}).json()
    assert studio.wait_for_as(client, video["id"])["status"] == "completed"
    return video["id"]


def test_nginx_sends_the_bytes_after_the_studios_check(studio_factory):
    studio = studio_factory(
        STUDIO_FRONT="nginx", STUDIO_AUTH_REQUIRED="true", STUDIO_API_KEYS=f"alice:{ALICE},bob:{BOB}"
    )
    alice = httpx.Client(base_url=studio.url, headers={"Authorization": f"Bearer {ALICE}"})
    bob = httpx.Client(base_url=studio.url, headers={"Authorization": f"Bearer {BOB}"})
    video_id = made(studio, alice)
    path = f"/v1/videos/{video_id}/content"

    whole = alice.get(path)
    assert whole.status_code == 200 and whole.content[4:8] == b"ftyp"
    assert whole.headers["server"] == "nginx"  # nginx sent it
    assert whole.headers["content-type"] == "video/mp4" and whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["x-content-type-options"] == "nosniff"
    assert "x-accel-redirect" not in whole.headers and "x-studio-handoff" not in whole.headers
    size = len(whole.content)
    for header, first, last in (
        ("bytes=0-99", 0, 99),
        ("bytes=-50", size - 50, size - 1),
        (f"bytes={size - 7}-", size - 7, size - 1),
    ):
        part = alice.get(path, headers={"Range": header})
        assert part.status_code == 206 and part.headers["content-range"] == f"bytes {first}-{last}/{size}"
        assert part.content == whole.content[first : last + 1]
    assert alice.get(path, headers={"Range": f"bytes={size}-"}).status_code == 416
    download = alice.get(path, params={"download": "true"})
    assert download.content == whole.content and download.headers["content-disposition"].startswith("attachment;")
    thumbnail = alice.get(path, params={"variant": "thumbnail"})
    assert thumbnail.status_code == 200 and thumbnail.content[:2] == b"\xff\xd8"

    # The studio still decides: no key, another user, a deleted video, the internal location.
    assert httpx.get(studio.url + path).json()["error"]["code"] == "unauthenticated"
    assert bob.get(path).status_code == 404
    stored = next((studio.data_dir / "media").rglob("*.mp4")).relative_to(studio.data_dir / "media")
    assert alice.get(f"/_studio_media/{stored}").status_code == 404
    assert alice.delete(f"/v1/videos/{video_id}").status_code == 200
    assert alice.get(path, headers={"Range": "bytes=0-99"}).status_code == 404


def test_the_api_streams_and_limits_behave_as_without_nginx(studio_factory):
    studio = studio_factory(STUDIO_FRONT="nginx")
    client = studio.client()
    assert client.get("/healthz").status_code == 200
    page = client.get("/video-generation")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]

    # A live event stream arrives as it is written, not when nginx's buffer fills.
    with client.stream("GET", "/v1/videos/events", timeout=10) as events:
        assert events.status_code == 200
        chunks = events.iter_text()
        assert next(chunks).startswith("retry:")
        video_id = made(studio, client, "streamed")
        seen = ""
        deadline = time.monotonic() + 20
        for chunk in chunks:
            seen += chunk
            if video_id in seen or time.monotonic() > deadline:
                break
        assert video_id in seen

    # nginx's own refusal keeps the studio's JSON shape.
    with socket.create_connection(("127.0.0.1", studio.port)) as sock:
        head = "POST /v1/videos HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9999999999"
        sock.sendall(head.encode() + b"\r\n\r\n")
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413") and '"code": "too_large"' in answer
    # A body under nginx's limit (a clip's) but over this route's reaches the studio as it is sent
    # (nothing spooled to disk first), which refuses it on its declared length, unread.
    declared = settings.STUDIO_MAX_REQUEST_BYTES + 1
    with socket.create_connection(("127.0.0.1", studio.port), timeout=5) as sock:
        head = f"POST /v1/videos HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {declared}"
        sock.sendall(head.encode() + b"\r\n\r\n" + b"{" * 1024)
        answer = sock.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413") and "this server accepts at most" in answer
    # An upload larger than nginx's in-memory buffer goes through whole (image-to-video).
    noise = Image.frombytes("RGB", (1024, 768), os.urandom(1024 * 768 * 3))
    image = io.BytesIO()
    noise.save(image, format="PNG")
    assert image.tell() > 2 * 1024**2
    uploaded = client.post(
        "/v1/videos",
        data={"prompt": "from noise", "size": "64x64", "num_frames": "3"},
        files={"input_reference": ("noise.png", image.getvalue(), "image/png")},
    )
    assert uploaded.status_code == 201 and uploaded.json()["has_reference_image"] is True, uploaded.text
    # The studio's own 4xx passes through untouched.
    bad = client.post("/v1/videos", json={"prompt": ""})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "prompt"


def test_stopping_the_studio_stops_its_nginx(studio_factory):
    studio = studio_factory(STUDIO_FRONT="nginx")
    conf = studio.data_dir / "nginx" / "nginx.conf"
    assert f"127.0.0.1:{studio.port}" in conf.read_text()
    pid = int((studio.data_dir / "nginx" / "nginx.pid").read_text())
    studio.stop()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", studio.port), timeout=1).close()


def test_a_missing_nginx_is_a_clear_error(tmp_path, db_template):
    studio = StudioServer(tmp_path / "s", db_template, STUDIO_FRONT="nginx", STUDIO_NGINX=str(tmp_path / "no-nginx"))
    run = studio.run_to_exit()
    assert run.returncode != 0
    assert "STUDIO_FRONT=nginx needs nginx" in run.stderr and "apt-get install -y nginx" in run.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for its parent counts as gone
        return stat.read().split(")")[-1].split()[0] != "Z"


def test_the_studio_sees_each_clients_own_address(studio_factory):
    """Per-client caps count people, not nginx: each stream below comes from its own address."""
    studio = studio_factory(STUDIO_FRONT="nginx", VIDEO_EVENTS_MAX_PER_CLIENT=1)

    def open_stream(source: str, spoofed: str = "") -> tuple[socket.socket, str]:
        sock = socket.socket()
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", studio.port))
        extra = f"X-Forwarded-For: {spoofed}\r\n" if spoofed else ""
        sock.sendall(f"GET /v1/videos/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode())
        sock.settimeout(10)
        return sock, sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]

    first, status = open_stream(source_address(0))
    assert status == "HTTP/1.1 200 OK"
    second, status = open_stream(source_address(1), spoofed=source_address(0))
    assert status == "HTTP/1.1 200 OK"  # another client, whatever it claims to be
    third, status = open_stream(source_address(0), spoofed=source_address(2))
    assert status.startswith("HTTP/1.1 429")  # the same client again, a claimed address or not
    for sock in (first, second, third):
        sock.close()


def test_behind_another_proxy_the_client_is_the_one_it_names(studio_factory):
    """STUDIO_TRUSTED_PROXIES names a proxy in front of nginx (127.0.0.2 here): its X-Forwarded-For
    is believed, anyone else's is not."""
    studio = studio_factory(STUDIO_FRONT="nginx", VIDEO_EVENTS_MAX_PER_CLIENT=1, STUDIO_TRUSTED_PROXIES="127.0.0.2")
    outer, other = "127.0.0.2", "127.0.0.6"

    def stream_status(source: str, forwarded: str) -> tuple[socket.socket, str]:
        sock = socket.socket()
        sock.bind((source, 0))
        sock.connect(("127.0.0.1", studio.port))
        head = f"GET /v1/videos/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {forwarded}\r\n\r\n"
        sock.sendall(head.encode())
        sock.settimeout(10)
        return sock, sock.recv(4096).decode("latin-1").split("\r\n", 1)[0]

    held = []
    for source, forwarded, expected in (
        (outer, "10.1.1.1", "200"),  # two people behind the outer proxy
        (outer, "10.2.2.2", "200"),
        (outer, "10.1.1.1", "429"),  # the first again
        (other, "10.3.3.3", "200"),  # not the proxy: its own address counts
        (other, "10.4.4.4", "429"),
    ):
        sock, status = stream_status(source, forwarded)
        held.append(sock)
        assert status.split(" ")[1] == expected, (source, forwarded, status)
    for sock in held:
        sock.close()


@contextmanager
def nginx_before(tmp_path: Path, upstream_port: int) -> Iterator[int]:
    """The front's own configuration on a free port, in front of whatever listens on `upstream_port`."""
    port = free_port()
    (tmp_path / "media").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config("127.0.0.1", port, upstream_port, tmp_path / "media", tmp_path))
    nginx = subprocess.Popen([NGINX, "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)
        yield port
    finally:
        nginx.terminate()
        nginx.wait(10)


def test_a_studio_that_does_not_answer_is_a_json_503(tmp_path):
    """nginx's own answer when nothing listens behind it (a restart, a crash) keeps the API's shape."""
    with nginx_before(tmp_path, free_port()) as port:
        answer = httpx.get(f"http://127.0.0.1:{port}/v1/videos", timeout=5)
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert answer.json()["error"]["code"] == "unavailable"


def test_a_file_gone_after_the_studios_check_is_a_json_404(tmp_path):
    """The studio checked the file, then it was deleted before nginx opened it: nginx's 404 keeps
    the studio's JSON shape (a stand-in for the studio names a file that is not there)."""

    class Names(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("X-Accel-Redirect", "/_studio_media/videos/gone.mp4")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    studio = ThreadingHTTPServer(("127.0.0.1", 0), Names)
    threading.Thread(target=studio.serve_forever, daemon=True).start()
    try:
        with nginx_before(tmp_path, studio.server_address[1]) as port:
            answer = httpx.get(f"http://127.0.0.1:{port}/v1/videos/video_x/content", timeout=5)
    finally:
        studio.shutdown()
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("application/json")
    assert answer.json()["error"]["code"] == "file_missing"
