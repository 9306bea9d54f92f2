"""tt-cloud against a loopback server that validates as tt-media-server does (its 422s):
first and last frames through `/generations/i2v`, text/image modes, shape fields, and the
upstream's validation errors as clear failed jobs (or 400s before anything is queued)."""

from __future__ import annotations

import io

import httpx
from PIL import Image

from tests.support.upstream import PATH, FakeUpstream


def png(color: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def tt_cloud(studio_factory, upstream: FakeUpstream, **settings: str):
    return studio_factory(
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL="0.05",
        VIDEO_MAX_ATTEMPTS="1",
        **settings,
    )


def posts(upstream: FakeUpstream) -> list[str]:
    return [s.path for s in upstream.seen if s.method == "POST"]


def test_first_and_last_frame_go_to_i2v_at_their_positions(studio_factory, upstream: FakeUpstream) -> None:
    upstream.mode = "async"
    studio = tt_cloud(studio_factory, upstream, CLOUD_VIDEO_GENERATION_MODES="both")
    first, last = png((255, 0, 0)), png((0, 0, 255))
    with studio.client() as client:
        model = next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "tt-cloud")
        caps = model["capabilities"]
        assert caps["image_to_video"] and caps["text_to_video"] and caps["last_frame"]
        made = client.post(
            "/v1/videos",
            data={"prompt": "sunrise to sunset", "model": "tt-cloud", "num_inference_steps": "4"},
            files={"input_reference": ("a.png", first, "image/png"), "last_frame": ("b.png", last, "image/png")},
        )
        assert made.status_code == 201, made.text
        done = studio.wait_for(made.json()["id"])
        assert done["status"] == "completed", done["error"]
        assert posts(upstream) == [PATH + "/i2v"]
        assert upstream.i2v_prompts == [[(0, first), (80, last)]]
        body = next(s.body for s in upstream.seen if s.method == "POST")
        assert isinstance(body, dict) and "aspect_ratio" not in body and "duration_seconds" not in body

        # A retry keeps both images; a last frame alone goes at its position only.
        again = studio.wait_for(client.post(f"/v1/videos/{done['id']}/retry").json()["id"])
        assert again["status"] == "completed", again["error"]
        assert upstream.i2v_prompts[-1] == [(0, first), (80, last)]
        alone = client.post(
            "/v1/videos",
            data={"prompt": "ends blue", "model": "tt-cloud"},
            files={"last_frame": ("b.png", last, "image/png")},
        )
        assert studio.wait_for(alone.json()["id"])["status"] == "completed"
        assert upstream.i2v_prompts[-1] == [(80, last)]

        # A broken image is refused before queueing.
        broken = client.post(
            "/v1/videos",
            data={"prompt": "x", "model": "tt-cloud"},
            files={"last_frame": ("b.png", b"nope", "image/png")},
        )
        assert broken.status_code == 400 and broken.json()["error"]["param"] == "last_frame"
        assert len(upstream.i2v_prompts) == 3


def test_image_only_deployment_refuses_text_before_queueing(studio_factory, upstream: FakeUpstream) -> None:
    upstream.i2v_only = True
    studio = tt_cloud(studio_factory, upstream, CLOUD_VIDEO_GENERATION_MODES="i2v")
    with studio.client() as client:
        caps = next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "tt-cloud")["capabilities"]
        assert caps["image_to_video"] and not caps["text_to_video"]
        text = client.post("/v1/videos", json={"prompt": "no image", "model": "tt-cloud"})
        assert text.status_code == 400, text.text
        assert text.json()["error"]["code"] == "image_required" and "image only" in text.json()["error"]["message"]
        assert posts(upstream) == []
        made = client.post(
            "/v1/videos",
            data={"prompt": "from an image", "model": "tt-cloud"},
            files={"input_reference": ("a.png", png((0, 255, 0)), "image/png")},
        )
        assert studio.wait_for(made.json()["id"])["status"] == "completed"
        assert posts(upstream) == [PATH + "/i2v"]


