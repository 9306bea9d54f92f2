"""OpenAI's Videos API served by the studio, driven by the official `openai` client (pinned in
requirements-dev) against a live studio on the preview engine: every `videos` method, the
studio's extensions (variations, filters, favorites), and the JSON answers for what the studio
does not do. Every clip is decoded."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import cast

import av
import httpx
import numpy as np
import openai
import pytest
from openai import OpenAI
from openai.types import Video, VideoSeconds, VideoSize
from PIL import Image

from tests.support.media import tiny_mp4
from tests.support.upstream import PATH, FakeUpstream

SIZE: VideoSize = "720x1280"  # one of OpenAI's sizes, so every object passes Video.model_validate
# The client's type hints list OpenAI's lengths and sizes; the studio takes what its model makes.
ONE_SECOND = cast(VideoSeconds, "1")
SMALL = cast(VideoSize, "64x64")
OPENAI_SIZES = ("720x1280", "1280x720", "1024x1792", "1792x1024")


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data), "r") as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def strict(video: Video) -> Video:
    """The object as OpenAI's own model validates it (the client itself does not validate)."""
    return Video.model_validate(video.to_dict())


def poll(client: OpenAI, video_id: str, timeout: float = 90) -> Video:
    deadline = time.monotonic() + timeout
    while True:
        video = client.videos.retrieve(video_id)
        if video.status in ("completed", "failed") or time.monotonic() > deadline:
            assert video.status == "completed", video.to_dict()
            return strict(video) if video.size in OPENAI_SIZES else video
        time.sleep(0.1)


def stored_files(data_dir: Path) -> set[str]:
    media = data_dir / "media"
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()} if media.exists() else set()


def by_reference(sdk: OpenAI, route: str, video_id: str, **fields: str) -> Video:
    return sdk.post(f"/videos/{route}", body={"video": {"id": video_id}, **fields}, cast_to=Video)


@pytest.fixture
def studio(studio_factory):
    return studio_factory()


@pytest.fixture
def sdk(studio) -> OpenAI:
    return OpenAI(base_url=studio.url + "/v1", api_key="unused", max_retries=2)


def test_every_videos_method_of_the_official_client(studio, sdk: OpenAI) -> None:
    created = strict(sdk.videos.create(prompt="A red kite over dunes", model="preview", size=SIZE, seconds=ONE_SECOND))
    # Set from creation on: the length asked for and the size, as OpenAI's Video requires.
    assert (created.status, created.seconds, created.size, created.expires_at) == ("queued", "1", SIZE, None)
    source = poll(sdk, created.id)
    assert source.seconds == "1" and source.size == SIZE and source.remixed_from_video_id is None
    first = frames_of(sdk.videos.download_content(source.id).read())
    assert (len(first), first[0].shape[1], first[0].shape[0]) == (17, 720, 1280)  # 1 s at 16 fps + 1
    thumbnail = Image.open(io.BytesIO(sdk.videos.download_content(source.id, variant="thumbnail").read()))
    assert thumbnail.format == "JPEG"
    sheet = Image.open(io.BytesIO(sdk.videos.download_content(source.id, variant="spritesheet").read()))
    # The documented grid: 17 frames -> 17 tiles, 5 columns x 4 rows of 160 px wide tiles.
    assert sheet.format == "JPEG" and sheet.size == (5 * 160, 4 * round(160 * 1280 / 720))

    remix = strict(sdk.videos.remix(source.id, prompt="A blue kite over dunes"))
    assert remix.remixed_from_video_id == source.id and remix.seconds == "1" and remix.size == SIZE
    remix_raw = sdk.videos.with_raw_response.retrieve(remix.id).http_response.json()
    source_raw = sdk.videos.with_raw_response.retrieve(source.id).http_response.json()
    assert remix_raw["seed"] == source_raw["seed"] and remix_raw["model"] == "preview"
    poll(sdk, remix.id)

    # The client's extend() and edit() upload a file (its multipart encoder refuses a {"id"}
    # reference); a reference to one of the caller's videos goes as JSON through its post().
    extended = strict(by_reference(sdk, "extensions", source.id, prompt="The kite lands", seconds=ONE_SECOND))
    assert extended.seconds == "2"  # OpenAI: an extension's seconds is the stitched total
    done = poll(sdk, extended.id)
    raw = sdk.videos.with_raw_response.retrieve(done.id).http_response.json()
    assert raw["extended_from_video_id"] == source.id and raw["operation"] == "extend"
    joined = frames_of(sdk.videos.download_content(done.id).read())
    assert len(joined) == 17 + 16 and joined[0].shape == first[0].shape  # the source, then 16 new frames
    seam = np.abs(joined[17].astype(int) - joined[16].astype(int)).mean()
    unrelated = np.abs(frames_of(sdk.videos.download_content(remix.id).read())[0].astype(int) - first[0]).mean()
    assert seam < 12 and seam < unrelated / 2, (seam, unrelated)

    uploaded = sdk.videos.extend(
        video=("clip.mp4", tiny_mp4(9, 96, 64), "video/mp4"), prompt="more", seconds=ONE_SECOND
    )
    assert str(poll(sdk, uploaded.id).size) == "96x64"
    # The 8 fps upload keeps its rate: one more second is 8 more frames.
    assert len(frames_of(sdk.videos.download_content(uploaded.id).read())) == 9 + 8
    upload_edit = sdk.videos.edit(video=("clip.mp4", tiny_mp4(9, 96, 64), "video/mp4"), prompt="at dusk")
    assert len(frames_of(sdk.videos.download_content(poll(sdk, upload_edit.id).id).read())) == 9

    edited = strict(by_reference(sdk, "edits", source.id, prompt="The same kite at night"))
    assert poll(sdk, edited.id).size == SIZE
    edit_frames = frames_of(sdk.videos.download_content(edited.id).read())
    assert len(edit_frames) == len(first) and np.abs(edit_frames[5].astype(int) - first[5]).mean() > 5

    with pytest.raises(openai.BadRequestError) as character:
        sdk.videos.create_character(name="Kite", video=("c.mp4", tiny_mp4(), "video/mp4"))
    assert character.value.code == "characters_unsupported" and "characters" in character.value.message
    with pytest.raises(openai.NotFoundError):
        sdk.videos.get_character("char_123")

    listed = [video.id for video in sdk.videos.list(limit=2)]  # cursor paging across pages
    for video in sdk.videos.list(limit=100):
        if video.size in OPENAI_SIZES:
            strict(video)
    assert len(listed) == 6 and listed[-1] == source.id
    assert sdk.videos.delete(edited.id).deleted is True
    with pytest.raises(openai.NotFoundError):
        sdk.videos.retrieve(edited.id)


