"""Sound through extend: a clip with an AAC track, extended through tt-cloud (a loopback
tt-media-server answering AV MP4s, as LTX-2.3 does), keeps sound over the whole joined file,
each part's sound where its frames are. Real HTTP, every file decoded."""

from __future__ import annotations

import io

import av
import httpx

from tests.support.media import av_mp4, decoded_sound, pitch_at
from tests.support.upstream import FakeUpstream

FPS = 16


def frame_count(data: bytes) -> int:
    with av.open(io.BytesIO(data), mode="r") as container:
        return len(list(container.decode(video=0)))


def test_an_av_clip_extended_through_tt_cloud_keeps_its_sound(studio_factory, upstream: FakeUpstream) -> None:
    upstream.video = av_mp4(17, 128, 96, FPS, pitch=440.0)  # the source: 1 s + 1 frame, a 440 Hz tone
    studio = studio_factory(
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        CLOUD_VIDEO_GENERATION_IMAGE_TO_VIDEO="true",
    )
    with httpx.Client(base_url=studio.url, timeout=30) as client:
        made = client.post("/v1/videos", json={"prompt": "a bell", "model": "tt-cloud", "num_inference_steps": 4})
        assert made.status_code == 201, made.text
        source = studio.wait_for(made.json()["id"])
        assert source["status"] == "completed", source["error"]
        assert source["has_audio"] is True
        assert source["audio"]["codec"] == "aac" and source["audio"]["channels"] == 2
        assert source["audio"]["sample_rate"] == 48000 and abs(source["audio"]["seconds"] - 17 / FPS) < 1 / FPS

        upstream.video = av_mp4(33, 128, 96, FPS, pitch=880.0)  # the continuation: a higher tone
        extended = client.post(
            "/v1/videos/extensions",
            json={"video": {"id": source["id"]}, "prompt": "it rings on", "model": "tt-cloud"},
        )
        assert extended.status_code == 201, extended.text
        done = studio.wait_for(extended.json()["id"])
        assert done["status"] == "completed", done["error"]
        content = client.get(f"/v1/videos/{done['id']}/content").content

    frames = frame_count(content)
    assert frames == 17 + 33 - 1  # the continuation's first frame repeats the source's last
    samples, rate = decoded_sound(content)
    assert rate == 48000, "the joined file has no audio stream"
    picture = frames / FPS
    assert abs(samples.shape[1] / rate - picture) < 1 / FPS  # sound over the whole file, within a frame
    assert done["has_audio"] is True and abs(done["audio"]["seconds"] - picture) < 1 / FPS
    # Each part's sound where its frames are: the source's tone, then the continuation's.
    assert abs(pitch_at(samples, rate, 0.3) - 440) < 20
    assert abs(pitch_at(samples, rate, 2.0) - 880) < 20
    assert abs(pitch_at(samples, rate, picture - 0.2) - 880) < 20
