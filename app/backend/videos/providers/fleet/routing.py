"""Which upstream can make a job, and what the fleet as a whole can make.

An upstream can make a job when its runner takes the job's inputs (a prompt alone, a first
frame, a last frame), makes sound when the job asks for it, and serves the job's shape: an
asked size must be one of its aspect ratios (or its one fixed size), asked seconds one of its
durations (a fixed-length runner makes its own length, as before). An extend's size and length
are its source's, so they do not narrow the choice.
"""

from __future__ import annotations

from math import gcd

from videos.providers.base import Capabilities, GenerationRequest
from videos.providers.tt_runners import RunnerProfile


def ratio_of(width: int, height: int) -> str:
    """'16:9' for 1280x720."""
    d = gcd(width, height)
    return f"{width // d}:{height // d}"


def size_for_ratio(ratio: str) -> tuple[int, int]:
    """The size the studio shows for an aspect ratio: 720 on the short side, multiples of 16."""
    w, h = (int(part) for part in ratio.split(":"))
    if w >= h:
        return round(720 * w / h / 16) * 16, 720
    return 720, round(720 * h / w / 16) * 16


def ratio_for_size(profile: RunnerProfile, width: int, height: int) -> str | None:
    """The served aspect ratio a size stands for, or None."""
    for ratio in profile.aspect_ratios:
        if size_for_ratio(ratio) == (width, height) or ratio_of(width, height) == ratio:
            return ratio
    return None


def wants_sound(request: GenerationRequest) -> bool:
    """The job asks for a soundtrack (a `sound` parameter, where the job has one)."""
    return request.sound


def able(profile: RunnerProfile, request: GenerationRequest) -> bool:
    image, last = request.image_path is not None, request.last_image_path is not None
    if request.operation == "edit":
        return False
    if not (image or last) and not profile.text:
        return False
    if (image and not profile.image) or (last and not profile.last_frame):
        return False
    if wants_sound(request) and not profile.sound:
        return False
    if request.operation == "extend":
        return True
    if request.width and request.height:
        if profile.aspect_ratios:
            if ratio_for_size(profile, request.width, request.height) is None:
                return False
        elif (request.width, request.height) != profile.size:
            return False
    return not (profile.durations and request.seconds and request.seconds not in profile.durations)


def capabilities_of(profile: RunnerProfile) -> Capabilities:
    sizes = tuple(size_for_ratio(r) for r in profile.aspect_ratios)
    durations = profile.durations
    return Capabilities(
        steps_range=profile.steps_range,
        default_steps=profile.default_steps,
        default_size=profile.size,
        sizes=sizes or None,
        accepts_size=bool(sizes),
        accepts_frames=False,
        fps=profile.fps,
        default_seconds=profile.seconds if not durations or profile.seconds in durations else durations[0],
        seconds_options=durations or None,
        image_to_video=profile.image,
        text_to_video=profile.text,
        last_frame=profile.last_frame,
        sound=profile.sound,
    )


def union(profiles: list[RunnerProfile]) -> Capabilities:
    """What at least one upstream makes (a request is checked against this; the job then goes to
    one that can make it). Defaults are the first upstream's."""
    if not profiles:
        return Capabilities(steps_range=(4, 50), default_size=(1280, 720), accepts_size=False, accepts_frames=False)
    each = [capabilities_of(p) for p in profiles]
    first = each[0]
    sized = any(c.accepts_size for c in each)
    timed = any(c.seconds_options for c in each)
    sizes = list(dict.fromkeys(s for c in each for s in (c.sizes or (c.default_size,)) if s)) if sized else None
    seconds = sorted({s for c in each for s in (c.seconds_options or (c.default_seconds,))}) if timed else None
    low = min(c.steps_range[0] for c in each)
    high = max(c.steps_range[1] for c in each)
    return Capabilities(
        steps_range=(low, high),
        default_steps=first.default_steps,
        default_size=first.default_size,
        sizes=tuple(sizes) if sizes else None,
        accepts_size=sized,
        accepts_frames=False,
        fps=first.fps,
        default_seconds=first.default_seconds,
        seconds_options=tuple(seconds) if seconds else None,
        image_to_video=any(c.image_to_video for c in each),
        text_to_video=any(c.text_to_video for c in each),
        last_frame=any(c.last_frame for c in each),
        sound=any(c.sound for c in each),
    )
