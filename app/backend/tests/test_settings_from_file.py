"""Settings restored from a studio MP4 (videos/files/settings_file.py): POST /v1/videos/settings
answers them as create fields, and POST /v1/videos takes them from a `settings_from` file, over
real HTTP against a studio subprocess on the preview engine."""

from __future__ import annotations

import io

import av
import httpx

from tests.support.media import tiny_mp4
from tests.support.studio import StudioServer

MADE = {
    "model": "preview",
    "prompt": "a red kite over dunes",
    "negative_prompt": "fog, blur",
    "seed": 4242,
    "num_inference_steps": 7,
    "size": "96x64",
    "seconds": "1",
}


def make(studio: StudioServer, client: httpx.Client, **fields: object) -> dict:
    answer = client.post("/v1/videos", json=fields)
    assert answer.status_code == 201, answer.text
    done = studio.wait_for(answer.json()["id"])
    assert done["status"] == "completed", done
    return done


def strip_credentials(data: bytes) -> bytes:
    """The same packets in a new MP4 with only the `comment` tag: no C2PA manifest (as a tool that
    keeps tags but drops unknown boxes would write it)."""
    out_buf = io.BytesIO()
    with av.open(io.BytesIO(data), "r") as src, av.open(out_buf, "w", format="mp4") as out:
        out.metadata["comment"] = src.metadata["comment"]
        stream = out.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                out.mux(packet)
    return out_buf.getvalue()


def read(client: httpx.Client, data: bytes) -> httpx.Response:
    return client.post("/v1/videos/settings", files={"video": ("clip.mp4", data, "video/mp4")})


def test_a_studio_mp4_answers_its_settings_from_the_manifest_or_else_its_tag(studio_factory) -> None:
    studio = studio_factory()
    with studio.client() as client:
        done = make(studio, client, **MADE)
        data = client.get(done["content_url"]).content
        expected = dict(MADE)
        for source, clip in (("c2pa", data), ("mp4_tag", strip_credentials(data))):
            answer = read(client, clip)
            assert answer.status_code == 200, answer.text
            found = answer.json()
            assert found["found"] is True and found["source"] == source, found
            assert found["settings"] == expected, (source, found["settings"])
            assert found["video_id"] == done["id"] and found["prompt_omitted"] is False

        plain = read(client, tiny_mp4())  # an MP4 no studio made
        assert plain.status_code == 200 and plain.json()["found"] is False, plain.text
        assert plain.json()["settings"] == {} and "no studio settings" in plain.json()["message"]
        garbage = read(client, b"\x89PNG\r\n\x1a\n" + b"0" * 300)
        assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "invalid_video", garbage.text


def test_a_create_takes_the_settings_it_leaves_out_from_a_settings_from_file(studio_factory) -> None:
    studio = studio_factory()
    with studio.client() as client:
        source = client.get(make(studio, client, **MADE)["content_url"]).content
        answer = client.post(
            "/v1/videos",
            data={"prompt": "the same kite at night"},  # what the form says wins over the file
            files={"settings_from": ("made.mp4", source, "video/mp4")},
        )
        assert answer.status_code == 201, answer.text
        again = studio.wait_for(answer.json()["id"])
        assert again["status"] == "completed", again
        assert again["prompt"] == "the same kite at night"
        assert again["seed"] == MADE["seed"] and again["negative_prompt"] == MADE["negative_prompt"]
        assert again["num_inference_steps"] == MADE["num_inference_steps"]
        assert again["size"] == MADE["size"] and again["model"] == "preview"

        only_file = client.post("/v1/videos", files={"settings_from": ("made.mp4", source, "video/mp4")})
        assert only_file.status_code == 201, only_file.text
        assert only_file.json()["prompt"] == MADE["prompt"]

        stranger = client.post("/v1/videos", files={"settings_from": ("x.mp4", tiny_mp4(), "video/mp4")})
        assert stranger.status_code == 400, stranger.text
        assert stranger.json()["error"]["code"] == "no_settings"
        assert stranger.json()["error"]["param"] == "settings_from"
        not_mp4 = client.post("/v1/videos", files={"settings_from": ("x.mp4", b"hello" * 50, "video/mp4")})
        assert not_mp4.status_code == 400 and not_mp4.json()["error"]["code"] == "invalid_video", not_mp4.text
