"""TLS to the upstream is verified; a private CA is trusted only when configured."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.media import same_video
from tests.support.upstream import FakeUpstream

ENDPOINT = "/models-api/video-generation-cloud/"


@pytest.fixture
def https_upstream(tmp_path: Path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    upstream = FakeUpstream(tls=(str(cert), str(key)))
    yield upstream, cert
    upstream.close()


def test_self_signed_upstream_is_refused_then_trusted_with_a_ca_bundle(studio_factory, https_upstream):
    upstream, cert = https_upstream
    settings = dict(
        CLOUD_VIDEO_GENERATION_URL=upstream.url, CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token, VIDEO_MAX_ATTEMPTS=1
    )
    strict = studio_factory(**settings)
    refused = httpx.post(strict.url + ENDPOINT, json={"prompt": "x"}, timeout=60)
    assert refused.status_code == 502
    assert "certificate" in refused.json()["error"].lower()
    assert upstream.posts() == []  # the token never went to an unverified server

    trusting = studio_factory(CLOUD_VIDEO_GENERATION_CA_BUNDLE=str(cert), **settings)
    ok = httpx.post(trusting.url + ENDPOINT, json={"prompt": "x"}, timeout=60)
    assert ok.status_code == 200 and same_video(ok.content, upstream.video)
    assert upstream.posts()[0].headers["Authorization"] == f"Bearer {upstream.token}"
