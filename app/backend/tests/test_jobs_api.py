"""The jobs lifecycle over real HTTP against a studio subprocess: preview engine and a
loopback tt-cloud upstream; every produced MP4 is decoded."""

from __future__ import annotations

import io
import json
import time

import av
import httpx
import numpy as np
import pytest
from PIL import Image

from tests.support.media import top_level_boxes
from tests.support.storyboards import frames_of
from tests.support.upstream import FakeUpstream


def decode(data: bytes) -> tuple[int, int, int]:
    with av.open(io.BytesIO(data), "r") as container:
        frames = list(container.decode(video=0))
    return len(frames), frames[0].width, frames[0].height


@pytest.fixture
def preview_studio(studio_factory):
    return studio_factory()


def create(client: httpx.Client, **fields) -> dict:
    response = client.post("/v1/videos", json=fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_preview_lifecycle_content_range_thumbnail_list_delete(preview_studio):
    studio = preview_studio
    with studio.client() as client:
        models = client.get("/v1/models").json()["data"]
        preview = next(m for m in models if m["id"] == "preview")
        assert preview["ready"] and preview["default"] and preview["preview"]
        assert next(m for m in models if m["id"] == "tt-cloud")["ready"] is False

        job = create(client, prompt="Volcano on a beach", size="320x192", num_frames=17, seed=7)
        assert job["status"] == "queued" and job["model"] == "preview"
        assert job["label"] == "preview, not AI" and job["preview"] is True
        assert job["negative_prompt"] == "low quality" and job["num_inference_steps"] == 12

        done = studio.wait_for(job["id"])
        assert done["status"] == "completed", done
        assert done["progress"] == 100 and done["size"] == "320x192"
        assert done["metadata"]["frames"] == 17 and done["metadata"]["codec"] == "h264"

        full = client.get(done["content_url"])
        assert full.status_code == 200 and full.headers["content-type"] == "video/mp4"
        assert full.headers["accept-ranges"] == "bytes"
        assert decode(full.content) == (17, 320, 192)
        boxes = top_level_boxes(full.content)
        assert boxes.index(b"moov") < boxes.index(b"mdat")  # faststart: playable while loading
        assert int(full.headers["content-length"]) == len(full.content) == done["metadata"]["bytes"]

        part = client.get(done["content_url"], headers={"Range": "bytes=100-199"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 100-199/{len(full.content)}"
        assert part.content == full.content[100:200]
        tail = client.get(done["content_url"], headers={"Range": "bytes=-50"})
        assert tail.content == full.content[-50:]
        beyond = client.get(done["content_url"], headers={"Range": f"bytes={len(full.content)}-"})
        assert beyond.status_code == 416
        # Numbers past what int() reads (4,300 digits), here and from the edge's grant of moments ago.
        huge, zeros = "9" * 5000, "0" * 5000
        for header, status, body in (
            (f"bytes=0-{huge}", 206, full.content),
            (f"bytes=-{huge}", 206, full.content),
            (f"bytes={huge}-", 416, b""),
            (f"bytes={zeros}100-{zeros}199", 206, full.content[100:200]),
        ):
            answer = client.get(done["content_url"], headers={"Range": header})
            assert (answer.status_code, answer.content) == (status, body), header[:40]

        download = client.get(done["content_url"], params={"download": 1})
        assert download.headers["content-disposition"] == 'attachment; filename="volcano-on-a-beach.mp4"'

        thumb = client.get(done["thumbnail_url"])
        assert thumb.headers["content-type"] == "image/jpeg"
        assert Image.open(io.BytesIO(thumb.content)).size == (320, 192)

        listing = client.get("/v1/videos").json()
        assert [v["id"] for v in listing["data"]] == [job["id"]] and listing["has_more"] is False

        deleted = client.delete(f"/v1/videos/{job['id']}")
        assert deleted.json() == {"id": job["id"], "object": "video.deleted", "deleted": True}
        assert client.get(f"/v1/videos/{job['id']}").status_code == 404
        assert client.get(done["content_url"]).status_code == 404
    assert not list((studio.data_dir / "media" / "videos").glob("*.mp4"))
    assert not list((studio.data_dir / "media" / "thumbnails").glob("*.jpg"))


def test_preview_is_deterministic_for_prompt_and_seed(preview_studio):
    studio = preview_studio
    with studio.client() as client:
        ids = [create(client, prompt="Same", size="128x96", num_frames=5, seed=s)["id"] for s in (1, 1, 2)]
        bodies = []
        for video_id in ids:
            assert studio.wait_for(video_id)["status"] == "completed"
            bodies.append(frames_of(client.get(f"/v1/videos/{video_id}/content").content))
    # The pictures, not the bytes: each file's signed Content Credentials name its own video.
    assert np.array_equal(bodies[0], bodies[1])
    assert not np.array_equal(bodies[0], bodies[2])


def test_list_pagination_with_cursor(preview_studio):
    with preview_studio.client() as client:
        ids = [create(client, prompt=f"p{i}", size="64x64", num_frames=1)["id"] for i in range(5)]
        first = client.get("/v1/videos", params={"limit": 2}).json()
        assert [v["id"] for v in first["data"]] == ids[::-1][:2] and first["has_more"]
        second = client.get("/v1/videos", params={"limit": 2, "after": first["last_id"]}).json()
        assert [v["id"] for v in second["data"]] == ids[::-1][2:4]
        third = client.get("/v1/videos", params={"limit": 2, "after": second["last_id"]}).json()
        assert [v["id"] for v in third["data"]] == ids[:1] and third["has_more"] is False
        oldest_first = client.get("/v1/videos", params={"order": "asc", "limit": 5}).json()
        assert [v["id"] for v in oldest_first["data"]] == ids


def test_server_sent_events_stream_progress_until_done(preview_studio):
    studio = preview_studio
    with studio.client() as client:
        # Held at the gate until the stream has told of it unfinished: it cannot end unseen.
        job = create(client, prompt=studio.gate.prompt("events"), size="256x144", num_frames=49)
        statuses, progress = [], []
        with client.stream("GET", f"/v1/videos/{job['id']}/events") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for line in response.iter_lines():
                if line.startswith("data: "):
                    video = json.loads(line[6:])
                    statuses.append(video["status"])
                    progress.append(video["progress"])
                    studio.gate.open("events")
    assert statuses[-1] == "completed"
    assert "in_progress" in statuses or "queued" in statuses
    assert progress == sorted(progress) and progress[-1] == 100


@pytest.mark.parametrize(
    ("body", "param", "words"),
    [
        ({}, "prompt", "must not be empty"),
        ({"prompt": ""}, "prompt", "must not be empty"),
        ({"prompt": "   "}, "prompt", "must not be empty"),
        ({"prompt": "x" * 2001}, "prompt", "limit is 2000"),
        ({"prompt": "bell\x07"}, "prompt", "control characters"),
        ({"prompt": 12}, "prompt", "must be a string"),
        ({"prompt": "x", "num_inference_steps": 0}, "num_inference_steps", "between 1 and 100"),
        ({"prompt": "x", "num_inference_steps": "many"}, "num_inference_steps", "whole number"),
        ({"prompt": "x", "num_inference_steps": True}, "num_inference_steps", "whole number"),
        ({"prompt": "x", "seed": -1}, "seed", "between 0 and 4294967295"),
        ({"prompt": "x", "seed": 2**32}, "seed", "between 0"),
        ({"prompt": "x", "size": "big"}, "size", "832x480"),
        ({"prompt": "x", "size": "100x100"}, "size", "multiples of 16"),
        ({"prompt": "x", "size": "4096x4096"}, "size", "between 64 and 1920"),
        ({"prompt": "x", "num_frames": 500}, "num_frames", "between 1 and 481"),
        ({"prompt": "x", "num_frames": 400}, "num_frames", "between 1 and 321"),
        ({"prompt": "x", "seconds": "30"}, "seconds", "1 to 20 seconds"),
        ({"prompt": "x", "n": 9}, "n", "between 1 and 8"),
        ({"prompt": "x", "model": "sora-9"}, "model", "Unknown model"),
        ({"prompt": "x", "steps": 4}, "steps", "Unknown field"),
    ],
)
def test_create_validation_errors_are_clear_400s(preview_studio, body, param, words):
    with preview_studio.client() as client:
        response = client.post("/v1/videos", json=body)
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["param"] == param and words in error["message"]
        assert error["type"] == "invalid_request_error"
        assert client.get("/v1/videos").json()["data"] == []


def test_malformed_bodies_and_ids(preview_studio):
    with preview_studio.client() as client:
        assert client.post("/v1/videos", content=b"{", headers={"content-type": "application/json"}).status_code == 400
        assert (
            client.post("/v1/videos", content=b"[1]", headers={"content-type": "application/json"}).status_code == 400
        )
        assert client.post("/v1/videos", content=b"x", headers={"content-type": "text/plain"}).status_code == 415
        for bad in ("nope", "video_../../etc/passwd", "video_" + "0" * 32):
            response = client.get(f"/v1/videos/{bad}")
            assert response.status_code == 404 and "error" in response.json()
        assert client.get("/v1/videos", params={"limit": 0}).status_code == 400
        assert client.get("/v1/videos", params={"limit": "x"}).status_code == 400
        # Form posts work too (the openai client sends multipart).
        form = client.post("/v1/videos", data={"prompt": "form", "seed": "3", "size": "64x64", "num_frames": "1"})
        assert form.status_code == 201 and form.json()["seed"] == 3


def test_tt_cloud_model_must_be_configured(preview_studio):
    with preview_studio.client() as client:
        response = client.post("/v1/videos", json={"prompt": "x", "model": "tt-cloud"})
        assert response.status_code == 503
        assert "CLOUD_VIDEO_GENERATION_URL" in response.json()["error"]["message"]


@pytest.fixture
def cloud_studio(studio_factory, upstream: FakeUpstream):
    upstream.mode, upstream.delay = "async", 1.0
    return studio_factory(
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL=0.1,
    )


def test_queue_respects_upstream_concurrency_and_learns_eta(cloud_studio, upstream):
    studio = cloud_studio
    # A run learned as ~1.5 s, over the 1 s an ETA never goes under: the running job's ETA (the
    # run less its time so far, at least 1 s) is below the next one's (what is left of that run,
    # at least 0, plus a run) however long the reads below take.
    upstream.mode, upstream.serial, upstream.delay = "sync", True, 1.5
    with studio.client() as client:
        assert client.get("/v1/models").json()["data"][0]["default"] is True  # tt-cloud is the default now
        first = create(client, prompt="warm-up")
        assert first["model"] == "tt-cloud" and first["eta_seconds"] is None  # nothing learned yet
        studio.wait_for(first["id"])
        upstream.held = True  # the first of the three cannot finish while they are read
        jobs = [create(client, prompt=f"q{i}") for i in range(3)]
        deadline = time.monotonic() + 30
        while len(upstream.posts()) < 2:  # the first is at the upstream, its answer held
            assert time.monotonic() < deadline, "the first job never reached the upstream"
            time.sleep(0.01)
        views = [client.get(f"/v1/videos/{j['id']}").json() for j in jobs]
        upstream.held = False
        assert views[0]["status"] == "in_progress"
        assert [v["queue_position"] for v in views[1:]] == [0, 1]
        etas = [v["eta_seconds"] for v in views]
        assert all(e is not None for e in etas) and etas[0] < etas[1] < etas[2]
        # One more upstream run of ~1.5 s each; each ETA is rounded to 0.1 s, so their
        # difference can come out 0.1 s under the run.
        assert 1.4 - 1e-9 <= etas[2] - etas[1] <= 4.0
        for job in jobs:
            assert studio.wait_for(job["id"])["status"] == "completed"
    assert upstream.max_concurrent == 1  # jobs waited in the studio, not at the upstream
    assert len(upstream.posts()) == 4


def test_cancel_queued_and_running_jobs(cloud_studio, upstream):
    studio = cloud_studio
    upstream.mode = "async_never"  # the running job stays in_progress upstream until cancelled
    with studio.client() as client:
        running = create(client, prompt="long", model="tt-cloud")
        queued = create(client, prompt="waiting", model="tt-cloud")
        # Its first status poll: submitted, and its upstream job id recorded by the studio.
        assert upstream.polled.wait(30), "the running job was never polled upstream"
        cancelled = client.post(f"/v1/videos/{queued['id']}/cancel").json()
        assert cancelled["status"] == "cancelled"
        client.post(f"/v1/videos/{running['id']}/cancel")
        assert studio.wait_for(running["id"], timeout=10)["status"] == "cancelled"
        assert client.post(f"/v1/videos/{running['id']}/cancel").status_code == 409
        # The upstream was told to stop burning accelerator time on it.
        job_id = next(iter(upstream.jobs))
        assert any(s.path.endswith(f"/{job_id}/cancel") for s in upstream.seen)
        # The cancelled queued job never reached the upstream.
        assert len(upstream.posts()) == 1
        # Retry makes a fresh job with the same parameters.
        upstream.mode, upstream.delay = "async", 0.2
        again = client.post(f"/v1/videos/{queued['id']}/retry")
        assert again.status_code == 201 and again.json()["prompt"] == "waiting"
        assert studio.wait_for(again.json()["id"])["status"] == "completed"


def test_restart_mid_job_resumes_the_upstream_job(cloud_studio, upstream, studio_factory):
    studio = cloud_studio
    upstream.mode, upstream.delay = "async_never", 0  # in_progress upstream until let go below
    with studio.client() as client:
        job = create(client, prompt="survive a crash")
    # The first status poll comes after the studio has recorded the upstream's job id; a kill
    # before that point is a different case (the upstream job is not known to the studio yet).
    deadline = time.monotonic() + 10
    while not any(s.method == "GET" for s in upstream.seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert upstream.jobs, "the upstream never saw the job"
    studio.kill()
    for upstream_job in upstream.jobs.values():  # it finished upstream while the studio was down
        upstream_job.outcome = "completed"
    restarted = studio_factory(data_dir=studio.data_dir, **studio.settings)
    done = restarted.wait_for(job["id"], timeout=30)
    assert done["status"] == "completed"
    assert len(upstream.posts()) == 1  # resumed polling, no second generation
    with restarted.client() as client:
        assert decode(client.get(done["content_url"]).content)[0] == 8
    assert "recovered job" in restarted.logs()


def test_restart_with_queued_jobs_loses_nothing(preview_studio, studio_factory):
    studio = preview_studio
    with studio.client() as client:
        # The first is held mid-encode at the gate, the other two queued behind it, when the studio dies.
        prompts = [studio.gate.prompt("keep0", "keep 0"), "keep 1", "keep 2"]
        ids = [create(client, prompt=prompt, size="640x368", num_frames=81)["id"] for prompt in prompts]
    studio.gate.wait_until_held("keep0")
    studio.kill()
    studio.gate.open("keep0")  # the restarted studio's run of it goes through
    restarted = studio_factory(data_dir=studio.data_dir)
    for video_id in ids:
        assert restarted.wait_for(video_id, timeout=90)["status"] == "completed"
    assert not list((studio.data_dir / "scratch").glob("*"))


def test_openai_python_client_works_against_the_studio(preview_studio):
    from openai import OpenAI

    client = OpenAI(base_url=preview_studio.url + "/v1", api_key="unused")
    # The SDK's size Literal lists OpenAI's own sizes; the studio takes any its model makes.
    video = client.videos.create(
        prompt="A lighthouse",
        model="preview",
        size="320x192",  # type: ignore[arg-type]
        extra_body={"num_frames": 9},
    )
    assert video.status == "queued"
    done = preview_studio.wait_for(video.id)
    assert client.videos.retrieve(video.id).status == "completed" == done["status"]
    content = client.videos.download_content(video.id)
    assert decode(content.read()) == (9, 320, 192)
    assert [v.id for v in client.videos.list()] == [video.id]
    assert client.videos.delete(video.id).deleted is True


def test_openapi_schema_and_docs(preview_studio):
    with preview_studio.client() as client:
        schema = client.get("/v1/openapi.json").json()
        assert {"/v1/videos", "/v1/videos/{video_id}", "/v1/videos/{video_id}/content", "/v1/models"} <= set(
            schema["paths"]
        )
        body = schema["paths"]["/v1/videos"]["post"]["requestBody"]["content"]
        assert body["application/json"]["schema"]["required"] == ["prompt"]
        docs = client.get("/v1/docs")
        assert docs.status_code == 200 and "swagger" in docs.text.lower()
        assert "cdn." not in docs.text  # served locally: no internet needed
        asset = next(part.split('"')[0] for part in docs.text.split('src="')[1:] if "swagger" in part)
        assert client.get(asset).status_code == 200
