"""Sound through the engines, run for real and decoded with PyAV (no Django): the preview
engine's tone, the probe's audio fields, extend and edit keeping a source's sound, and a
storyboard's join (a crossfaded seam, a silent shot). The API's side is test_sound_api.py."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from tests.support.media import av_mp4, decoded_sound, pitch_at
from videos.files.media import probe, read_frames
from videos.providers.base import GenerationRequest, NullContext
from videos.providers.preview import PreviewProvider
from videos.providers.preview_sound import SOUND_LABEL, pitch
from videos.runner.operations import make_video
from videos.storyboards.render import Part, render

PREVIEW = PreviewProvider()
FPS = 16


def request(prompt: str, **kw: Any) -> GenerationRequest:
    base: dict[str, Any] = dict(prompt=prompt, seed=3, width=64, height=64, num_frames=17, sound=True)
    return GenerationRequest(**{**base, **kw})


def made(dest: Path, prompt: str, **kw: Any) -> Path:
    PREVIEW.generate(request(prompt, **kw), dest, NullContext())
    return dest


def two_pitches() -> tuple[str, str]:
    """Two prompts whose preview tones differ (the pitch comes from the prompt)."""
    first = "a bell rings"
    other = next(p for p in (f"a drum {n}" for n in range(50)) if pitch(request(p)) != pitch(request(first)))
    return first, other


def picture_seconds(path: Path) -> float:
    frames, fps = read_frames(path)
    return len(frames) / float(fps)


def loudness(samples: np.ndarray, rate: int, start: float, end: float) -> float:
    window = samples[:, int(start * rate) : int(end * rate)]
    return float(np.sqrt(np.mean(window**2))) if window.size else 0.0


def magnitude(samples: np.ndarray, rate: int, start: float, hz: float, length: float = 0.1) -> float:
    window = samples[0, int(start * rate) : int((start + length) * rate)]
    spectrum = np.abs(np.fft.rfft(window))
    return float(spectrum[round(hz * window.size / rate)])


def test_the_preview_tone_is_as_long_as_the_picture_and_labelled(tmp_path: Path) -> None:
    clip = made(tmp_path / "a.mp4", "a bell rings", num_frames=33)
    samples, rate = decoded_sound(clip.read_bytes())
    assert rate == 48000 and samples.shape[0] == 2
    assert abs(samples.shape[1] / rate - 33 / FPS) < 1 / FPS  # within a frame of the picture
    assert abs(pitch_at(samples, rate, 0.5) - pitch(request("a bell rings"))) < 15
    with av.open(str(clip)) as container:
        stream = container.streams.audio[0]
        assert stream.codec_context.name == "aac" and stream.metadata.get("handler_name") == SOUND_LABEL
    info = probe(clip)
    assert info.audio is not None and info.audio.codec == "aac" and info.audio.channels == 2
    assert info.audio.sample_rate == 48000 and abs(info.audio.seconds - info.duration) < 1 / FPS
    silent = made(tmp_path / "b.mp4", "a bell rings", sound=False)
    assert decoded_sound(silent.read_bytes())[1] == 0 and probe(silent).audio is None


def test_preview_extend_joins_both_tones_on_the_seam(tmp_path: Path) -> None:
    first, other = two_pitches()
    source = made(tmp_path / "src.mp4", first)
    dest = tmp_path / "out.mp4"
    make_video(PREVIEW, request(other, operation="extend", video_path=source), dest, NullContext())
    samples, rate = decoded_sound(dest.read_bytes())
    picture = picture_seconds(dest)
    assert picture == (17 + 17 - 1) / FPS
    assert abs(samples.shape[1] / rate - picture) < 1 / FPS
    seam = 17 / FPS
    assert abs(pitch_at(samples, rate, seam - 0.3) - pitch(request(first))) < 15
    assert abs(pitch_at(samples, rate, seam + 0.3) - pitch(request(other))) < 15


def test_an_extend_with_a_silent_continuation_keeps_the_source_sound_then_silence(tmp_path: Path) -> None:
    source = tmp_path / "src.mp4"
    source.write_bytes(av_mp4(17, 64, 64, FPS, pitch=440.0))
    dest = tmp_path / "out.mp4"
    make_video(PREVIEW, request("on", operation="extend", video_path=source, sound=False), dest, NullContext())
    samples, rate = decoded_sound(dest.read_bytes())
    assert rate == 48000, "the joined file has no sound"
    picture = picture_seconds(dest)
    assert abs(samples.shape[1] / rate - picture) < 1 / FPS  # the track covers the whole file
    assert abs(pitch_at(samples, rate, 0.4) - 440) < 15 and loudness(samples, rate, 0.2, 0.9) > 0.2
    assert loudness(samples, rate, 17 / FPS + 0.15, picture - 0.05) < 0.01  # the continuation is silent


def test_an_edit_keeps_its_source_sound(tmp_path: Path) -> None:
    source = tmp_path / "src.mp4"
    source.write_bytes(av_mp4(17, 64, 64, FPS, pitch=660.0))
    dest = tmp_path / "out.mp4"
    make_video(PREVIEW, request("in blue", operation="edit", video_path=source, sound=False), dest, NullContext())
    samples, rate = decoded_sound(dest.read_bytes())
    assert rate == 48000, "the edited clip lost its sound"
    assert abs(samples.shape[1] / rate - picture_seconds(dest)) < 1 / FPS
    assert abs(pitch_at(samples, rate, 0.4) - 660) < 15


@pytest.mark.parametrize("silent_middle", [False, True])
def test_a_board_of_sound_shots_keeps_sound_across_its_seams(tmp_path: Path, silent_middle: bool) -> None:
    """Shots 1-2 cut, 2-3 crossfade over 8 frames: the sound covers the film, each shot's tone
    under its frames, both tones across the blended frames. A silent shot is silence there."""
    first, other = two_pitches()
    a = made(tmp_path / "a.mp4", first)
    b = made(tmp_path / "b.mp4", other, sound=not silent_middle)
    c = made(tmp_path / "c.mp4", first, seed=3)
    film = tmp_path / "film.mp4"
    result = render([Part(a), Part(b, "cut"), Part(c, "crossfade", 8)], film)
    assert result.audio and result.start_frames == [0, 17, 26]
    samples, rate = decoded_sound(film.read_bytes())
    assert abs(samples.shape[1] / rate - result.frames / FPS) < 1 / FPS
    low, high = pitch(request(first)), pitch(request(other))
    assert abs(pitch_at(samples, rate, 0.4) - low) < 15
    blend = Fraction(26, FPS)  # the crossfade: film frames 26..33
    if silent_middle:
        assert loudness(samples, rate, 17 / FPS + 0.05, float(blend) - 0.05) < 0.01
    else:
        assert abs(pitch_at(samples, rate, 17 / FPS + 0.1) - high) < 15
    # Across the seam the shot before fades out as the next fades in: mid-blend, both are heard.
    middle = float(blend) + 0.25 - 0.05
    assert magnitude(samples, rate, middle, low) > 0.2 * magnitude(samples, rate, 0.4, low)
    if not silent_middle:
        assert magnitude(samples, rate, middle, high) > 0.2 * magnitude(samples, rate, 17 / FPS + 0.1, high)
    assert abs(pitch_at(samples, rate, result.frames / FPS - 0.3) - low) < 15
