"""The route-policy table (videos/route_policy.py) and the limits module (serving/limits.py):
each path gets the policy the studio promised for it, and the documented defaults are the
module's own."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from django.test import override_settings

from serving import limits
from serving.front import nginx_config
from studio.settings import APP_DIR
from videos import route_policy
from videos.route_policy import Admission, Auth, Body


@pytest.mark.parametrize(
    ("path", "auth", "body", "admitted"),
    [
        ("/healthz", Auth.OPEN, Body.FORM, Admission.PROBE),
        ("/metrics", Auth.OWN, Body.FORM, Admission.PROBE),
        ("/v1/videos", Auth.SIGNED_IN, Body.FORM, Admission.SLOT),
        ("/v1/videos/extensions", Auth.SIGNED_IN, Body.CLIP, Admission.SLOT),
        ("/v1/videos/edits", Auth.SIGNED_IN, Body.CLIP, Admission.SLOT),
        ("/v1/videos/video_1/content", Auth.SIGNED_IN, Body.FORM, Admission.SLOT),
        ("/v1/videos/generations", Auth.OWN, Body.FORM, Admission.SLOT),
        ("/v1/videos/generationsX", Auth.SIGNED_IN, Body.FORM, Admission.SLOT),
        ("/v1/openapi.json", Auth.OPEN, Body.FORM, Admission.SLOT),
        ("/models-api/video-generation-cloud/", Auth.SIGNED_IN, Body.FORM, Admission.WAITS),
        ("/auth/login", Auth.OPEN, Body.FORM, Admission.SLOT),
        ("/video-generation", Auth.OPEN, Body.FORM, Admission.SLOT),
        # Any character a decoded path may hold: a newline still finds its route (it once found none: a 500).
        ("/\n", Auth.OPEN, Body.FORM, Admission.SLOT),
        ("/v1/videos/a\nb", Auth.SIGNED_IN, Body.FORM, Admission.SLOT),
    ],
)
def test_each_path_gets_its_policy(path: str, auth: Auth, body: Body, admitted: Admission) -> None:
    route = route_policy.route_for(path)
    assert (route.auth, route.body, route_policy.admission(path, "POST")) == (auth, body, admitted)


def test_serve_mode_posts_wait_only_when_synchronous() -> None:
    with override_settings(VIDEO_SERVE_ASYNC=False):
        assert route_policy.admission("/v1/videos/generations", "POST") is Admission.WAITS
        assert route_policy.admission("/v1/videos/generations/video_1", "GET") is Admission.SLOT
        assert route_policy.admission("/v1/videos/generations/video_1/cancel", "POST") is Admission.SLOT
    with override_settings(VIDEO_SERVE_ASYNC=True):
        assert route_policy.admission("/v1/videos/generations", "POST") is Admission.SLOT


def test_what_counts_as_a_new_job() -> None:
    creates = [
        ("POST", "/v1/videos"),
        ("POST", "/v1/videos/video_1/retry"),
        ("POST", "/models-api/video-generation-cloud/"),
    ]
    for method, path in creates:
        assert route_policy.creates_job(path, method), path
    assert not route_policy.creates_job("/v1/videos", "GET")
    assert not route_policy.creates_job("/v1/videos/video_1", "POST")


def test_body_limits_and_nginx_read_the_table() -> None:
    with override_settings(STUDIO_MAX_REQUEST_BYTES=3 * 1024**2, STUDIO_MAX_CLIP_REQUEST_BYTES=50 * 1024**2):
        assert route_policy.body_limit("/v1/videos") == 3 * 1024**2
        assert route_policy.body_limit("/v1/videos/extensions") == 50 * 1024**2
        assert route_policy.largest_body() == 50 * 1024**2
        config = nginx_config("127.0.0.1", 8000, 8001, Path("/media"), Path("/work"))
        assert f"client_max_body_size {50 * 1024**2};" in config
        assert f"backlog={limits.default('LISTEN_BACKLOG')}" in config


def test_request_body_limits_follow_the_image_and_clip_limits() -> None:
    slack = limits.default("BODY_SLACK_BYTES")
    assert limits.request_bytes(10) == 20 + slack
    assert limits.clip_request_bytes(10, 10**9) == 10**9 + slack
    assert limits.clip_request_bytes(10**9, 10) == 2 * 10**9 + 2 * slack


def test_env_default_documents_every_settable_limit_as_the_module_defines_it() -> None:
    text = (APP_DIR / ".env.default").read_text()
    assert limits.env_default_section() in text
    help_text = "".join(limits.help_lines())
    for limit in limits.LIMITS:
        assert limit.name in help_text


def test_a_path_with_control_characters_is_answered_not_a_500(studio_factory) -> None:
    studio = studio_factory()
    for path in ("/%0a", "/v1/%0a", "/v1/videos/%0d%0a/content", "/links/%0a"):
        with socket.create_connection(("127.0.0.1", studio.port), timeout=10) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            status = sock.recv(4096).split(b"\r\n", 1)[0].decode()
        assert int(status.split(" ")[1]) < 500, (path, status)
    assert "Traceback" not in studio.logs()
