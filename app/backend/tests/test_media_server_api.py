"""Serve mode driven by a client written to tt-media-server's contract (tenstorrent/
tt-inference-server, tt-media-server/open_ai_api/video.py and domain/video_*request.py):
JSON and multipart image-to-video, FastAPI's 422 shapes, 413/415, sync mode, cancel, 401; and
one studio's tt-cloud provider making a first-and-last-frame clip through another's serve mode."""

from __future__ import annotations

import base64
import io
import re
import time

import av
import httpx
import numpy as np
from PIL import Image

from tests.support.upstream import FakeUpstream

TOKEN = "serve-token-5b1e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
I2V, UPLOAD = "/generations/i2v", "/generations/i2v/upload"
RED, BLUE = (230, 20, 20), (20, 20, 230)


def png(color: tuple[int, int, int], size: tuple[int, int] = (96, 64), fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, fmt)
    return buf.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data), "r") as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def dominant(frame: np.ndarray) -> str:
    """'red' or 'blue': which the frame is mostly made of (the preview engine draws over it)."""
    r, _, b = np.median(frame.reshape(-1, 3), axis=0)
    return "red" if r > b else "blue"


class MediaServerClient:
    """What a tt-media-server client does: submit, poll GET /generations/{id}, download."""

    def __init__(self, base: str, token: str = TOKEN) -> None:
        self.http = httpx.Client(base_url=base + "/v1/videos", headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def wait(self, job_id: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            job = self.http.get(f"/generations/{job_id}").json()
            if job["status"] in ("completed", "failed", "cancelled") or time.monotonic() > deadline:
                return job
            time.sleep(0.05)


def serve(studio_factory, **settings: str):
    return studio_factory(
        **{"VIDEO_SERVE_ENABLED": "true", "VIDEO_SERVE_TOKEN": TOKEN, "VIDEO_SERVE_PROVIDER": "preview", **settings}
    )


def test_i2v_json_and_upload_make_videos_from_their_frames(studio_factory) -> None:
    server = serve(studio_factory)
    client = MediaServerClient(server.url)
    submitted = client.http.post(
        I2V,
        json={
            "prompt": "red to blue",
            "num_inference_steps": 4,
            "seed": 42,
            "image_prompts": [{"image": b64(png(BLUE)), "frame_pos": 80}, {"image": b64(png(RED)), "frame_pos": 0}],
        },
    )
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    assert job["status"] == "queued" and job["id"].startswith("video_")
    assert client.wait(job["id"])["status"] == "completed"
    video = client.http.get(f"/generations/{job['id']}/download")
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    frames = frames_of(video.content)
    assert dominant(frames[0]) == "red" and dominant(frames[-1]) == "blue"

    upload = client.http.post(
        UPLOAD,
        data={"prompt": "from a file", "frame_pos": "0", "seed": "7", "negative_prompt": "blur"},
        files={"image": ("a.webp", png(BLUE, fmt="WEBP"), "image/webp")},
    )
    assert upload.status_code == 202, upload.text
    assert client.wait(upload.json()["id"])["status"] == "completed"
    frames = frames_of(client.http.get(f"/generations/{upload.json()['id']}/download").content)
    assert dominant(frames[0]) == "blue"
    with server.client() as studio:
        made = {v["prompt"]: v for v in studio.get("/v1/videos").json()["data"]}
    assert made["from a file"]["seed"] == 7 and made["from a file"]["negative_prompt"] == "blur"
    assert made["red to blue"]["has_reference_image"] and made["red to blue"]["num_inference_steps"] == 4


def test_validation_answers_as_tt_media_server(studio_factory) -> None:
    server = serve(studio_factory)
    client = MediaServerClient(server.url)
    good = b64(png(RED))

    def problems(path: str, body: dict) -> list[tuple[tuple, str]]:
        answer = client.http.post(path, json=body)
        assert answer.status_code == 422, answer.text
        return [(tuple(p["loc"]), p["type"]) for p in answer.json()["detail"]]

    assert problems(I2V, {"prompt": "x"}) == [(("body", "image_prompts"), "missing")]
    assert problems(I2V, {"prompt": "x", "image_prompts": []}) == [(("body", "image_prompts"), "too_short")]
    many = [{"image": good, "frame_pos": i} for i in range(82)]
    assert problems(I2V, {"prompt": "x", "image_prompts": many}) == [(("body", "image_prompts"), "too_long")]
    assert problems(I2V, {"prompt": "x", "image_prompts": [{"image": good, "frame_pos": 81}]}) == [
        (("body", "image_prompts", 0, "frame_pos"), "less_than")
    ]
    assert problems(I2V, {"prompt": "x", "image_prompts": [{"image": b64(b"not an image")}]}) == [
        (("body", "image_prompts", 0, "image"), "value_error")
    ]
    duplicate = [{"image": good, "frame_pos": 3}, {"image": good, "frame_pos": 3}]
    assert problems(I2V, {"prompt": "x", "image_prompts": duplicate}) == [(("body", "image_prompts"), "value_error")]
    assert problems(I2V, {"image_prompts": [{"image": good}], "num_inference_steps": 3}) == [
        (("body", "prompt"), "missing"),
        (("body", "num_inference_steps"), "greater_than_equal"),
    ]
    assert problems("/generations", {"prompt": "x", "num_inference_steps": 51, "duration_seconds": 61}) == [
        (("body", "num_inference_steps"), "less_than_equal"),
        (("body", "duration_seconds"), "less_than_equal"),
    ]
    # The preview engine conditions on a first and a last frame, not on anchors between.
    middle = [{"image": good, "frame_pos": 0}, {"image": good, "frame_pos": 40}, {"image": good, "frame_pos": 80}]
    answer = client.http.post(I2V, json={"prompt": "x", "image_prompts": middle})
    assert answer.status_code == 422 and "frame_pos 40" in answer.json()["detail"]

    # Multipart: 415 for a type it does not take, 413 over 10 MB (before the image is read), 422s.
    wrong = client.http.post(UPLOAD, data={"prompt": "x"}, files={"image": ("a.gif", b"GIF89a", "image/gif")})
    assert wrong.status_code == 415 and "image/gif" in wrong.json()["detail"]
    big = client.http.post(
        UPLOAD,
        data={"prompt": "x"},
        files={"image": ("a.png", b"\0" * (10 * 1024 * 1024 + 1), "image/png")},
    )
    assert big.status_code == 413 and big.json()["detail"] == "Image exceeds 10485760-byte upload cap"
    missing = client.http.post(UPLOAD, data={"frame_pos": "x"})
    assert missing.status_code == 422
    assert [tuple(p["loc"]) for p in missing.json()["detail"]] == [
        ("body", "prompt"),
        ("body", "image"),
        ("body", "frame_pos"),
    ]
    broken = client.http.post(UPLOAD, data={"prompt": "x"}, files={"image": ("a.png", b"garbage", "image/png")})
    assert broken.status_code == 422 and broken.json()["detail"][0]["loc"] == ["body", "image_prompts", 0, "image"]

    # The token, and what a job id that is not there answers.
    assert httpx.post(f"{server.url}/v1/videos/generations/i2v", json={}).status_code == 401
    assert client.http.get("/generations/video_0000/download").status_code == 404
    assert client.http.post("/generations/video_0000/cancel").status_code == 404
    with server.client() as studio:
        assert studio.get("/v1/videos").json()["data"] == []  # nothing refused was queued


def test_cancel_a_queued_job(studio_factory) -> None:
    server = serve(studio_factory)
    client = MediaServerClient(server.url)
    # The first job holds the preview engine's one slot at the gate: the others stay queued.
    ids = [client.http.post("/generations", json={"prompt": server.gate.prompt("first", "job 0")}).json()["id"]]
    server.gate.wait_until_held("first")
    ids += [client.http.post("/generations", json={"prompt": f"job {i}"}).json()["id"] for i in range(1, 3)]
    cancelled = client.http.post(f"/generations/{ids[-1]}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert client.wait(ids[-1])["status"] == "cancelled"
    assert client.http.get(f"/generations/{ids[-1]}/download").status_code == 409
    server.gate.open("first")
    assert client.wait(ids[0])["status"] == "completed"


def test_sync_mode_answers_the_mp4(studio_factory) -> None:
    server = serve(studio_factory, VIDEO_SERVE_ASYNC="false")
    client = MediaServerClient(server.url)
    answer = client.http.post("/generations", json={"prompt": "sync", "seed": 1})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "video/mp4"
    match = re.fullmatch(r"attachment; filename=(video_[0-9a-f]{32})\.mp4", answer.headers["content-disposition"])
    assert match, answer.headers["content-disposition"]
    assert float(answer.headers["x-generation-time"]) > 0
    assert len(frames_of(answer.content)) == 33
    i2v = client.http.post(I2V, json={"prompt": "sync i2v", "image_prompts": [{"image": b64(png(BLUE))}]})
    assert i2v.status_code == 200 and dominant(frames_of(i2v.content)[0]) == "blue"
    upload = client.http.post(
        UPLOAD, data={"prompt": "u"}, files={"image": ("a.jpg", png(RED, fmt="JPEG"), "image/jpeg")}
    )
    assert upload.status_code == 200 and dominant(frames_of(upload.content)[0]) == "red"
    # The job is an ordinary one, downloadable afterwards too.
    assert client.http.get(f"/generations/{match.group(1)}").json()["status"] == "completed"


def test_sync_mode_gives_up_after_its_timeout(studio_factory) -> None:
    server = serve(studio_factory, VIDEO_SERVE_ASYNC="false", VIDEO_SERVE_SYNC_TIMEOUT="0.05")
    client = MediaServerClient(server.url)
    # Held at the gate: it cannot finish before the time-out, however fast the engine is.
    answer = client.http.post("/generations", json={"prompt": server.gate.prompt("slow", "too slow")})
    assert answer.status_code == 504 and "did not finish within 0.05 s" in answer.json()["detail"]
    with server.client() as studio:
        [job] = studio.get("/v1/videos").json()["data"]
    assert server.wait_for(job["id"])["status"] == "cancelled"


def test_text_on_an_image_only_engine_is_422(studio_factory, upstream: FakeUpstream) -> None:
    """Serve mode over a tt-cloud engine that does image-to-video only refuses text as tt-media-server does."""
    upstream.i2v_only = True
    server = serve(
        studio_factory,
        VIDEO_SERVE_PROVIDER="tt-cloud",
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        CLOUD_VIDEO_GENERATION_MODES="i2v",
    )
    answer = MediaServerClient(server.url).http.post("/generations", json={"prompt": "text only"})
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("This deployment requires image conditioning")
    assert upstream.seen == []


def test_one_studio_makes_a_first_and_last_frame_clip_through_anothers_serve_mode(studio_factory) -> None:
    for mode in ("true", "false"):
        server = serve(studio_factory, VIDEO_SERVE_ASYNC=mode)
        studio = studio_factory(
            CLOUD_VIDEO_GENERATION_URL=server.url + "/v1/videos/generations",
            CLOUD_VIDEO_GENERATION_AUTH_TOKEN=TOKEN,
            CLOUD_VIDEO_GENERATION_POLL_INTERVAL="0.05",
            CLOUD_VIDEO_GENERATION_MODES="both",
        )
        with studio.client() as client:
            made = client.post(
                "/v1/videos",
                data={"prompt": "red to blue", "model": "tt-cloud", "num_inference_steps": "4"},
                files={
                    "input_reference": ("a.png", png(RED), "image/png"),
                    "last_frame": ("b.png", png(BLUE), "image/png"),
                },
            )
            assert made.status_code == 201, made.text
            done = studio.wait_for(made.json()["id"])
            assert done["status"] == "completed", done["error"]
            frames = frames_of(client.get(f"/v1/videos/{done['id']}/content").content)
        assert dominant(frames[0]) == "red" and dominant(frames[-1]) == "blue", mode
        with server.client() as upstream:
            [served] = upstream.get("/v1/videos").json()["data"]
        assert served["prompt"] == "red to blue" and served["has_reference_image"]
