"""The preview engine's soundtrack: a plain tone, so every sound path (probe, extend, edit,
joins, the player) runs on a fresh machine. The same prompt and seed give the same pitch;
another prompt (an extend's continuation) another one, so a test hears where a seam is."""

from __future__ import annotations

import hashlib
from fractions import Fraction

import numpy as np

from videos.files.audio import Soundtrack
from videos.providers.base import VideoParams

SOUND_LABEL = "preview tone, not AI"  # the audio stream's title
RATE = 48000
# A pentatonic scale over two octaves (Hz): distinct pitches an FFT tells apart at 0.1 s.
PITCHES = (262.0, 294.0, 330.0, 392.0, 440.0, 523.0, 587.0, 659.0, 784.0, 880.0)
EDGE = 0.01  # seconds of fade at each end: no click where the clip starts or stops


def pitch(params: VideoParams) -> float:
    digest = hashlib.sha256(f"tone\0{params.prompt}\0{params.seed}".encode()).digest()
    return PITCHES[digest[0] % len(PITCHES)]


def tone(params: VideoParams, seconds: float) -> np.ndarray:
    """Stereo float32 (2, samples): the prompt's pitch at a third of full scale."""
    count = round(seconds * RATE)
    wave = (np.sin(2 * np.pi * pitch(params) * np.arange(count) / RATE) / 3).astype(np.float32)
    edge = min(round(EDGE * RATE), count // 2)
    if edge:
        ramp = np.linspace(0.0, 1.0, edge, dtype=np.float32)
        wave[:edge] *= ramp
        wave[-edge:] *= ramp[::-1]
    return np.stack([wave, wave])


def soundtrack(params: VideoParams) -> Soundtrack:
    """As long as the picture, whatever its frame count."""
    return Soundtrack(RATE, "stereo", lambda frames, fps: tone(params, float(Fraction(frames) / fps)), SOUND_LABEL)
