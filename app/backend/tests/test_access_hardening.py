"""Access hardening: serve mode under required sign-in, sign-in throttling, malformed JSON
bodies, and Secure cookies behind a trusted HTTPS proxy."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx

from tests.support.studio import BACKEND, StudioServer

PASSWORD = "a-long-passphrase-42"
KEY = "alice-key-0123456789abcdef"
DEEP = b'{"prompt": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
SURROGATE = b'{"prompt": "a\\ud800b", "username": "a\\ud800b", "password": "x"}'


def adduser(studio: StudioServer, name: str, password: str = PASSWORD) -> None:
    made = subprocess.run(
        [sys.executable, "manage.py", "adduser", name, "--password-stdin"],
        cwd=BACKEND,
        env=studio.env(),
        input=f"{password}\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr


def browser(studio: StudioServer, **headers: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=studio.url, headers=headers, timeout=30)
    client.get("/auth/me")
    return client, client.cookies["csrftoken"]


def test_serve_mode_refuses_anonymous_jobs_when_sign_in_is_required(studio_factory):
    studio = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_API_KEYS=f"alice:{KEY}", VIDEO_SERVE_ENABLED="true")
    anonymous = httpx.post(f"{studio.url}/v1/videos/generations", json={"prompt": "x"})
    assert anonymous.status_code == 401, anonymous.text
    assert "VIDEO_SERVE_TOKEN" in anonymous.json()["detail"]
    assert httpx.get(f"{studio.url}/v1/videos", headers={"Authorization": f"Bearer {KEY}"}).json()["data"] == []


def test_serve_mode_with_a_token_still_works_when_sign_in_is_required(studio_factory):
    token = "serve-token-0123456789"
    studio = studio_factory(STUDIO_AUTH_REQUIRED="true", VIDEO_SERVE_ENABLED="true", VIDEO_SERVE_TOKEN=token)
    assert httpx.post(f"{studio.url}/v1/videos/generations", json={"prompt": "x"}).status_code == 401
    sent = httpx.post(
        f"{studio.url}/v1/videos/generations", json={"prompt": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert sent.status_code == 202, sent.text


def test_sign_in_is_throttled_and_the_lock_ends(studio_factory):
    studio = studio_factory(
        STUDIO_AUTH_REQUIRED="true", STUDIO_LOGIN_MAX_FAILURES="3", STUDIO_LOGIN_LOCKOUT_SECONDS="2"
    )
    adduser(studio, "carol")
    client, csrf = browser(studio)
    statuses, locked = [], None
    for _ in range(40):
        answer = client.post(
            "/auth/login", json={"username": "carol", "password": "wrong"}, headers={"X-CSRFToken": csrf}
        )
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            locked = answer
    assert statuses[:3] == [401, 401, 401]
    assert statuses.count(429) >= 30, statuses
    assert locked is not None and int(locked.headers["Retry-After"]) >= 1
    error = locked.json()["error"]
    assert error["code"] == "too_many_sign_ins" and "Try again in" in error["message"]

    right = {"username": "carol", "password": PASSWORD}
    refused = client.post("/auth/login", json=right, headers={"X-CSRFToken": csrf})
    assert refused.status_code == 429  # the right password does not get through a lock
    time.sleep(int(refused.headers["Retry-After"]) + 0.2)
    signed = client.post("/auth/login", json=right, headers={"X-CSRFToken": csrf})
    assert signed.status_code == 200, signed.text
    # The success reset the user's counter: the next wrong password is an ordinary 401.
    client.post("/auth/logout", headers={"X-CSRFToken": client.cookies["csrftoken"]})
    client, csrf = browser(studio)
    again = client.post("/auth/login", json={"username": "carol", "password": "wrong"}, headers={"X-CSRFToken": csrf})
    assert again.status_code == 401
    assert PASSWORD not in studio.logs()


def _post_json(client: httpx.Client, path: str, body: bytes, **headers: str) -> httpx.Response:
    return client.post(path, content=body, headers={"Content-Type": "application/json", **headers})


def _assert_json_400(answer: httpx.Response, route: str) -> None:
    assert answer.status_code == 400, (route, answer.status_code, answer.text[:200])
    assert answer.headers["content-type"].startswith("application/json"), route
    answer.json()


def test_malformed_json_answers_400_on_every_json_route(studio_factory, upstream):
    studio = studio_factory(CLOUD_VIDEO_GENERATION_URL=upstream.url, VIDEO_SERVE_ENABLED="true")
    client, csrf = browser(studio)
    for body in (DEEP, SURROGATE):
        for path in ("/v1/videos", "/models-api/video-generation-cloud/", "/v1/videos/generations"):
            _assert_json_400(_post_json(client, path, body), path)
        login = _post_json(client, "/auth/login", body, **{"X-CSRFToken": csrf})
        _assert_json_400(login, "/auth/login")
        assert login.json()["error"]["code"] == "invalid_json"
    created = _post_json(client, "/v1/videos", SURROGATE).json()["error"]
    assert created["code"] == "invalid_json"
    # A form that cannot be read (no multipart boundary) is the same clear 400.
    for path in ("/v1/videos", "/models-api/video-generation-cloud/"):
        form = client.post(path, content=b"a", headers={"Content-Type": "multipart/form-data"})
        _assert_json_400(form, path)
    # Surrogate pairs are ordinary characters and still welcome.
    pair = b'{"prompt": "smile \\ud83d\\ude00", "model": "preview", "size": "64x64", "num_frames": 1}'
    ok = _post_json(client, "/v1/videos", pair)
    assert ok.status_code == 201, ok.text
    assert "Traceback" not in studio.logs()


def _login_cookie(studio: StudioServer, origin: str, **headers: str) -> str:
    client, csrf = browser(studio, **headers)
    # Cookie by hand: over HTTPS the csrftoken cookie is Secure, which httpx keeps off plain HTTP.
    sent = {"X-CSRFToken": csrf, "Cookie": f"csrftoken={csrf}", "Origin": f"{origin}://127.0.0.1:{studio.port}"}
    signed = client.post("/auth/login", json={"username": "carol", "password": PASSWORD}, headers=sent)
    assert signed.status_code == 200, signed.text
    return ";".join(v for k, v in signed.headers.multi_items() if k == "set-cookie" and v.startswith("sessionid="))


def test_a_tls_proxy_on_this_machine_is_trusted_unless_told_otherwise(studio_factory):
    """As uvicorn and gunicorn do: a proxy on loopback is believed with no setting, so the session
    cookie is Secure behind a TLS proxy on the same machine; STUDIO_TRUSTED_PROXIES=none turns it off."""
    default = studio_factory(STUDIO_AUTH_REQUIRED="true")
    adduser(default, "carol")
    cookie = _login_cookie(default, "https", **{"X-Forwarded-Proto": "https"})
    assert "Secure" in cookie, cookie
    nobody = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_TRUSTED_PROXIES="none")
    adduser(nobody, "carol")
    ignored = _login_cookie(nobody, "http", **{"X-Forwarded-Proto": "https"})
    assert ignored and "Secure" not in ignored


def test_cookies_are_secure_behind_a_trusted_https_proxy(studio_factory):
    trusted = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_TRUSTED_PROXIES="127.0.0.1")
    adduser(trusted, "carol")
    # A browser behind the proxy sends its https Origin, which Django's CSRF check now expects.
    cookie = _login_cookie(trusted, "https", **{"X-Forwarded-Proto": "https"})
    assert "Secure" in cookie, cookie
    plain = _login_cookie(trusted, "http")  # straight to the proxy's port over HTTP: no Secure
    assert plain and "Secure" not in plain

    untrusted = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_TRUSTED_PROXIES="10.9.8.7")
    adduser(untrusted, "carol")
    ignored = _login_cookie(untrusted, "http", **{"X-Forwarded-Proto": "https"})
    assert ignored and "Secure" not in ignored
