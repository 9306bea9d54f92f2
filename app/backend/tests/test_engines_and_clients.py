"""The openai provider, image-to-video, serve mode and the CLI, each over real HTTP.

A second studio (preview engine) stands in for an OpenAI-compatible server and for a
tt-media-server: it really serves both APIs."""

from __future__ import annotations

import io
import subprocess
import sys

import av
import httpx
import numpy as np
from PIL import Image

from tests.support.studio import BACKEND


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data), "r") as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def png(color: tuple[int, int, int], size: tuple[int, int] = (64, 48), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def test_openai_provider_against_an_openai_compatible_server(studio_factory):
    server = studio_factory()
    studio = studio_factory(
        OPENAI_VIDEO_BASE_URL=server.url + "/v1",
        OPENAI_VIDEO_API_KEY="sk-sentinel-openai-key",
        OPENAI_VIDEO_MODEL="preview",
        OPENAI_VIDEO_EXTRA_FIELDS="true",
        OPENAI_VIDEO_POLL_INTERVAL=0.1,
        OPENAI_VIDEO_SIZES="128x96",  # what the upstream studio's preview engine is asked for here
    )
    with studio.client() as client:
        models = {m["id"]: m for m in client.get("/v1/models").json()["data"]}
        assert models["openai"]["ready"] and models["openai"]["default"]
        job = client.post("/v1/videos", json={"prompt": "Harbour at dusk", "size": "128x96", "seed": 5}).json()
        assert job["model"] == "openai"
        done = studio.wait_for(job["id"])
        assert done["status"] == "completed", done
        frames = frames_of(client.get(done["content_url"]).content)
        assert frames[0].shape == (96, 128, 3)
    with server.client() as client:
        [upstream_job] = client.get("/v1/videos").json()["data"]
    assert (
        upstream_job["prompt"] == "Harbour at dusk" and upstream_job["seed"] == 5 and upstream_job["size"] == "128x96"
    )
    assert "sk-sentinel-openai-key" not in studio.logs() + server.logs()


def test_image_to_video_on_the_preview_engine_and_validation(studio_factory):
    studio = studio_factory()
    with studio.client() as client:
        response = client.post(
            "/v1/videos",
            data={"prompt": "from a red picture", "size": "64x64", "num_frames": "3"},
            files={"input_reference": ("red.png", png((220, 10, 10)), "image/png")},
        )
        assert response.status_code == 201, response.text
        assert response.json()["has_reference_image"] is True
        done = studio.wait_for(response.json()["id"])
        assert done["status"] == "completed", done
        first = frames_of(client.get(done["content_url"]).content)[0].astype(float)
        middle = first[20:44]  # between the label bars
        assert middle[..., 0].mean() > 1.5 * middle[..., 1].mean()  # the red backdrop shows

        bad = [
            ({"input_reference": ("x.png", b"not an image", "image/png")}, 400, "not a readable"),
            ({"input_reference": ("x.gif", png((1, 2, 3), fmt="GIF"), "image/gif")}, 400, "use PNG, JPEG or WebP"),
            ({"input_reference": ("x.png", png((1, 2, 3), size=(5000, 10)), "image/png")}, 400, "largest side"),
        ]
        for files, status, words in bad:
            response = client.post("/v1/videos", data={"prompt": "x"}, files=files)
            assert response.status_code == status and words in response.json()["error"]["message"], response.text
        huge = client.post(
            "/v1/videos",
            data={"prompt": "x"},
            files={"input_reference": ("big.png", b"\0" * (11 * 1024**2), "image/png")},
        )
        assert huge.status_code == 413
        as_json = client.post("/v1/videos", json={"prompt": "x", "input_reference": "http://example/x.png"})
        assert as_json.status_code == 400 and "multipart" in as_json.json()["error"]["message"]
        assert [v["id"] for v in client.get("/v1/videos").json()["data"]] == [done["id"]]


def test_models_without_image_support_refuse_a_reference_image(studio_factory, upstream):
    studio = studio_factory(CLOUD_VIDEO_GENERATION_URL=upstream.url, CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token)
    with studio.client() as client:
        response = client.post(
            "/v1/videos",
            data={"prompt": "x", "model": "tt-cloud"},
            files={"input_reference": ("r.png", png((0, 0, 0)), "image/png")},
        )
        assert response.status_code == 400
        assert "does not take a reference image" in response.json()["error"]["message"]
    assert upstream.posts() == []


def test_serve_mode_lets_another_studio_use_this_ones_engine(studio_factory):
    server = studio_factory(VIDEO_SERVE_ENABLED="true", VIDEO_SERVE_TOKEN="serve-sentinel-token")
    endpoint = server.url + "/v1/videos/generations"
    assert httpx.post(endpoint, json={"prompt": "x"}).status_code == 401
    studio = studio_factory(
        CLOUD_VIDEO_GENERATION_URL=endpoint,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN="serve-sentinel-token",
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL=0.1,
    )
    # The seed's endpoint, end to end through serve mode's 202-then-poll flow.
    response = httpx.post(
        studio.url + "/models-api/video-generation-cloud/", json={"prompt": "Volcano on a beach"}, timeout=60
    )
    assert response.status_code == 200, response.text
    assert len(frames_of(response.content)) == 33  # the preview engine's default length
    with server.client() as client:
        [served] = client.get("/v1/videos").json()["data"]
    assert served["prompt"] == "Volcano on a beach" and served["model"] == "preview"
    assert served["negative_prompt"] == "low quality" and served["num_inference_steps"] == 12
    # Cancelling in the studio cancels the served job too. The served job is held at the
    # serving studio's gate (its prompt goes through as it is), so both are running when cancelled.
    held = server.gate.prompt("long", "long one")
    with studio.client() as client:
        job = client.post("/v1/videos", json={"prompt": held, "model": "tt-cloud"}).json()
        server.gate.wait_until_held("long")
        studio.wait_for(job["id"], ("in_progress",))
        with server.client() as upstream:
            rows = upstream.get("/v1/videos").json()["data"]
        [served_long] = [row for row in rows if row["prompt"] == held]
        assert len(rows) == 2 and served_long["status"] == "in_progress", rows
        client.post(f"/v1/videos/{job['id']}/cancel")
        assert studio.wait_for(job["id"])["status"] == "cancelled"
    assert server.wait_for(served_long["id"])["status"] == "cancelled"
    assert "serve-sentinel-token" not in studio.logs() + server.logs()


def test_serve_mode_is_off_by_default(studio_factory):
    studio = studio_factory()
    assert httpx.post(studio.url + "/v1/videos/generations", json={"prompt": "x"}).status_code == 404


def run_cli(studio_env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "generate", *args],
        cwd=BACKEND,
        env=studio_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_against_a_running_studio_and_in_process(studio_factory, tmp_path):
    studio = studio_factory()
    env = {**studio.env()}
    out = tmp_path / "clip.mp4"
    done = run_cli(env, "A quiet lake", "--server", studio.url, "--size", "96x64", "--frames", "5", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "100.0%" in done.stderr and "saved" in done.stdout
    assert frames_of(out.read_bytes())[0].shape == (64, 96, 3)

    local = tmp_path / "local.mp4"
    done = run_cli(
        env,
        "In process",
        "--in-process",
        "--provider",
        "preview",
        "--size",
        "64x64",
        "--frames",
        "2",
        "--out",
        str(local),
    )
    assert done.returncode == 0, done.stderr
    assert len(frames_of(local.read_bytes())) == 2

    refused = run_cli(env, "x", "--server", "http://127.0.0.1:9")
    assert refused.returncode != 0 and "No studio answers at http://127.0.0.1:9" in refused.stderr
    invalid = run_cli(env, "x", "--server", studio.url, "--steps", "1000")
    assert invalid.returncode != 0 and "num_inference_steps must be between 1 and 100" in invalid.stderr
    unknown = run_cli(env, "x", "--in-process", "--provider", "tt-cloud")
    assert unknown.returncode != 0 and "CLOUD_VIDEO_GENERATION_URL" in unknown.stderr
    assert "Traceback" not in refused.stderr + invalid.stderr + unknown.stderr