def test_seeds_variations_gallery_filters_and_favorites(studio, sdk: OpenAI) -> None:
    seeds = set()
    for _ in range(2):
        video = sdk.videos.with_raw_response.create(
            prompt="same prompt", model="preview", size=SIZE, seconds=ONE_SECOND
        )
        seeds.add(video.http_response.json()["seed"])
    assert len(seeds) == 2  # a /v1 create without a seed draws one (2**32 values: equal only by a fault)
    fixed = sdk.videos.with_raw_response.create(
        prompt="fixed", model="preview", size=SIZE, seconds=ONE_SECOND, extra_body={"seed": 42}
    ).http_response.json()
    assert fixed["seed"] == 42

    # The batch's jobs wait at the gate (the preview engine runs one at a time): none has ended
    # when one is cancelled below.
    batch = sdk.videos.with_raw_response.create(
        prompt=studio.gate.prompt("fox", "a fox in snow"),
        model="preview",
        size=SMALL,
        seconds=ONE_SECOND,
        extra_body={"n": 3, "seed": 7},
    ).http_response.json()
    assert batch["batch_id"]
    with httpx.Client(base_url=studio.url) as client:
        members = client.get("/v1/videos", params={"batch_id": batch["batch_id"]}).json()["data"]
        assert sorted(m["seed"] for m in members) == [7, 8, 9] and {m["batch_id"] for m in members} == {
            batch["batch_id"]
        }
        found = client.get("/v1/videos", params={"q": "FOX IN"}).json()["data"]
        assert {m["id"] for m in found} == {m["id"] for m in members}
        assert client.get("/v1/videos", params={"model": "tt-cloud"}).json()["data"] == []
        assert client.post(f"/v1/videos/{members[0]['id']}/cancel").status_code == 200
        # Queued, it is cancelled at once; held at the gate, once its worker has stopped it.
        studio.wait_for(members[0]["id"], ("cancelled",))
        cancelled = client.get("/v1/videos", params={"status": "cancelled"}).json()["data"]
        assert [m["id"] for m in cancelled] == [members[0]["id"]]

        liked = client.post(f"/v1/videos/{members[1]['id']}", json={"favorite": True})
        assert liked.status_code == 200 and liked.json()["favorite"] is True
        favorites = client.get("/v1/videos", params={"favorite": "true", "limit": 1})
        assert [m["id"] for m in favorites.json()["data"]] == [members[1]["id"]]
        # An ended video's prompt is history: only a queued one can be edited (409, nothing changed).
        bad = client.post(f"/v1/videos/{members[0]['id']}", json={"prompt": "rewrite history"})
        assert bad.status_code == 409 and bad.json()["error"]["code"] == "not_queued", bad.text
        assert client.get(f"/v1/videos/{members[0]['id']}").json()["prompt"] != "rewrite history"
        unknown = client.post(f"/v1/videos/{members[1]['id']}", json={"title": "x"})
        assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "title"
        assert client.get("/v1/videos", params={"status": "done"}).status_code == 400
        # Paging keeps the filter: two pages of the batch's three.
        page = client.get("/v1/videos", params={"batch_id": batch["batch_id"], "limit": 2}).json()
        rest = client.get(
            "/v1/videos", params={"batch_id": batch["batch_id"], "limit": 2, "after": page["last_id"]}
        ).json()
        assert page["has_more"] and len(page["data"]) + len(rest["data"]) == 3 and not rest["has_more"]


