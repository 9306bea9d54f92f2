"""tt-cloud reads what a tt-media-server runs from its /tt-liveness (runner_in_use) instead of
asking the operator: modes, shapes, steps and sound come from the runner; an unknown runner
works with the documented defaults and is shown as unknown; warm-up shows on the upstream; the
token goes with the readings but never reaches an answer or a log."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from PIL import Image

from tests.support.fleet import fleet_studio, tt_cloud_model, upstream_views, wait_for_state, wait_until
from tests.support.upstream import PATH, FakeUpstream

# tt-media-server's minimax_h3_policy.py: six calibrated aspect ratios, every whole second 4..15.
MINIMAX_RATIOS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
MINIMAX_SECONDS = tuple(range(4, 16))


def png(color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def server() -> Iterator[FakeUpstream]:
    fake = FakeUpstream(mode="async")
    yield fake
    fake.close()


def test_an_i2v_lightning_server_takes_images_at_its_four_steps_without_settings(
    studio_factory, server: FakeUpstream
) -> None:
    server.runner, server.i2v_only = "tt-wan2.2-i2v-lightning", True
    studio = fleet_studio(studio_factory, server)
    with studio.client() as client:
        model = tt_cloud_model(client)
        caps = model["capabilities"]
        assert (caps["image_to_video"], caps["text_to_video"], caps["last_frame"]) == (True, False, True)
        assert caps["steps_range"] == [4, 4] and caps["default_steps"] == 4
        assert "Lightning" in model["label"]
        [view] = model["upstreams"]
        assert view["name"] == "tt-1" and view["runner"] == "tt-wan2.2-i2v-lightning"
        assert view["known"] is True and view["state"] == "ready"

        made = client.post(
            "/v1/videos", data={"prompt": "a cat", "model": "tt-cloud"}, files={"input_reference": ("a.png", png())}
        )
        assert made.status_code == 201, made.text
        assert made.json()["num_inference_steps"] == 4
        done = studio.wait_for(made.json()["id"])
        assert done["status"] == "completed", done["error"]
        [post] = [s for s in server.seen if s.method == "POST"]
        assert post.path == PATH + "/i2v" and isinstance(post.body, dict) and post.body["num_inference_steps"] == 4

        bare = client.post("/v1/videos", json={"prompt": "no image", "model": "tt-cloud"})
        assert bare.status_code == 400 and bare.json()["error"]["code"] == "image_required"
    # The readings carried the token, to the server's root; nothing answered or logged shows it.
    assert {s.path for s in server.liveness_seen} >= {"/tt-liveness", "/health"}
    assert all(s.headers.get("Authorization") == f"Bearer {server.token}" for s in server.liveness_seen)
    assert server.token not in studio.logs()


def test_minimax_t2va_offers_its_ratios_lengths_and_sound(studio_factory, server: FakeUpstream) -> None:
    server.runner = "tt-minimax-h3-t2va"
    server.aspect_ratios, server.durations = MINIMAX_RATIOS, MINIMAX_SECONDS
    studio = fleet_studio(studio_factory, server)
    with studio.client() as client:
        caps = tt_cloud_model(client)["capabilities"]
        assert len(caps["sizes"]) == 6 and "720x1280" in caps["sizes"]
        assert caps["seconds"] == list(MINIMAX_SECONDS) and caps["default_seconds"] == 5
        assert caps["sound"] is True and caps["fps"] == 24 and caps["steps_range"] == [50, 50]
        made = client.post(
            "/v1/videos", json={"prompt": "rain", "model": "tt-cloud", "size": "720x1280", "seconds": "10"}
        )
        assert made.status_code == 201, made.text
        assert studio.wait_for(made.json()["id"])["status"] == "completed"
    [post] = server.posts()
    assert isinstance(post.body, dict)
    assert (post.body["aspect_ratio"], post.body["duration_seconds"], post.body["num_inference_steps"]) == (
        "9:16",
        10,
        50,
    )


def test_an_unknown_runner_works_with_the_defaults_and_says_so(studio_factory, server: FakeUpstream) -> None:
    server.runner = "tt-some-future-video-model"
    studio = fleet_studio(studio_factory, server)
    with studio.client() as client:
        model = tt_cloud_model(client)
        [view] = model["upstreams"]
        assert view["runner"] == "tt-some-future-video-model" and view["known"] is False
        assert view["state"] == "ready"
        caps = model["capabilities"]
        assert caps["text_to_video"] and not caps["image_to_video"] and caps["steps_range"] == [4, 50]
        made = client.post("/v1/videos", json={"prompt": "a dog", "model": "tt-cloud"})
        assert studio.wait_for(made.json()["id"])["status"] == "completed"


def test_a_warming_server_shows_so_then_ready(studio_factory, server: FakeUpstream) -> None:
    server.runner = "tt-wan2.2"
    server.warmup_until = float("inf")
    studio = fleet_studio(studio_factory, server)
    with studio.client() as client:
        view = wait_for_state(client, "tt-1", "warming_up")
        assert "warming" in view["detail"]
        server.warmup_until = 0.0
        wait_for_state(client, "tt-1", "ready")
        made = client.post("/v1/videos", json={"prompt": "a dog", "model": "tt-cloud"})
        assert studio.wait_for(made.json()["id"])["status"] == "completed"


def test_a_server_without_liveness_keeps_the_configured_shape(studio_factory, server: FakeUpstream) -> None:
    """The seed's cloud endpoint answers no /tt-liveness: the settings decide, as before."""
    studio = fleet_studio(studio_factory, server, CLOUD_VIDEO_GENERATION_MODES="both")
    with studio.client() as client:
        wait_until(lambda: server.liveness_seen, what="a liveness reading")
        model = tt_cloud_model(client)
        caps = model["capabilities"]
        assert caps["image_to_video"] and caps["text_to_video"]
        [view] = upstream_views(client).values()
        assert view["runner"] is None and view["known"] is False and view["state"] == "ready"
        assert model["label"] == "Wan 2.2 (Tenstorrent cloud / tt-media-server)"
