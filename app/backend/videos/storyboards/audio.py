"""A storyboard's sound: its clips' audio joined on the same seams as their frames.

Each clip's sound starts where its frames start in the joined file and ends where they end;
at a `continue` seam the dropped frame's sound goes too, at a `crossfade` seam the two sounds
fade linearly across the blended frames. A shot without sound is silence under its frames, so
the track covers the whole film once any shot has sound. Resampled to the first sound's rate
and layout, AAC (videos/files/audio.py mixes and encodes).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING

from videos.files.audio import Placed, Soundtrack, mix, sound_format

if TYPE_CHECKING:
    from videos.storyboards.render import Part


def soundtrack(parts: Sequence[Part], start_frames: list[int]) -> Soundtrack | None:
    """The board's sound, or None when no shot has any. `start_frames` (where each part begins)
    is filled while the frames are written, before the track is rendered."""
    found = sound_format(part.path for part in parts)
    if found is None:
        return None
    rate, layout = found
    return Soundtrack(
        rate, layout, lambda total, fps: mix(placed(parts, start_frames, total, fps), float(total / fps), rate, layout)
    )


def placed(parts: Sequence[Part], start_frames: list[int], total: int, fps: Fraction) -> list[Placed]:
    """Each part's sound in the joined file: from its first frame (a crossfade's first blended
    one) to the next part's start plus the crossfade it fades out across."""
    out = []
    for number, part in enumerate(parts):
        join = part.join if number else "cut"
        following = parts[number + 1] if number + 1 < len(parts) else None
        fade_out = following.crossfade_frames / fps if following is not None and following.join == "crossfade" else 0
        end = start_frames[number + 1] / fps + fade_out if following is not None else total / fps
        out.append(
            Placed(
                part.path,
                start=float(start_frames[number] / fps),
                end=float(end),
                skip=float(1 / fps) if join == "continue" else 0.0,  # the dropped frame's sound
                fade_in=float(part.crossfade_frames / fps) if join == "crossfade" else 0.0,
                fade_out=float(fade_out),
            )
        )
    return out
