"""The invisible watermark (VIDEO_WATERMARK, videos/files/watermark.py) and POST /v1/videos/detect,
over real HTTP against a studio subprocess on the preview engine; the re-encode is libx264's
(PyAV), the clips are decoded to check them."""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path

import av
import httpx
import pytest

from tests.support.studio import StudioServer
from videos.files.watermark import mark_id
from videos.providers.base import GenerationRequest, NullContext
from videos.providers.preview import PreviewProvider

# Small enough to be quick, large enough for 64 bits many times over (26x15 blocks of 16 px).
CLIP = {"model": "preview", "size": "416x240", "seconds": "1"}


@pytest.fixture
def marking(studio_factory) -> StudioServer:
    return studio_factory(VIDEO_WATERMARK="true")


def make(studio: StudioServer, client: httpx.Client, **fields: object) -> dict:
    answer = client.post("/v1/videos", json={**CLIP, **fields})
    assert answer.status_code == 201, answer.text
    done = studio.wait_for_as(client, answer.json()["id"])
    assert done["status"] == "completed", done
    return done


def reencode(data: bytes, crf: int, scale: float = 1.0) -> bytes:
    """The clip through libx264 at `crf` (as a sharing site would), optionally scaled (bicubic)."""
    out_buf = io.BytesIO()
    with av.open(io.BytesIO(data), "r") as src, av.open(out_buf, "w", format="mp4") as out:
        video = src.streams.video[0]
        width = int(video.codec_context.width * scale) // 2 * 2
        height = int(video.codec_context.height * scale) // 2 * 2
        enc = out.add_stream("libx264", rate=Fraction(16))
        enc.width, enc.height, enc.pix_fmt = width, height, "yuv420p"
        enc.options = {"crf": str(crf)}
        for frame in src.decode(video):
            frame = frame.reformat(width=width, height=height, format="yuv420p", interpolation="BICUBIC")
            frame.pts = None
            out.mux(enc.encode(frame))
        out.mux(enc.encode(None))
    return out_buf.getvalue()


def detect(client: httpx.Client, data: bytes, name: str = "clip.mp4") -> httpx.Response:
    return client.post("/v1/videos/detect", files={"video": (name, data, "video/mp4")})


def test_detect_names_a_studio_video_as_made_and_after_a_crf_28_re_encode(marking: StudioServer) -> None:
    with marking.client() as client:
        done = make(marking, client, prompt="koi in a pond", seed=5)
        data = client.get(done["content_url"]).content
        credentials = client.get(f"/v1/videos/{done['id']}/credentials").json()
        assert credentials["validation_state"] == "Valid", credentials  # signed after marking: intact
        for label, clip in (("as made", data), ("CRF 28", reencode(data, 28))):
            answer = detect(client, clip)
            assert answer.status_code == 200, (label, answer.text)
            found = answer.json()
            assert found["found"] is True, (label, found)
            assert found["mark_id"] == f"{mark_id(done['id']):012x}", label
            assert found["video"] == {"id": done["id"], "credentials_url": f"/v1/videos/{done['id']}/credentials"}
        assert client.get(found["video"]["credentials_url"]).json()["signed"] is True
        with av.open(io.BytesIO(data), "r") as container:  # still the clip it was: every frame decodes
            assert len(list(container.decode(video=0))) == done["metadata"]["frames"]


def test_a_clip_without_the_mark_is_not_found_and_garbage_is_a_400(marking: StudioServer, tmp_path: Path) -> None:
    plain = tmp_path / "plain.mp4"  # the same engine's clip, never marked
    PreviewProvider().generate(
        GenerationRequest(prompt="koi in a pond", seed=5, width=416, height=240), plain, NullContext()
    )
    with marking.client() as client:
        answer = detect(client, plain.read_bytes())
        assert answer.status_code == 200, answer.text
        assert answer.json()["found"] is False and answer.json()["mark_id"] is None
        assert answer.json()["video"] is None

        garbage = detect(client, b"this is not a video at all" * 40, "notes.mp4")
        assert garbage.status_code == 400, garbage.text
        assert garbage.json()["error"]["code"] == "invalid_video" and "MP4" in garbage.json()["error"]["message"]
        broken = detect(client, plain.read_bytes()[:600])  # starts as an MP4, ends before any frame
        assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_video", broken.text
        missing = client.post("/v1/videos/detect", files={"other": ("a.mp4", b"x", "video/mp4")})
        assert missing.status_code == 400 and missing.json()["error"]["param"] == "video"
        as_json = client.post("/v1/videos/detect", json={"video": "video_x"})
        assert as_json.status_code == 415, as_json.text


def test_a_mark_of_a_video_the_caller_may_not_see_names_no_video(studio_factory) -> None:
    studio = studio_factory(
        VIDEO_WATERMARK="true",
        STUDIO_AUTH_REQUIRED="true",
        STUDIO_API_KEYS="alice:key-aaaaaaaaaaaaaaaa,bob:key-bbbbbbbbbbbbbbbb",
    )
    with httpx.Client(
        base_url=studio.url, headers={"Authorization": "Bearer key-aaaaaaaaaaaaaaaa"}, timeout=30
    ) as alice:
        done = make(studio, alice, prompt="a red kite", seed=2)
        data = alice.get(done["content_url"]).content
        assert detect(alice, data).json()["video"]["id"] == done["id"]
    with httpx.Client(base_url=studio.url, headers={"Authorization": "Bearer key-bbbbbbbbbbbbbbbb"}, timeout=30) as bob:
        found = detect(bob, data).json()
    assert found["found"] is True and found["mark_id"] == f"{mark_id(done['id']):012x}"
    assert found["video"] is None  # bob may not see alice's video: the id alone, no link
