"""A storyboard made in this process, without a server or database (`generate --storyboard
--in-process`): each shot through its model in order (a continue shot from the last frame of
the one before), then joined as the studio joins them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from videos.files.images import ReferenceImage
from videos.files.media import probe, save_last_frame
from videos.providers.base import NullContext
from videos.providers.registry import get_provider
from videos.runner.operations import make_video
from videos.runner.run import request_for
from videos.storyboards.plan import plan_board, shot_spec
from videos.storyboards.render import Part, Rendered, render

Report = Callable[[float, str], None]  # (progress 0-100, what it is doing)


def make_board_here(body: Mapping[str, Any], out: Path, report: Report) -> Rendered:
    """Check the board as the API would, make its shots one by one and write the joined MP4."""
    plan = plan_board(body)
    base = {
        "model": plan.model,
        "size": plan.size,
        "num_inference_steps": plan.num_inference_steps,
        "negative_prompt": plan.negative_prompt,
        "sound": plan.sound,
    }
    provider = get_provider(plan.model)
    count = len(plan.shots)
    with TemporaryDirectory(prefix="storyboard-") as folder:
        work = Path(folder)
        clips: list[Path] = []
        for number, shot in enumerate(plan.shots):
            spec = shot_spec(base, shot.prompt, shot.seconds, shot.seed)
            start = _image(work / f"{number}.start", shot.input_reference)
            if shot.join == "continue":
                start = work / f"{number}.start.png"
                save_last_frame(clips[-1], start)
            end = _image(work / f"{number}.end", shot.last_frame)
            dest = work / f"{number}.mp4"
            make_video(provider, request_for(spec.new_job(), start, None, end), dest, _Shot(number, count, report))
            probe(dest)  # a clip that does not decode fails here, not in the join
            clips.append(dest)
        report(100 * count / (count + 1), "joining")
        parts = [
            Part(clip, shot.join, shot.crossfade_frames, f"{n + 1}. {shot.prompt[:60]}")
            for n, (clip, shot) in enumerate(zip(clips, plan.shots, strict=True))
        ]
        result = render(parts, out)
    report(100, "done")
    return result


def _image(stem: Path, image: object) -> Path | None:
    if not isinstance(image, ReferenceImage):
        return None
    path = stem.parent / f"{stem.name}.{image.extension}"
    path.write_bytes(image.data)
    return path


class _Shot(NullContext):
    """One shot's progress as the board's."""

    def __init__(self, number: int, count: int, report: Report) -> None:
        super().__init__()
        self.number, self.count, self.to = number, count, report

    def report(self, progress: float | None = None, message: str | None = None) -> None:
        if progress is not None:
            done = (self.number + progress / 100) / (self.count + 1)
            self.to(100 * done, f"shot {self.number + 1}/{self.count}")
