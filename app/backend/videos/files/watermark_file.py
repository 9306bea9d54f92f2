"""Marking an MP4's frames (videos/files/watermark.py) and reading the mark back from one.

Marking decodes every frame, writes the mark into its luma plane and encodes it again with
libx264 at a high quality (MARK_CRF), so that the studio's own encode costs the mark, and the
picture, little; audio packets are copied as they are. Done before the settings tag and the
C2PA signature (videos/runner/provenance.py), so the manifest's hash covers the marked frames.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np

from videos.files import watermark
from videos.files.media import X264_THREADS, InvalidVideo, decoding, x264_params

MARK_CRF = 20  # the mark must outlive this encode and a later CRF 28 one; 17 gave the same PSNR, larger files
READ_FRAMES = 48  # frames a reader looks at, spread over the clip: enough votes, bounded work


def mark_video(path: Path, value: int) -> None:
    """Rewrite `path` with `value` (a 48-bit id) in every frame: a new file, swapped in at the end
    (the old one is kept on any failure)."""
    bits = watermark.payload_bits(value)
    marked = path.with_name(path.name + ".marked.mp4")
    try:
        with (
            av.open(str(path)) as src,
            av.open(str(marked), "w", format="mp4", options={"movflags": "+faststart"}) as out,
        ):
            if not src.streams.video:
                raise InvalidVideo("no video stream")
            video = src.streams.video[0]
            video.thread_type = "AUTO"
            out.metadata.update(src.metadata)
            enc = out.add_stream("libx264", rate=video.average_rate or 16)
            enc.width, enc.height = video.codec_context.width // 2 * 2, video.codec_context.height // 2 * 2
            enc.pix_fmt = "yuv420p"
            enc.time_base = video.time_base
            enc.codec_context.thread_type = "FRAME"
            enc.codec_context.thread_count = X264_THREADS
            options: dict[str, object] = {"crf": str(MARK_CRF), "preset": "veryfast"}
            if x264_params():
                options["x264-params"] = x264_params()
            enc.options = options
            audio = {s.index: out.add_stream_from_template(s) for s in src.streams.audio}
            for packet in src.demux(video, *src.streams.audio):
                if packet.stream.index in audio:
                    if packet.dts is not None:
                        packet.stream = audio[packet.stream.index]
                        out.mux(packet)
                    continue
                for frame in packet.decode():
                    if isinstance(frame, av.VideoFrame):
                        out.mux(enc.encode(_marked_frame(frame, bits, enc.width, enc.height)))
            out.mux(enc.encode(None))
        os.replace(marked, path)
    finally:
        marked.unlink(missing_ok=True)


def _marked_frame(frame: av.VideoFrame, bits: np.ndarray, width: int, height: int) -> av.VideoFrame:
    planes = frame.reformat(width=width, height=height, format="yuv420p").to_ndarray()
    planes[:height] = watermark.embed(planes[:height], bits)
    marked = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    marked.pts, marked.time_base = frame.pts, frame.time_base
    return marked


def lumas(path: Path, limit: int = READ_FRAMES) -> Iterator[np.ndarray]:
    """Up to `limit` luma planes spread over the clip (every n-th frame of its stated count)."""
    with decoding(path) as (container, stream):
        stated = int(stream.frames or 0)
        every = max(1, stated // limit) if stated else 1
        taken = 0
        for number, frame in enumerate(container.decode(stream)):
            if number % every:
                continue
            yield frame.reformat(format="yuv420p").to_ndarray()[: frame.height]
            taken += 1
            if taken >= limit:
                return


def read_video(path: Path) -> tuple[int | None, float]:
    """The id marked in the clip (None: no mark found) and how strongly its frames say so (0 to 1).
    A file that is not a readable video raises InvalidVideo."""
    found, strength = watermark.read(lumas(path))
    return found, strength
