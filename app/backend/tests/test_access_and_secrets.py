"""Access control, CSRF, security headers, rate limiting, and secrets that never leak."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import httpx
import pytest

from tests.support.studio import BACKEND, StudioServer

ALICE, BOB = "alice-key-0123456789abcdef", "bob-key-0123456789abcdef0"


@pytest.mark.parametrize("host", ["0.0.0.0", ""], ids=["all-addresses", "empty"])
def test_refuses_to_listen_beyond_loopback_without_authentication(tmp_path, db_template, host):
    """An empty host (some launchers pass one) is every interface, as for bind(): refused the same."""
    server = StudioServer(tmp_path / "s", db_template)
    result = server.run_to_exit("--host", host)
    assert result.returncode != 0
    assert "Refusing to listen on 0.0.0.0 without authentication" in result.stderr
    assert "Traceback" not in result.stderr


def start_on_all_addresses(server: StudioServer) -> None:
    """runstudio on 0.0.0.0 (the tests' own traffic stays on 127.0.0.1)."""
    server.start(host="0.0.0.0")


def test_beyond_loopback_with_keys_requires_them(tmp_path, db_template):
    server = StudioServer(tmp_path / "s", db_template, STUDIO_API_KEYS=f"alice:{ALICE}")
    try:
        start_on_all_addresses(server)
        assert httpx.get(f"{server.url}/v1/videos").status_code == 401  # auth turned itself on
        ok = httpx.get(f"{server.url}/v1/videos", headers={"Authorization": f"Bearer {ALICE}"})
        assert ok.status_code == 200
    finally:
        server.stop()


def test_open_bind_is_allowed_only_when_asked_for(tmp_path, db_template):
    server = StudioServer(tmp_path / "s", db_template, STUDIO_ALLOW_OPEN_BIND="true")
    try:
        start_on_all_addresses(server)
        assert httpx.get(f"{server.url}/v1/videos").status_code == 200  # a personal studio, as on 127.0.0.1
    finally:
        server.stop()


def test_api_keys_separate_users_videos(studio_factory):
    studio = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_API_KEYS=f"alice:{ALICE},bob:{BOB}")
    alice = httpx.Client(base_url=studio.url, headers={"Authorization": f"Bearer {ALICE}"})
    bob = httpx.Client(base_url=studio.url, headers={"Authorization": f"Bearer {BOB}"})
    anonymous = httpx.Client(base_url=studio.url)

    assert anonymous.get("/v1/videos").status_code == 401
    assert anonymous.post("/v1/videos", json={"prompt": "x"}).status_code == 401
    assert anonymous.post("/models-api/video-generation-cloud/", json={"prompt": "x"}).status_code == 401
    wrong = httpx.get(studio.url + "/v1/videos", headers={"Authorization": "Bearer nope-nope-nope-nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "authentication_error"
    assert anonymous.get("/healthz").status_code == 200  # the page and health stay reachable

    video = alice.post("/v1/videos", json={"prompt": "alice's", "size": "64x64", "num_frames": 1}).json()
    done = studio.wait_for_as(alice, video["id"])
    assert done["status"] == "completed"
    assert [v["id"] for v in alice.get("/v1/videos").json()["data"]] == [video["id"]]
    assert bob.get("/v1/videos").json()["data"] == []
    for method, path in (("GET", ""), ("GET", "/content"), ("POST", "/cancel"), ("DELETE", ""), ("POST", "")):
        assert bob.request(method, f"/v1/videos/{video['id']}{path}").status_code == 404
    # Nor can Bob build on Alice's video, or find it in a gallery filter.
    assert bob.post(f"/v1/videos/{video['id']}/remix", json={"prompt": "mine now"}).status_code == 404
    for route in ("extensions", "edits"):
        taken = bob.post(f"/v1/videos/{route}", json={"video": {"id": video["id"]}, "prompt": "mine now"})
        assert taken.status_code == 404 and taken.json()["error"]["code"] == "not_found"
    assert bob.get("/v1/videos", params={"q": "alice"}).json()["data"] == []
    assert [v["id"] for v in bob.get("/v1/videos").json()["data"]] == []  # none of it was made
    assert alice.get(f"/v1/videos/{video['id']}/content").status_code == 200
    assert alice.delete(f"/v1/videos/{video['id']}").json()["deleted"] is True
    for secret in (ALICE, BOB):
        assert secret not in studio.logs()


def test_session_login_needs_csrf_for_writes(studio_factory):
    studio = studio_factory(STUDIO_AUTH_REQUIRED="true")
    env = studio.env()

    def adduser(name: str, password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", "adduser", name, "--password-stdin"],
            cwd=BACKEND,
            env=env,
            input=f"{password}\n",
            capture_output=True,
            text=True,
            timeout=60,
        )

    made = adduser("carol", "a-long-passphrase-42")
    assert made.returncode == 0, made.stderr
    weak = adduser("dave", "123")
    assert weak.returncode != 0 and "too short" in weak.stderr
    with httpx.Client(base_url=studio.url) as browser:
        early = browser.post("/auth/login", json={"username": "carol", "password": "a-long-passphrase-42"})
        assert early.status_code == 403 and early.json()["error"]["code"] == "csrf_failed"  # no token yet
        me = browser.get("/auth/me").json()
        assert me == {"user": None, "auth_required": True}
        csrf = browser.cookies["csrftoken"]
        assert (
            browser.post(
                "/auth/login", json={"username": "carol", "password": "wrong"}, headers={"X-CSRFToken": csrf}
            ).status_code
            == 401
        )
        # Django's login needs the CSRF token too (it is a cookie-authenticated write once signed in).
        signed = browser.post(
            "/auth/login", json={"username": "carol", "password": "a-long-passphrase-42"}, headers={"X-CSRFToken": csrf}
        )
        assert signed.status_code == 200 and signed.json()["user"] == "carol"
        csrf = browser.cookies["csrftoken"]
        assert browser.get("/v1/videos").status_code == 200
        no_token = browser.post("/v1/videos", json={"prompt": "x"})
        assert no_token.status_code == 403 and no_token.json()["error"]["code"] == "csrf_failed"
        assert "X-CSRFToken" in no_token.json()["error"]["message"]
        ok = browser.post(
            "/v1/videos",
            json={"prompt": "carol's", "size": "64x64", "num_frames": 1},
            headers={"X-CSRFToken": csrf, "Referer": studio.url + "/"},
        )
        assert ok.status_code == 201, ok.text
        status = f"/v1/videos/{ok.json()['id']}"
        studio.wait_for_as(browser, ok.json()["id"])  # finished: nothing changes it any more
        polled = browser.get(status)
        assert polled.status_code == 200
        sent = dict(polled.request.headers)  # the same request again gets the shared answer
        assert (
            browser.post("/auth/logout", headers={"X-CSRFToken": csrf, "Referer": studio.url + "/"}).status_code == 200
        )
        assert browser.get("/v1/videos").status_code == 401
        # The signed-out session's cookie, kept and sent again: its shared answer is gone too.
        with httpx.Client() as replay:
            assert replay.get(studio.url + status, headers=sent).status_code == 401


def test_cross_site_writes_are_refused_and_headers_are_set(studio_factory):
    studio = studio_factory()
    with studio.client() as client:
        attack = client.post("/v1/videos", data={"prompt": "x"}, headers={"Sec-Fetch-Site": "cross-site"})
        assert attack.status_code == 403
        assert client.get("/v1/videos").json()["data"] == []
        for path in ("/", "/video-generation", "/v1/models"):
            response = client.get(path)
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "same-origin"
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            assert "script-src 'self'" in response.headers["content-security-policy"]


def test_job_creation_is_rate_limited_per_client(studio_factory):
    studio = studio_factory(VIDEO_RATE_LIMIT_PER_MINUTE=3)
    with studio.client() as client:
        codes = [
            client.post("/v1/videos", json={"prompt": f"{i}", "size": "64x64", "num_frames": 1}).status_code
            for i in range(4)
        ]
        assert codes == [201, 201, 201, 429]
        limited = client.post("/v1/videos", json={"prompt": "again"})
        assert limited.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(limited.headers["retry-after"]) <= 61
        assert client.get("/v1/videos").status_code == 200  # reads are not limited


SENTINELS = {
    "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": "sentinel-cloud-9d1e7b",
    "OPENAI_VIDEO_API_KEY": "sentinel-openai-4c2a8f",
    "VIDEO_SERVE_TOKEN": "sentinel-serve-77ab3e",
}


def test_tokens_never_reach_responses_errors_or_logs(studio_factory, upstream):
    upstream.token = SENTINELS["CLOUD_VIDEO_GENERATION_AUTH_TOKEN"]
    upstream.mode = "status:401"  # the upstream even echoes the Authorization header back
    studio = studio_factory(
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        OPENAI_VIDEO_BASE_URL="http://127.0.0.1:9/v1",
        VIDEO_SERVE_ENABLED="true",
        VIDEO_MAX_ATTEMPTS=1,
        STUDIO_LOG_LEVEL="DEBUG",
        **SENTINELS,
    )
    seen = []
    with studio.client() as client:
        for model in ("tt-cloud", "openai"):
            job = client.post("/v1/videos", json={"prompt": "leak?", "model": model})
            seen.append(job.text)
            seen.append(str(studio.wait_for(job.json()["id"])))
        seed = client.post("/models-api/video-generation-cloud/", json={"prompt": "leak?"})
        seen += [seed.text, str(seed.headers)]
        for path in ("/v1/models", "/v1/videos", "/v1/openapi.json", "/auth/me", "/", "/v1/videos/generations/x"):
            response = client.get(path)
            seen += [response.text, str(response.headers)]
    assert "HTTP 401" in seed.text  # the failure is reported...
    assert upstream.seen[0].headers["Authorization"] == f"Bearer {SENTINELS['CLOUD_VIDEO_GENERATION_AUTH_TOKEN']}"
    everything = "\n".join(seen) + studio.logs()
    for secret in SENTINELS.values():
        assert secret not in everything  # ...without the token


def test_built_web_page_contains_no_secret(tmp_path):
    frontend = BACKEND.parent / "frontend"
    if not (frontend / "node_modules").is_dir():
        if os.environ.get("CI"):
            pytest.fail("app/frontend/node_modules is missing in CI; run.py test installs it before pytest")
        pytest.skip("frontend packages not installed (python3 run.py test installs them)")
    env = {**os.environ, **SENTINELS, **{f"VITE_{k}": v for k, v in SENTINELS.items()}}
    out = tmp_path / "dist"
    npx = shutil.which("npx") or "npx"
    subprocess.run(
        [npx, "vite", "build", "--outDir", str(out), "--emptyOutDir"],
        cwd=frontend,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".js" for p in files)
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        for secret in SENTINELS.values():
            assert secret not in text, f"{secret} leaked into {path.name}"


def test_log_filter_redacts_every_kind_of_secret(monkeypatch):
    import logging

    from videos.redact import RedactSecretsFilter

    monkeypatch.setenv("STUDIO_API_KEYS", "alice:key-aaaaaaaaaaaaaaaa,bob:key-bbbbbbbbbbbbbbbb")
    monkeypatch.setenv("DATABASE_URL", "postgres://studio:db-pass-123@127.0.0.1:5432/studio")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-xyz")
    try:
        raise RuntimeError("boom with key-bbbbbbbbbbbbbbbb")
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "t",
        logging.ERROR,
        __file__,
        1,
        "alice sent %s; db %s; s3 %s",
        ("key-aaaaaaaaaaaaaaaa", "db-pass-123", "aws-secret-xyz"),
        exc_info,
    )
    assert RedactSecretsFilter().filter(record) is True
    text = record.getMessage() + (record.exc_text or "")
    for secret in ("key-aaaaaaaaaaaaaaaa", "key-bbbbbbbbbbbbbbbb", "db-pass-123", "aws-secret-xyz"):
        assert secret not in text
    assert text.count("[redacted]") >= 4 and "RuntimeError: boom with [redacted]" in text