def test_not_ready_content_is_a_404_the_client_does_not_retry(studio, sdk: OpenAI) -> None:
    # Held at the gate (or queued before it): not finished whatever the engine's speed.
    video = sdk.videos.create(prompt=studio.gate.prompt("slow", "slow"), model="preview", size=SIZE, seconds="12")
    started = time.monotonic()
    with pytest.raises(openai.NotFoundError) as not_ready:
        sdk.videos.download_content(video.id)
    assert time.monotonic() - started < 0.5  # no retries with back-off (a 409 got three)
    assert not_ready.value.code == "video_not_ready"
    with pytest.raises(openai.ConflictError):
        sdk.with_options(max_retries=0).videos.remix(video.id, prompt="too early")
    sdk.videos.delete(video.id)


def test_v1_answers_json_for_unknown_routes_wrong_methods_and_head(studio, sdk: OpenAI) -> None:
    video = poll(sdk, sdk.videos.create(prompt="head", model="preview", size=SMALL, seconds=ONE_SECOND).id)
    with httpx.Client(base_url=studio.url) as client:
        for method, path, status in (
            ("GET", "/v1/nothing/here", 404),
            ("PUT", "/v1/videos", 405),
            ("DELETE", "/v1/models", 405),
            ("PATCH", f"/v1/videos/{video.id}", 405),
            ("GET", "/v1/videos/extensions", 405),
            # Outside /v1 as well: the sign-in routes, the seed's route, the metrics.
            ("OPTIONS", "/auth/me", 405),
            ("PUT", "/auth/login", 405),
            ("PATCH", "/models-api/video-generation-cloud/", 405),
            ("PUT", "/metrics", 405),
        ):
            response = client.request(method, path)
            assert response.status_code == status, (method, path)
            assert response.headers["content-type"].startswith("application/json"), (method, path)
            assert response.json()["error"]["message"], (method, path)
        assert "POST" in client.put("/v1/videos").headers["allow"]
        head = client.head("/v1/videos")
        assert head.status_code == 200 and head.content == b""
        content = client.get(f"/v1/videos/{video.id}/content")
        head = client.head(f"/v1/videos/{video.id}/content")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(content.content)) and head.headers["accept-ranges"] == "bytes"
        assert client.get(f"/v1/videos/{video.id}/content", params={"variant": "poster"}).status_code == 400


