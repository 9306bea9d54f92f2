"""The same frames, prompt and seed give byte-identical MP4 files on one machine.

x264's AVX-512 macroblock-tree code read memory it had not written, so the same frames
encoded twice could differ, depending on what the heap held before: nearly always for tiny
clips, and at 832x480 once a long-lived process had churned its heap. Each check here runs
while busy processes load every CPU and other encodes churn the heap between the runs it
compares, the conditions under which the old encoder failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from videos.files import media
from videos.files.media import encode_h264, probe
from videos.providers.base import GenerationRequest, NullContext
from videos.providers.preview import PreviewProvider


@contextlib.contextmanager
def cpu_load(processes: int | None = None) -> Iterator[None]:
    """Busy loops in other processes, one per CPU, for as long as the block runs."""
    count = processes or os.cpu_count() or 2
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for proc in busy:
            proc.kill()
        for proc in busy:
            proc.wait(10)


def churn_heap(rng: np.random.Generator, scratch: Path) -> None:
    """Leave the heap as a busy studio process would: a large block freed (which makes glibc
    serve later large allocations from reused memory) and an unrelated encode."""
    block = np.ones(48 * 1024 * 1024 // 8)
    del block
    width, height = [(48, 32), (96, 64), (320, 192), (832, 480)][rng.integers(4)]
    junk = rng.integers(0, 255, (int(rng.integers(2, 5)), height, width, 3), dtype=np.uint8)
    encode_h264(
        junk, scratch, 16, crf=int(rng.integers(10, 40)), preset=["ultrafast", "veryfast", "medium"][rng.integers(3)]
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def smooth_frames(count: int, width: int, height: int) -> np.ndarray:
    """Soft moving gradients, like a generated clip (pure noise hides the problem)."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    frames = []
    for i in range(count):
        t = i / max(count - 1, 1)
        r = 128 + 100 * np.sin(xs / max(width, 1) * 6.3 + t * 3)
        g = 128 + 100 * np.cos(ys / max(height, 1) * 6.3 - t * 2)
        b = 128 + 60 * np.sin((xs + ys) / max(width + height, 1) * 12 + t * 5)
        frames.append(np.stack([r, g, b], axis=-1).clip(0, 255).astype(np.uint8))
    return np.stack(frames)


# (width, height, frames, crf, preset): the tiny sizes of the local engine's tests, where the old
# encoder gave several different files in a few runs, and the studio's default size.
CASES = [
    (48, 32, 9, 18, "medium"),
    (32, 48, 9, 23, "veryfast"),
    (96, 64, 9, 18, "medium"),
    (832, 480, 17, 23, "veryfast"),
]


@pytest.mark.parametrize(("width", "height", "count", "crf", "preset"), CASES)
def test_same_frames_give_byte_identical_mp4_under_load(
    tmp_path: Path, width: int, height: int, count: int, crf: int, preset: str
) -> None:
    frames = smooth_frames(count, width, height)
    rng = np.random.default_rng(width * height)
    runs = 12 if width * height < 100_000 else 4
    digests = []
    with cpu_load():
        for run in range(runs):
            churn_heap(rng, tmp_path / "junk.mp4")
            out = tmp_path / f"{run}.mp4"
            encode_h264(frames, out, 16, crf=crf, preset=preset)
            digests.append(digest(out))
    assert len(set(digests)) == 1, f"{len(set(digests))} different files from the same frames"
    info = probe(tmp_path / "0.mp4")
    assert (info.width, info.height, info.frames, info.fps) == (width, height, count, 16.0)


def test_preview_engine_same_prompt_and_seed_give_byte_identical_files(tmp_path: Path) -> None:
    provider = PreviewProvider()
    same = GenerationRequest(prompt="a lighthouse at dusk, waves", seed=42, width=832, height=480, num_frames=17)
    other = GenerationRequest(prompt="a lighthouse at dusk, waves", seed=43, width=832, height=480, num_frames=17)
    rng = np.random.default_rng(1)
    with cpu_load():
        paths = []
        for run in range(3):
            churn_heap(rng, tmp_path / "junk.mp4")
            paths.append(tmp_path / f"same{run}.mp4")
            provider.generate(same, paths[-1], NullContext())
        provider.generate(other, tmp_path / "other.mp4", NullContext())
    assert len({digest(p) for p in paths}) == 1
    assert digest(tmp_path / "other.mp4") != digest(paths[0])  # the seed does change the clip


def test_preview_engine_is_deterministic_at_a_tiny_size(tmp_path: Path) -> None:
    provider = PreviewProvider()
    request = GenerationRequest(prompt="tiny", seed=7, width=48, height=32, num_frames=9)
    rng = np.random.default_rng(2)
    digests = set()
    with cpu_load():
        for run in range(10):
            churn_heap(rng, tmp_path / "junk.mp4")
            provider.generate(request, tmp_path / f"{run}.mp4", NullContext())
            digests.add(digest(tmp_path / f"{run}.mp4"))
    assert len(digests) == 1


@pytest.mark.parametrize(
    ("machine", "features", "expected"),
    [
        ("aarch64", None, ""),  # x264 has no AVX-512 code there: nothing to turn off
        ("x86_64", {"SSE2", "AVX", "AVX2", "FMA3", "BMI", "BMI2", "LZCNT"}, ""),
        ("x86_64", {"AVX2", "FMA3", "BMI", "BMI2", "LZCNT", "AVX512F", "AVX512BW"}, "asm=AVX2"),
        ("AMD64", {"AVX2", "FMA3", "BMI", "BMI2", "LZCNT", "AVX512F"}, "asm=AVX2"),
        # AVX-512 without the whole AVX2 set: naming AVX2 could crash, so the tree goes instead
        ("x86_64", {"AVX512F", "AVX2"}, "mbtree=0"),
        ("x86_64", None, "mbtree=0"),  # the CPU cannot be read
    ],
)
def test_x264_params_never_name_an_instruction_set_the_cpu_lacks(
    monkeypatch: pytest.MonkeyPatch, machine: str, features: set[str] | None, expected: str
) -> None:
    monkeypatch.setattr(media.platform, "machine", lambda: machine)
    monkeypatch.setattr(media, "_cpu_features", lambda: features)
    media.x264_params.cache_clear()
    try:
        assert media.x264_params() == expected
    finally:
        media.x264_params.cache_clear()


ENCODE_IN_A_CHILD = """
import hashlib, os, sys
from pathlib import Path
import numpy as np
from videos.files.media import encode_h264
if sys.argv[1] != "all":
    os.sched_setaffinity(0, {int(sys.argv[1])})
frames = np.load(sys.argv[2])
encode_h264(frames, Path(sys.argv[3]), 16, crf=18, preset="medium")
print(hashlib.sha256(Path(sys.argv[3]).read_bytes()).hexdigest())
"""


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2, reason="needs 2+ CPUs")
def test_the_file_does_not_depend_on_how_many_cpus_the_process_may_use(tmp_path: Path) -> None:
    """x264's output depends on its thread count; the count is fixed, not taken from the CPUs."""
    np.save(tmp_path / "frames.npy", smooth_frames(17, 320, 192))
    backend = Path(__file__).resolve().parents[1]
    digests = set()
    for cpus in ("all", str(min(os.sched_getaffinity(0)))):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                ENCODE_IN_A_CHILD,
                cpus,
                str(tmp_path / "frames.npy"),
                str(tmp_path / f"{cpus}.mp4"),
            ],
            cwd=backend,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    assert f"threads={media.X264_THREADS} ".encode() in (tmp_path / "all.mp4").read_bytes()