def test_upstream_422_is_a_clear_failed_job(studio_factory, upstream: FakeUpstream) -> None:
    """A studio that believes its upstream does text gets tt-media-server's 422 on an I2V deployment."""
    upstream.i2v_only = True
    studio = tt_cloud(studio_factory, upstream)
    with studio.client() as client:
        made = client.post("/v1/videos", json={"prompt": "text", "model": "tt-cloud"})
        done = studio.wait_for(made.json()["id"])
        assert done["status"] == "failed"
        assert done["error"]["code"] == "upstream_rejected"
        assert "HTTP 422" in done["error"]["message"] and "requires image conditioning" in done["error"]["message"]
        assert posts(upstream) == [PATH]  # not retried: the same request would be refused again


def test_shape_fields_are_sent_and_checked(studio_factory, upstream: FakeUpstream) -> None:
    upstream.aspect_ratios, upstream.durations = ("16:9",), (5, 10)
    studio = tt_cloud(
        studio_factory,
        upstream,
        CLOUD_VIDEO_GENERATION_ASPECT_RATIOS="16:9,9:16",
        CLOUD_VIDEO_GENERATION_DURATIONS="5,10",
    )
    with studio.client() as client:
        caps = next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "tt-cloud")["capabilities"]
        assert caps["sizes"] == ["1280x720", "720x1280"] and caps["seconds"] == [5, 10]
        wide = {"prompt": "wide", "model": "tt-cloud", "size": "1280x720", "seconds": "10"}
        made = client.post("/v1/videos", json=wide)
        assert made.status_code == 201, made.text
        assert studio.wait_for(made.json()["id"])["status"] == "completed"
        sent = upstream.posts()[-1].body
        assert isinstance(sent, dict) and sent["aspect_ratio"] == "16:9" and sent["duration_seconds"] == 10

        # What the studio knows the model does not serve: 400 naming what it does, nothing sent.
        count = len(upstream.posts())
        square = client.post("/v1/videos", json={"prompt": "sq", "model": "tt-cloud", "size": "720x720"})
        assert square.status_code == 400 and "1280x720, 720x1280" in square.json()["error"]["message"]
        long = client.post("/v1/videos", json={"prompt": "long", "model": "tt-cloud", "seconds": "7"})
        assert long.status_code == 400 and "5, 10" in long.json()["error"]["message"]
        assert len(upstream.posts()) == count

        # What only the upstream knows (it serves 16:9 alone): its 422, named in the failed job.
        tall = client.post("/v1/videos", json={"prompt": "tall", "model": "tt-cloud", "size": "720x1280"})
        failed = studio.wait_for(tall.json()["id"])
        assert failed["status"] == "failed" and failed["error"]["code"] == "upstream_rejected"
        assert "aspect_ratio" in failed["error"]["message"] and "16:9" in failed["error"]["message"]


def test_without_shape_settings_nothing_extra_is_sent(studio_factory, upstream: FakeUpstream) -> None:
    studio = tt_cloud(studio_factory, upstream)
    with httpx.Client(base_url=studio.url, timeout=30) as client:
        refused = client.post("/v1/videos", json={"prompt": "x", "model": "tt-cloud", "size": "1280x720"})
        assert refused.status_code == 400
        # A text-to-video deployment takes no last frame (nor a first one).
        last = client.post(
            "/v1/videos",
            data={"prompt": "x", "model": "tt-cloud"},
            files={"last_frame": ("b.png", png((0, 0, 255)), "image/png")},
        )
        assert last.status_code == 400 and last.json()["error"]["param"] == "last_frame"
        assert upstream.seen == []
        done = studio.wait_for(client.post("/v1/videos", json={"prompt": "x", "model": "tt-cloud"}).json()["id"])
        assert done["status"] == "completed"
        sent = upstream.posts()[-1].body
        assert isinstance(sent, dict) and set(sent) == {"prompt", "negative_prompt", "num_inference_steps", "seed"}
