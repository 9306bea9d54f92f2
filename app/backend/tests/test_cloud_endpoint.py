"""The seed's endpoint, POST /models-api/video-generation-cloud/, over real HTTP against a
loopback upstream speaking both forms of the real API."""

from __future__ import annotations

import io

import av
import httpx
import pytest

from tests.support.media import same_video
from tests.support.upstream import FakeUpstream

ENDPOINT = "/models-api/video-generation-cloud/"


@pytest.fixture
def cloud(studio_factory, upstream: FakeUpstream):
    def start(**extra):
        settings = dict(
            CLOUD_VIDEO_GENERATION_URL=upstream.url,
            CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
            CLOUD_VIDEO_GENERATION_POLL_INTERVAL=0.1,
            VIDEO_MAX_ATTEMPTS=1,
        )
        settings.update(extra)
        return studio_factory(**settings)

    return start


def decode_frames(data: bytes) -> int:
    with av.open(io.BytesIO(data), "r") as container:
        return sum(1 for _ in container.decode(video=0))


def assert_no_token(upstream: FakeUpstream, *texts: str) -> None:
    for text in texts:
        assert upstream.token not in text


def test_sync_mp4_is_returned_as_attachment_with_seed_defaults(cloud, upstream):
    studio = cloud()
    response = httpx.post(studio.url + ENDPOINT, json={"prompt": "Volcano on a beach"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "video/mp4"
    assert response.headers["content-disposition"] == 'attachment; filename="volcano-on-a-beach.mp4"'
    assert same_video(response.content, upstream.video)
    assert decode_frames(response.content) == 8
    [post] = upstream.posts()
    assert post.body == {
        "prompt": "Volcano on a beach",
        "negative_prompt": "low quality",
        "num_inference_steps": 12,
        "seed": 0,
    }
    assert post.headers["Authorization"] == f"Bearer {upstream.token}"
    # The same video is in the jobs history, made by tt-cloud.
    listing = httpx.get(studio.url + "/v1/videos").json()
    assert [v["model"] for v in listing["data"]] == ["tt-cloud"]
    assert_no_token(upstream, str(response.headers), listing.__repr__(), studio.logs())


def test_form_encoded_prompt_is_accepted(cloud, upstream):
    studio = cloud()
    response = httpx.post(studio.url + ENDPOINT, data={"prompt": "A red fox"}, timeout=60)
    assert response.status_code == 200
    assert upstream.posts()[0].body["prompt"] == "A red fox"


def test_async_job_is_polled_then_downloaded(cloud, upstream):
    upstream.mode, upstream.delay = "async", 0.6
    studio = cloud()
    response = httpx.post(studio.url + ENDPOINT, json={"prompt": "Waves"}, timeout=60)
    assert response.status_code == 200, response.text
    assert same_video(response.content, upstream.video)
    paths = [s.path for s in upstream.seen]
    job_id = next(iter(upstream.jobs))
    assert paths[0] == "/video/generations"
    assert f"/video/generations/{job_id}" in paths
    assert paths[-1] == f"/video/generations/{job_id}/download"
    assert all(s.headers.get("Authorization") == f"Bearer {upstream.token}" for s in upstream.seen)


@pytest.mark.parametrize(
    ("mode", "status", "words"),
    [
        ("status:401", 502, "HTTP 401"),
        ("status:405", 502, "not ready"),
        ("status:500", 502, "HTTP 500"),
        ("html", 502, "not an MP4"),
        ("garbage", 502, "not an MP4"),
        ("truncated", 502, "not a playable video"),
        ("reset", 502, "connection"),
        ("async_fail", 502, "out of device memory"),
        ("async_lost", 502, "no longer knows"),
    ],
)
def test_upstream_failures_become_clear_502s(cloud, upstream, mode, status, words):
    upstream.mode, upstream.delay = mode, 0.2
    studio = cloud()
    response = httpx.post(studio.url + ENDPOINT, json={"prompt": "x"}, timeout=60)
    assert response.status_code == status, response.text
    body = response.json()
    assert words.lower() in body["error"].lower()
    assert "Traceback" not in response.text
    assert_no_token(upstream, response.text, studio.logs())
    # Nothing half-written is served: the job failed and has no content.
    video = httpx.get(f"{studio.url}/v1/videos/{body['video_id']}").json()
    assert video["status"] == "failed" and video["content_url"] is None
    assert httpx.get(f"{studio.url}/v1/videos/{body['video_id']}/content").status_code == 404


def test_upstream_timeout_is_504_with_a_readable_message(cloud, upstream):
    upstream.held = True  # no answer until the test is over: the 1 s time-out cannot lose
    studio = cloud(CLOUD_VIDEO_GENERATION_TIMEOUT=1)
    response = httpx.post(studio.url + ENDPOINT, json={"prompt": "slow"}, timeout=60)
    assert response.status_code == 504
    assert "did not answer within 1 seconds" in response.json()["error"]


def test_wrong_token_is_rejected_upstream_and_not_echoed(cloud, upstream):
    studio = cloud(CLOUD_VIDEO_GENERATION_AUTH_TOKEN="wrong-token-123")
    response = httpx.post(studio.url + ENDPOINT, json={"prompt": "x"}, timeout=60)
    assert response.status_code == 502
    assert "HTTP 401" in response.json()["error"]
    assert "wrong-token-123" not in response.text and "wrong-token-123" not in studio.logs()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"json": {}}, "prompt is required"),
        ({"json": {"prompt": "   "}}, "prompt is required"),
        ({"json": {"prompt": 5}}, "prompt is required"),
        ({"content": b"{nope", "headers": {"content-type": "application/json"}}, "not valid JSON"),
        ({"data": {}}, "prompt is required"),
    ],
)
def test_bad_requests_are_400(cloud, upstream, kwargs, message):
    studio = cloud()
    response = httpx.post(studio.url + ENDPOINT, timeout=30, **kwargs)
    assert response.status_code == 400
    assert message.lower() in response.json()["error"].lower()
    assert upstream.posts() == []


def test_unconfigured_url_is_503(studio_factory):
    studio = studio_factory()
    response = httpx.post(studio.url + ENDPOINT, json={"prompt": "x"}, timeout=30)
    assert response.status_code == 503
    assert "CLOUD_VIDEO_GENERATION_URL" in response.json()["error"]


def test_get_is_not_allowed(cloud):
    studio = cloud()
    assert httpx.get(studio.url + ENDPOINT).status_code == 405


def test_unreachable_upstream_is_502(studio_factory):
    studio = studio_factory(CLOUD_VIDEO_GENERATION_URL="http://127.0.0.1:9/video/generations", VIDEO_MAX_ATTEMPTS=1)
    response = httpx.post(studio.url + ENDPOINT, json={"prompt": "x"}, timeout=30)
    assert response.status_code == 502
    assert "could not connect" in response.json()["error"].lower()
