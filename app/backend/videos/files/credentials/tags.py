"""The studio's settings as plain MP4 metadata (a `comment` tag), for tools that show tags but
read no C2PA: written by a stream copy (PyAV remux, no re-encode) before the file is signed."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import av

from videos.files.credentials.manifest import settings_assertion

TAG = "comment"


def tag_settings(path: Path, values: dict[str, Any], omit_prompt: bool) -> None:
    """Rewrite `path` with the settings as its comment tag (the same packets, index first)."""
    data = settings_assertion(values, omit_prompt)["data"]
    tagged = path.with_name(path.name + ".tagged.mp4")
    try:
        with (
            av.open(str(path)) as src,
            av.open(str(tagged), "w", format="mp4", options={"movflags": "+faststart"}) as out,
        ):
            out.metadata.update(src.metadata)
            out.metadata[TAG] = json.dumps(data, separators=(",", ":"), ensure_ascii=False, default=str)
            streams = {s.index: out.add_stream_from_template(s) for s in src.streams if s.type in ("video", "audio")}
            for packet in src.demux(*(s for s in src.streams if s.index in streams)):
                if packet.dts is None:
                    continue  # the demuxer's end-of-stream marker
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
        os.replace(tagged, path)
    finally:
        tagged.unlink(missing_ok=True)
