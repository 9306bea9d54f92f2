"""Access hardening: serve mode under required sign-in, sign-in throttling, malformed JSON
bodies, and Secure cookies behind a trusted HTTPS proxy."""

from __future__ import annotations

import subprocess
import sys

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
