"""Remix, extend and edit through the API on the `local` engine: a live studio loads a tiny
random Wan 2.2 TI2V model (built in code, saved, loaded by the real loading code), and every
result is decoded."""

from __future__ import annotations

import io
from pathlib import Path

import av
import httpx
import pytest

from tests.support.wan_tiny import save_tiny_pipeline


def decoded(client: httpx.Client, video_id: str) -> tuple[int, int, int, float]:
    """(frames, width, height, fps) of a finished video's MP4."""
    data = client.get(f"/v1/videos/{video_id}/content").content
    with av.open(io.BytesIO(data), "r") as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        return len(frames), frames[0].width, frames[0].height, float(stream.average_rate or 0)


@pytest.fixture(scope="module")
def ti2v_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_pipeline(tmp_path_factory.mktemp("wan") / "ti2v", "ti2v")


def test_remix_extend_and_edit_on_the_local_engine(studio_factory, ti2v_dir: Path) -> None:
    studio = studio_factory(LOCAL_WAN_MODEL_PATH=str(ti2v_dir), LOCAL_WAN_DEVICE="cpu")
    with httpx.Client(base_url=studio.url, timeout=120) as client:
        model = next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "local")
        assert model["ready"], model["detail"]
        assert model["capabilities"]["extend"] and model["capabilities"]["edit"]
        settings = {"model": "local", "size": "64x64", "num_frames": 5, "num_inference_steps": 2}
        created = client.post("/v1/videos", json={"prompt": "a red cat", **settings})
        assert created.status_code == 201, created.text
        source = studio.wait_for(created.json()["id"], timeout=300)
        assert source["status"] == "completed", source["error"]
        assert decoded(client, source["id"])[:3] == (5, 64, 64)

        remix = client.post(f"/v1/videos/{source['id']}/remix", json={"prompt": "a blue cat"}).json()
        assert remix["remixed_from_video_id"] == source["id"] and remix["seed"] == source["seed"]
        extend = client.post(
            "/v1/videos/extensions", json={"video": {"id": source["id"]}, "prompt": "it jumps", "seconds": "1"}
        ).json()
        assert extend["model"] == "local" and extend["extended_from_video_id"] == source["id"]
        assert extend["seconds"] == "2" and extend["size"] == "64x64"  # the source counts as 1 s at least
        edit = client.post("/v1/videos/edits", json={"video": {"id": source["id"]}, "prompt": "at night"}).json()
        assert edit["edited_from_video_id"] == source["id"] and edit["operation"] == "edit"

        for job in (remix, extend, edit):
            done = studio.wait_for(job["id"], timeout=300)
            assert done["status"] == "completed", done["error"]
        assert decoded(client, remix["id"])[:3] == (5, 64, 64)
        # The source's 5 frames, then one second more at its 16 fps (the continuation's first
        # frame, which repeats the source's last, dropped).
        assert decoded(client, extend["id"]) == (5 + 16, 64, 64, 16.0)
        assert decoded(client, edit["id"])[:3] == (5, 64, 64)
