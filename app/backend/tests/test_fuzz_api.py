"""Bad input against a live studio: schemathesis fuzzes every /v1 operation from the
published OpenAPI schema (no 5xx; statuses, content types and bodies as documented), and
hand-written cases cover what a generator rarely hits (huge bodies, odd text, traversal,
lying Content-Length).

The studio's default model here is tt-cloud on a loopback upstream that answers a tiny MP4
at once, so the jobs the fuzzer creates finish in milliseconds instead of keeping a core
busy drawing preview clips.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.chat_completions import ChatServer
from tests.support.studio import StudioServer
from tests.support.upstream import FakeUpstream

MAX_EXAMPLES = 12  # per operation; the file stays well under 90 s on 2 busy cores
# Not positive_data_acceptance: what a model accepts (size, frames, steps) depends on the
# model, which a static schema cannot say, so schema-valid bodies may rightly get a 400.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, db_template: Path) -> Iterator[StudioServer]:
    upstream, chat = FakeUpstream(), ChatServer()  # chat: prompt enhancement answers, not a 503
    studio = StudioServer(
        tmp_path_factory.mktemp("fuzz"),
        db_template,
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        PROMPT_ENHANCER_URL=chat.url,
        PROMPT_ENHANCER_MODEL=chat.model,
        PROMPT_ENHANCER_API_KEY=chat.key,
        VIDEO_MAX_ATTEMPTS=1,
        VIDEO_RATE_LIMIT_PER_MINUTE=0,  # the fuzzer creates hundreds of jobs a minute
        STUDIO_LOG_LEVEL="WARNING",
    ).start()
    yield studio
    studio.stop()
    upstream.close()
    chat.close()
    # No 5xx anywhere (Django logs those at ERROR). Not "no Traceback": Django logs a
    # rejected, unparseable multipart body (a 400) with its traceback at WARNING.
    errors = [line for line in studio.logs().splitlines() if " ERROR " in line]
    assert errors == [], errors[:5]


@pytest.fixture(scope="module")
def api_schema(live: StudioServer):
    return schemathesis.openapi.from_url(f"{live.url}/v1/openapi.json")


@pytest.fixture(scope="module")
def video_id(live: StudioServer) -> str:
    """A real, completed video, so id-taking operations reach more than their 404 branch."""
    created = httpx.post(f"{live.url}/v1/videos", json={"prompt": "fuzz seed video"}, timeout=30).json()
    return live.wait_for(created["id"])["id"]


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case, video_id: str) -> None:
    fuzzed = (case.path_parameters or {}).get("video_id")
    if isinstance(fuzzed, str) and len(fuzzed) % 2 == 0 and case.method != "DELETE":
        case.path_parameters["video_id"] = video_id  # a real id about half the time, fuzzed text otherwise
    case.call_and_validate(checks=CHECKS, timeout=30)


# --- hand-written cases ---------------------------------------------------------------------


def post(live: StudioServer, **kwargs) -> httpx.Response:
    response = httpx.post(f"{live.url}/v1/videos", timeout=30, **kwargs)
    assert response.status_code < 500, response.text
    return response


def resume_queue(live: StudioServer) -> None:
    """The fuzzer may have paused the queue (POST /v1/queue is an operation like any other):
    resume all of it and each model, so a job made here runs."""
    httpx.post(f"{live.url}/v1/queue", json={"paused": False}, timeout=30).raise_for_status()
    state = httpx.get(f"{live.url}/v1/queue", timeout=30).json()
    for model in state["models"]:
        if model["paused"]:
            body = {"paused": False, "model": model["model"]}
            httpx.post(f"{live.url}/v1/queue", json=body, timeout=30).raise_for_status()
    state = httpx.get(f"{live.url}/v1/queue", timeout=30).json()
    assert not state["paused"] and not any(model["paused"] for model in state["models"]), state


def test_one_megabyte_prompt_is_a_clear_400(live: StudioServer) -> None:
    response = post(live, json={"prompt": "x" * 1024 * 1024})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == "prompt" and error["code"] == "too_long"
    assert "1048576 characters; the limit is 2000" in error["message"]


@pytest.mark.parametrize(
    "prompt",
    [
        "Un volcán en la playa 🌋🏖️",
        "موج على الشاطئ عند الغروب",  # right-to-left
        "\u202eRTL override\u202c and 日本語の夕焼け",
        "👩‍👩‍👧‍👦 family, skin tones 👍🏽, flags 🇯🇵",
        "e\u0301\u0301\u0301 combining marks",
    ],
)
def test_unicode_prompts_are_accepted_and_kept_exactly(live: StudioServer, prompt: str) -> None:
    resume_queue(live)
    response = post(live, json={"prompt": prompt})
    assert response.status_code == 201, response.text
    video = response.json()
    assert video["prompt"] == prompt
    again = httpx.get(f"{live.url}/v1/videos/{video['id']}", timeout=30).json()
    assert again["prompt"] == prompt
    # The fuzzer above leaves a long queue (its sweeps and storyboards make many jobs): this one
    # runs next (a 409 only if it has started already), so the wait below is for it alone.
    moved = httpx.post(f"{live.url}/v1/videos/{video['id']}", json={"queue_position": 1}, timeout=30)
    assert moved.status_code in (200, 409), moved.text
    done = live.wait_for(video["id"])
    assert done["status"] == "completed"
    download = httpx.get(f"{live.url}{done['content_url']}", params={"download": 1}, timeout=30)
    assert download.status_code == 200
    disposition = download.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="') and disposition.isascii()


@pytest.mark.parametrize("field", ["prompt", "negative_prompt"])
def test_nul_bytes_are_refused(live: StudioServer, field: str) -> None:
    body = {"prompt": "ok", field: "before\x00after"}
    response = post(live, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == field
    assert "control characters" in response.json()["error"]["message"]
    # Raw NUL inside JSON text (invalid JSON) and in a form field.
    raw = post(live, content=b'{"prompt": "a\x00b"}', headers={"content-type": "application/json"})
    assert raw.status_code == 400
    form = post(live, data={"prompt": "a\x00b"})
    assert form.status_code == 400


WRONG_TYPES: list[object] = [None, True, 1.5, -1, [], {}, ["x"], {"a": 1}, "", "x" * 3000, 2**70]
FIELDS = ["prompt", "model", "negative_prompt", "num_inference_steps", "seed", "size", "num_frames", "seconds"]


@pytest.mark.parametrize("field", FIELDS)
def test_wrong_types_for_every_field_are_400s_not_500s(live: StudioServer, field: str) -> None:
    accepted = 0
    for value in WRONG_TYPES:
        body = {"prompt": "typed", "model": "preview"} | {field: value}
        if field == "prompt" and value is None:
            body.pop("prompt")
        response = post(live, json=body)
        assert response.status_code in (201, 400), (value, response.text)
        if response.status_code == 400:
            error = response.json()["error"]
            assert error["type"] == "invalid_request_error" and error["message"]
            assert error["param"] in (field, None), (value, error)
        else:
            accepted += 1
            video = response.json()
            httpx.post(f"{live.url}/v1/videos/{video['id']}/cancel", timeout=30)
            # Only a value equivalent to "leave it out" may be accepted for a non-text field.
            assert value in (None, ""), (field, value, video)
    assert accepted <= 2


TRAVERSALS = [
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "video_../../studio.sqlite3",
    "%2e%2e%2f",
    "video_" + "a" * 32 + "/../x",
]


def raw(live: StudioServer, method: str, path: str) -> tuple[int, bytes]:
    """Send the path exactly as written (httpx would normalise the dot segments away)."""
    conn = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("bad", TRAVERSALS)
def test_path_traversal_in_ids_is_a_404(live: StudioServer, bad: str) -> None:
    for method, path in [
        ("GET", f"/v1/videos/{bad}"),
        ("GET", f"/v1/videos/{bad}/content"),
        ("GET", f"/v1/videos/{bad}/content?variant=thumbnail"),
        ("GET", f"/v1/videos/{bad}/events"),
        ("DELETE", f"/v1/videos/{bad}"),
        ("POST", f"/v1/videos/{bad}/cancel"),
    ]:
        status, body = raw(live, method, path)
        # 404 (no such video); a path that leaves /v1/videos/ altogether may also be a 405.
        assert status in (404, 405), (method, path, status, body[:200])
        assert b"SQLite" not in body and b"root:" not in body
    response = httpx.get(f"{live.url}/v1/videos", params={"after": bad}, timeout=30)
    assert response.status_code in (400, 404) and "error" in response.json()


@pytest.mark.parametrize(
    "variant", ["../studio.sqlite3", "../../../etc/passwd", "video/../thumbnail", "VIDEO", "thumbnail\x00", ""]
)
def test_path_traversal_in_content_variant_is_refused(live: StudioServer, video_id: str, variant: str) -> None:
    response = httpx.get(f"{live.url}/v1/videos/{video_id}/content", params={"variant": variant}, timeout=30)
    if variant == "":
        # An empty variant is the default (the MP4), never a file picked by name.
        assert response.status_code in (200, 400)
        if response.status_code == 200:
            assert response.headers["content-type"] == "video/mp4"
        return
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "variant"


def test_multi_gigabyte_content_length_is_refused_without_reading(live: StudioServer) -> None:
    """A client declares 8 GB and sends a few bytes: the server answers 413 at once instead
    of waiting for (or buffering) a body that will never come: the edge layer refuses a
    declared length over the limit before anything reads the body, in the API's JSON shape."""
    host, port = "127.0.0.1", live.port
    body = b'{"prompt": "x"}'
    request = (
        f"POST /v1/videos HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {8 * 1024**3}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    started = time.monotonic()
    with socket.create_connection((host, port), timeout=20) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    assert time.monotonic() - started < 15
    head, _, rest = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert status == 413, answer[:500]
    assert json.loads(rest)["error"]["code"] == "too_large"


def test_body_over_the_upload_limit_is_a_json_413(live: StudioServer) -> None:
    """Under the server's limit the API's own check answers: JSON 413 naming the image limit."""
    response = post(
        live, content=b'{"prompt": "' + b"x" * (12 * 1024**2) + b'"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    error = response.json()["error"]
    assert error["code"] == "too_large" and "at most 10 MB" in error["message"]


def test_multipart_without_boundary_is_a_400_not_a_500(live: StudioServer) -> None:
    response = post(live, content=b"--x\r\n", headers={"content-type": "multipart/form-data"})
    assert response.status_code == 400
    assert "could not be read" in response.json()["error"]["message"]
