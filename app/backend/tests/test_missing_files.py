"""A finished video whose files are gone from storage (deleted outside the studio, a volume
restored without its media) answers a JSON 404 a person understands, never a 500 page; the
rest of the studio goes on (the list, deleting the video). With nginx in front as well: the
studio decides before nginx is asked for any bytes."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from tests.support.studio import StudioServer


@pytest.mark.parametrize("front", ["", "nginx"], ids=["studio", "nginx-front"])
def test_a_video_whose_files_are_gone_answers_a_clear_404(
    front: str, studio_factory: Callable[..., StudioServer], tmp_path: Path
) -> None:
    studio = studio_factory(tmp_path / "data", STUDIO_FRONT=front)
    with studio.client() as client:
        created = client.post("/v1/videos", json={"prompt": "lost", "size": "64x64", "num_frames": 3}).json()
        done = studio.wait_for(created["id"])
        assert done["status"] == "completed"
        media = tmp_path / "data" / "media"
        for stored in [*media.rglob("*.mp4"), *media.rglob("*.jpg")]:
            stored.unlink()

        content = done["content_url"]
        for url, method in (
            (content, "GET"),
            (content, "HEAD"),
            (f"{content}?download=true", "GET"),
            (f"{content}?variant=thumbnail", "GET"),
            (f"{content}?variant=spritesheet", "GET"),  # made from the MP4 on first ask
        ):
            answer = client.request(method, url, headers={"Range": "bytes=0-99"} if "download" in url else {})
            assert answer.status_code == 404, (method, url, answer.status_code, answer.text[:200])
            assert answer.headers["content-type"].startswith("application/json"), (url, answer.text[:200])
            if method == "GET":
                error = answer.json()["error"]
                assert error["code"] == "file_missing" and "missing from the studio's storage" in error["message"]

        # Extending or editing it is refused at once (not accepted, then failed).
        for path in ("/v1/videos/extensions", "/v1/videos/edits"):
            refused = client.post(path, json={"video": {"id": created["id"]}, "prompt": "more", "seconds": "1"})
            assert refused.status_code == 404, (path, refused.text[:200])
            assert refused.json()["error"]["code"] == "file_missing" and refused.json()["error"]["param"] == "video"

        listed = client.get("/v1/videos").json()["data"]
        assert [video["id"] for video in listed] == [created["id"]]
        assert client.delete(f"/v1/videos/{created['id']}").json()["deleted"] is True
        assert client.get(content).status_code == 404


def test_remaking_a_video_whose_input_is_gone_is_a_clear_404(studio_factory: Callable[..., StudioServer]) -> None:
    """Retry and remix copy the inputs a video was made from; one gone from storage is a 404,
    and no half-made job is left."""
    studio = studio_factory()
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(picture, format="PNG")
    with studio.client() as client:
        created = client.post(
            "/v1/videos",
            data={"prompt": "from a picture", "size": "64x64", "num_frames": "3"},
            files={"input_reference": ("red.png", picture.getvalue(), "image/png")},
        ).json()
        assert studio.wait_for(created["id"])["status"] == "completed"
        for reference in (studio.data_dir / "media" / "references").iterdir():
            reference.unlink()
        for path, body in (
            (f"/v1/videos/{created['id']}/retry", None),
            (f"/v1/videos/{created['id']}/remix", {"prompt": "again"}),
        ):
            answer = client.post(path, json=body)
            assert answer.status_code == 404, (path, answer.text[:200])
            assert answer.json()["error"]["code"] == "file_missing", path
        assert [video["id"] for video in client.get("/v1/videos").json()["data"]] == [created["id"]]
