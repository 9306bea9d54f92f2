"""Sound through the API over real HTTP (a studio subprocess on the preview engine): a create's
`sound`, the answer's has_audio and audio, /v1/models' capability, an extend and an edit of a
clip with sound, the refusal by a model that makes none; and migration 0013, which adds the
`sound` column in place (the prompt text index still follows its rows)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx

from tests.support.media import av_mp4, decoded_sound, pitch_at
from tests.support.storyboards import create, shot, wait_board
from tests.support.upstream import FakeUpstream
from tests.test_params_migration import insert_job, migrate

FPS = 16


def made(client: httpx.Client, studio, **body: object) -> dict:
    answer = client.post("/v1/videos", json={"model": "preview", "size": "64x64", "seconds": "1", **body})
    assert answer.status_code == 201, answer.text
    return studio.wait_for(answer.json()["id"])


def test_a_clip_asked_with_sound_says_so_and_plays_it(studio_factory) -> None:
    studio = studio_factory()
    with studio.client() as client:
        models = {m["id"]: m for m in client.get("/v1/models").json()["data"]}
        assert models["preview"]["capabilities"]["sound"] is True
        loud = made(client, studio, prompt="a bell rings", sound=True)
        assert loud["status"] == "completed", loud["error"]
        assert loud["sound"] is True and loud["has_audio"] is True
        audio = loud["audio"]
        assert (audio["codec"], audio["channels"], audio["sample_rate"]) == ("aac", 2, 48000)
        assert abs(audio["seconds"] - 17 / FPS) < 1 / FPS and loud["metadata"]["audio"] == audio
        samples, rate = decoded_sound(client.get(loud["content_url"]).content)
        assert rate == 48000 and abs(samples.shape[1] / rate - 17 / FPS) < 1 / FPS
        quiet = made(client, studio, prompt="a bell rings")
        assert (quiet["sound"], quiet["has_audio"], quiet["audio"]) == (False, False, None)
        assert decoded_sound(client.get(quiet["content_url"]).content)[1] == 0
        queued = client.post("/v1/videos", json={"prompt": "x", "model": "preview", "sound": True}).json()
        assert queued["has_audio"] is False and queued["audio"] is None  # not measured yet
        for wrong in ("loud", 0, 1):  # JSON's boolean is not a number (the schema says boolean)
            bad = client.post("/v1/videos", json={"prompt": "x", "model": "preview", "sound": wrong})
            assert bad.status_code == 400 and bad.json()["error"]["param"] == "sound", (wrong, bad.text)

        # An extend of a clip with sound asks for sound by itself; the joined file has it throughout.
        extended = client.post(
            "/v1/videos/extensions", json={"video": {"id": loud["id"]}, "prompt": "a drum", "seconds": "1"}
        )
        assert extended.status_code == 201, extended.text
        assert extended.json()["sound"] is True
        done = studio.wait_for(extended.json()["id"])
        assert done["status"] == "completed" and done["has_audio"] is True, done
        samples, rate = decoded_sound(client.get(done["content_url"]).content)
        assert abs(samples.shape[1] / rate - (17 + 17 - 1) / FPS) < 1 / FPS
        # An edit keeps the source's sound, the source's tone.
        edited = client.post("/v1/videos/edits", json={"video": {"id": loud["id"]}, "prompt": "in blue"})
        assert edited.status_code == 201, edited.text
        done = studio.wait_for(edited.json()["id"])
        assert done["status"] == "completed" and done["has_audio"] is True, done
        again, rate = decoded_sound(client.get(done["content_url"]).content)
        first, _ = decoded_sound(client.get(loud["content_url"]).content)
        assert abs(pitch_at(again, rate, 0.4) - pitch_at(first, rate, 0.4)) < 15


def test_a_model_without_sound_refuses_it(studio_factory, upstream: FakeUpstream) -> None:
    studio = studio_factory(CLOUD_VIDEO_GENERATION_URL=upstream.url, CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token)
    with studio.client() as client:
        refused = client.post("/v1/videos", json={"prompt": "x", "model": "tt-cloud", "sound": True})
        assert refused.status_code == 400, refused.text
        error = refused.json()["error"]
        assert error["param"] == "sound" and "makes no sound" in error["message"]
    assert not upstream.posts()


def test_migration_0013_adds_sound_in_place_and_the_text_index_follows(tmp_path: Path) -> None:
    migrate(tmp_path, "videos", "0012")
    db = sqlite3.connect(tmp_path / "studio.sqlite3")
    try:
        insert_job(db, "video_a", "a red fox", "8")
        insert_job(db, "video_b", "a blue whale", "4")
        db.commit()
    finally:
        db.close()
    migrate(tmp_path)
    db = sqlite3.connect(tmp_path / "studio.sqlite3")
    try:
        assert dict(db.execute("SELECT id, sound FROM videos_videojob ORDER BY id")) == {"video_a": 0, "video_b": 0}
        found = db.execute(
            "SELECT v.id FROM videojob_prompt_text t JOIN videos_videojob v ON v.rowid = t.rowid "
            "WHERE videojob_prompt_text MATCH '\"whale\"'"
        ).fetchall()
        assert found == [("video_b",)]  # the table was altered in place: the rowids still match
        triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"videojob_prompt_text_insert", "videojob_prompt_text_update"} <= triggers
        assert "sound" in {row[1] for row in db.execute("PRAGMA table_info('videos_storyboard')")}
    finally:
        db.close()
    migrate(tmp_path, "videos", "0012")  # and back
    db = sqlite3.connect(tmp_path / "studio.sqlite3")
    try:
        for table in ("videos_videojob", "videos_storyboard"):
            assert "sound" not in {row[1] for row in db.execute(f"PRAGMA table_info('{table}')")}
    finally:
        db.close()


def test_serve_mode_answers_the_sound_as_it_was_made(studio_factory, upstream: FakeUpstream) -> None:
    """A studio serving tt-media-server's API over a tt-cloud engine whose upstream answers AV MP4s
    answers them with their sound (a studio chained through another keeps it)."""
    upstream.video = av_mp4(17, 64, 48, FPS, pitch=440.0)
    server = studio_factory(
        VIDEO_SERVE_ENABLED="true",
        VIDEO_SERVE_TOKEN="serve-token-sound",
        VIDEO_SERVE_PROVIDER="tt-cloud",
        VIDEO_SERVE_ASYNC="false",
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
    )
    with httpx.Client(base_url=server.url, timeout=60) as client:
        answer = client.post(
            "/v1/videos/generations", json={"prompt": "a bell"}, headers={"Authorization": "Bearer serve-token-sound"}
        )
    assert answer.status_code == 200, answer.text
    samples, rate = decoded_sound(answer.content)
    assert rate == 48000 and abs(samples.shape[1] / rate - 17 / FPS) < 1 / FPS
    assert abs(pitch_at(samples, rate, 0.4) - 440) < 15


def test_a_board_asked_with_sound_makes_shots_with_sound_and_a_film_with_it_throughout(studio_factory) -> None:
    """The preview engine on a board with sound: a cut, a continue and a crossfade seam; the
    film's sound lasts as long as its picture, each shot's tone under its frames."""
    studio = studio_factory()
    shots = [
        shot("a bell", seed=1),
        shot("a drum", "continue", seed=2),
        shot("a horn", "crossfade", 3, crossfade_frames=4),
    ]
    with studio.client() as client:
        board = create(client, shots, sound=True)
        assert board["sound"] is True
        board = wait_board(client, board["id"])
        assert board["metadata"]["audio"] is True
        videos = [client.get(f"/v1/videos/{s['video_id']}").json() for s in board["shots"]]
        assert all(video["has_audio"] and video["sound"] for video in videos)
        film = client.get(board["content_url"]).content
        own = [decoded_sound(client.get(video["content_url"]).content) for video in videos]
        saved = client.get(f"/v1/storyboards/{board['id']}", params={"format": "board"}).json()
        assert saved["sound"] is True  # the board file makes the same board again
    samples, rate = decoded_sound(film)
    frames = board["metadata"]["frames"]
    assert frames == 3 * 17 - 1 - 4 and abs(samples.shape[1] / rate - frames / FPS) < 1 / FPS
    # Each shot's tone where its frames are: shot 1 from 0, shot 2 from 17/16 s, shot 3 after the blend.
    starts = [s["start_seconds"] for s in board["shots"]]
    for (tone, tone_rate), at in zip(own, (0.3, starts[1] + 0.3, starts[2] + 0.6), strict=True):
        assert abs(pitch_at(samples, rate, at) - pitch_at(tone, tone_rate, 0.3)) < 15