def test_bad_extends_and_edits_are_clear_4xx_and_leave_nothing(studio_factory, upstream: FakeUpstream) -> None:
    studio = studio_factory(CLOUD_VIDEO_GENERATION_URL=upstream.url, CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token)
    with httpx.Client(base_url=studio.url, timeout=30) as client:
        ok = client.post("/v1/videos", json={"prompt": "src", "model": "preview", "size": "64x64", "seconds": "1"})
        source = studio.wait_for(ok.json()["id"])
        failed = client.post(
            "/v1/videos", json={"prompt": studio.gate.prompt("doomed"), "model": "preview", "size": "64x64"}
        ).json()
        studio.gate.wait_until_held("doomed")  # running, and held there until cancelled
        client.post(f"/v1/videos/{failed['id']}/cancel")
        assert studio.wait_for(failed["id"])["status"] == "cancelled"
        before = stored_files(studio.data_dir)

        def refused(path: str, status: int, words: str, **kwargs: object) -> None:
            response = client.post(path, **kwargs)  # type: ignore[arg-type]
            assert response.status_code == status, response.text
            assert words in response.json()["error"]["message"], response.text

        refused("/v1/videos/extensions", 404, "no finished clip", json={"video": {"id": failed["id"]}, "prompt": "x"})
        refused("/v1/videos/extensions", 404, "No video", json={"video": {"id": "video_" + "0" * 32}, "prompt": "x"})
        refused(
            "/v1/videos/extensions",
            400,
            "multiples of 16",
            files={"video": ("odd.mp4", tiny_mp4(5, 72, 40), "video/mp4")},
            data={"prompt": "x", "seconds": "1"},
        )
        refused(
            "/v1/videos/extensions",
            400,
            "not a playable video",
            files={"video": ("fake.mp4", b"<html>not a video</html>", "video/mp4")},
            data={"prompt": "x"},
        )
        refused(
            "/v1/videos/extensions",
            400,
            "models that can: preview",
            json={"video": {"id": source["id"]}, "prompt": "x", "model": "tt-cloud"},
        )
        refused(
            "/v1/videos/edits",
            400,
            "from its source clip",
            json={"video": {"id": source["id"]}, "prompt": "x", "size": "64x64"},
        )
        refused("/v1/videos/edits", 400, "video", json={"prompt": "x"})
        refused("/v1/videos", 400, "between 1 and 8", json={"prompt": "x", "n": 1000})
        refused("/v1/videos", 400, "1 to 20 seconds", json={"prompt": "x", "model": "preview", "seconds": "30"})
        assert stored_files(studio.data_dir) == before  # nothing half-made stays behind
        assert not list((studio.data_dir / "scratch").glob("*"))


def test_extend_on_tt_cloud_goes_through_its_image_to_video_route(studio_factory, upstream: FakeUpstream) -> None:
    """tt-media-server's i2v route gets the source's last frame as frame 0; the studio joins."""
    upstream.video = tiny_mp4(9, 64, 48)  # what the upstream makes: another size than the source
    studio = studio_factory(
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        CLOUD_VIDEO_GENERATION_IMAGE_TO_VIDEO="true",
    )
    with httpx.Client(base_url=studio.url, timeout=30) as client:
        made = client.post("/v1/videos", json={"prompt": "src", "model": "preview", "size": "128x96", "seconds": "1"})
        source = studio.wait_for(made.json()["id"])
        last = frames_of(client.get(f"/v1/videos/{source['id']}/content").content)[-1]
        extended = client.post(
            "/v1/videos/extensions",
            json={"video": {"id": source["id"]}, "prompt": "on", "model": "tt-cloud", "num_inference_steps": 4},
        )
        assert extended.status_code == 201, extended.text
        done = studio.wait_for(extended.json()["id"])
        assert done["status"] == "completed", done["error"]
        sent = upstream.i2v_images
        assert len(sent) == 1 and [s.path for s in upstream.seen if s.method == "POST"] == [PATH + "/i2v"]
        frame = np.asarray(Image.open(io.BytesIO(sent[0])).convert("RGB"), dtype=int)
        assert frame.shape == last.shape and np.abs(frame - last).mean() < 3  # the source's last frame
        joined = frames_of(client.get(f"/v1/videos/{done['id']}/content").content)
        # The source's 17 frames at 128x96, then the upstream's 9 frames at 8 fps, as 1 s more at
        # 16 fps, scaled to the source's size.
        assert joined[0].shape == (96, 128, 3) and len(joined) > 17


def test_a_videos_reference_image_can_be_fetched_to_reuse_it(studio) -> None:
    png = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 40, 40)).save(png, format="PNG")
    with httpx.Client(base_url=studio.url, timeout=30) as client:
        made = client.post(
            "/v1/videos",
            data={"prompt": "from a picture", "model": "preview", "size": "64x64", "seconds": "1"},
            files={"input_reference": ("red.png", png.getvalue(), "image/png")},
        ).json()
        assert made["has_reference_image"] is True
        image = client.get(f"/v1/videos/{made['id']}/content", params={"variant": "reference"})
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"  # queued or not
        assert image.content == png.getvalue()
        plain = client.post("/v1/videos", json={"prompt": "no picture", "model": "preview", "size": "64x64"}).json()
        missing = client.get(f"/v1/videos/{plain['id']}/content", params={"variant": "reference"})
        assert missing.status_code == 404 and missing.json()["error"]["param"] == "variant"
