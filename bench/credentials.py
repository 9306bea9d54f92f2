#!/usr/bin/env python3
"""Content Credentials (C2PA) cost: peak memory signing a 256 MiB MP4, and the time signing adds
to a preview job at its default size (832x480, 33 frames) against that job's own run.

- RSS: a child process makes a 256 MiB MP4 (MJPEG noise: all of it in mdat, none of it padding
  that the hash could skip); a fresh one signs it with videos/files/credentials.sign and reads it
  back; its peak RSS (VmHWM) before and after is printed. Goal: far less than the file.
- Time: the preview engine's generate + probe + thumbnail + spritesheet (the runner's work before
  storage), then the settings tag (a remux) and the sign, --runs times; medians. Goal: tagging and
  signing <= 5 % of the run.

    .venv/bin/python bench/credentials.py [--mib 256] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent / "app" / "backend"


def peak_mib() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited from the parent across exec)."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


def setup(data_dir: Path) -> None:
    sys.path.insert(0, str(BACKEND))
    os.environ.update(STUDIO_ENV_FILE="/dev/null", DJANGO_SECRET_KEY="bench", STUDIO_DATA_DIR=str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    import django

    django.setup()


def big_mp4(path: Path, mib: int) -> None:
    import av
    import numpy as np

    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mjpeg", rate=24)
        stream.width, stream.height, stream.pix_fmt = 1920, 1080, "yuvj420p"
        stream.options = {"q:v": "1"}
        noise = [rng.integers(0, 255, (1080, 1920, 3), dtype=np.uint8) for _ in range(4)]
        number, goal = 0, mib * 1024 * 1024
        while number < 2 or path.stat().st_size < goal:
            frame = av.VideoFrame.from_ndarray(noise[number % 4], format="rgb24")
            for packet in stream.encode(frame):
                out.mux(packet)
            number += 1
        for packet in stream.encode():
            out.mux(packet)


def rss_child(video: Path) -> None:
    """Sign `video` in this fresh process: its peak RSS is the libraries' plus what signing holds."""
    setup(video.parent)
    from videos.files import credentials

    size = video.stat().st_size
    what = credentials.Provenance(title="big.mp4", model="bench", settings={"prompt": "bench"})
    before = peak_mib()
    started = time.monotonic()
    credentials.sign(video, what)
    took = time.monotonic() - started
    after = peak_mib()
    with open(video, "rb") as fh:
        state = credentials.read(fh)["validation_state"]
    read = peak_mib()
    print(
        f"file {size / 2**20:.0f} MiB: peak RSS {before:.0f} MiB before signing, {after:.0f} MiB after "
        f"(+{after - before:.0f} MiB), signed in {took:.1f} s; read back {state}, peak {read:.0f} MiB"
    )


def timing(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        setup(Path(tmp))
        from videos.files import credentials
        from videos.files.credentials.tags import tag_settings
        from videos.files.media import probe, write_thumbnail
        from videos.files.spritesheet import write_spritesheet
        from videos.providers.base import GenerationRequest, NullContext
        from videos.providers.preview import PreviewProvider

        provider = PreviewProvider()
        work, sign = [], []
        for run in range(runs + 1):
            dest = Path(tmp) / f"job{run}.mp4"
            started = time.monotonic()
            provider.generate(GenerationRequest(prompt="a lighthouse at dusk", seed=run), dest, NullContext())
            info = probe(dest)
            write_thumbnail(dest, Path(tmp) / f"t{run}.jpg")
            write_spritesheet(dest, Path(tmp) / f"s{run}.jpg")
            made = time.monotonic()
            values = {"prompt": "a lighthouse at dusk", "seed": run, "size": f"{info.width}x{info.height}"}
            tag_settings(dest, values, omit_prompt=False)  # as the runner: the MP4 tag, then the manifest
            credentials.sign(dest, credentials.Provenance(title=dest.name, model="preview", ai=False, settings=values))
            if run:  # the first run loads the libraries and makes the signing CA
                work.append(made - started)
                sign.append(time.monotonic() - made)
        job, added = statistics.median(work), statistics.median(sign)
        print(
            f"preview job {info.width}x{info.height}, {info.frames} frames: run {job * 1000:.0f} ms, "
            f"tagging + signing {added * 1000:.1f} ms ({added / job * 100:.1f} % of the run; goal <= 5 %)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=256)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=["make", "rss"], help=argparse.SUPPRESS)
    parser.add_argument("--video", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "make":
        big_mp4(args.video, args.mib)
        return 0
    if args.child == "rss":
        rss_child(args.video)
        return 0
    timing(args.runs)
    with tempfile.TemporaryDirectory() as tmp:  # made in one process, signed in another: a clean peak
        video = Path(tmp) / "big.mp4"
        child = [sys.executable, __file__, "--video", str(video), "--mib", str(args.mib), "--child"]
        subprocess.run([*child, "make"], check=True)
        return subprocess.call([*child, "rss"])


if __name__ == "__main__":
    sys.exit(main())
