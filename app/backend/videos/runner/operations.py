"""What a job's operation asks of its provider: generate, extend or edit a clip.

`make_video` is the runner's one call into a provider. "generate" and "edit" go straight to
the provider; "extend" does too on a model with native_extend, and otherwise runs the model's
image-to-video path from the source's last frame and joins source + continuation into one MP4
(their sound too). A source's sound outlives an engine that drops it: an edit without sound
gets the source's, a native extend without sound the source's under the source's part.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import av

from videos.files import audio
from videos.files.media import InvalidVideo, join_clips, save_last_frame
from videos.providers.base import GenerationRequest, JobContext, Provider, ProviderError

JOINING = "joining the clips"


def make_video(provider: Provider, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
    """Write the job's finished MP4 (for an extend: source + continuation) to `dest`.

    An extend without native_extend works in `dest`'s folder (the job's scratch): the source's
    last frame as `<dest stem>.last-frame.png`, the continuation as
    `<dest stem>.continuation.mp4`; both are removed whatever happens. The continuation's
    progress is the job's; then the status says "joining the clips".
    """
    caps = provider.capabilities
    if request.operation in ("extend", "edit") and request.video_path is None:
        raise ProviderError("invalid_request", f"An {request.operation} needs its source clip.")
    if request.operation == "edit" and not caps.video_to_video:
        raise ProviderError("invalid_request", f"The {provider.name} model cannot edit a video.")
    if request.operation == "extend" and not caps.native_extend:
        if not caps.image_to_video:
            raise ProviderError(
                "invalid_request",
                f"The {provider.name} model cannot extend a video: extending continues from the "
                "clip's last frame through image-to-video, which this model does not do.",
            )
        _extend_from_last_frame(provider, request, Path(dest), ctx)
        return
    provider.generate(request, dest, ctx)
    if request.video_path is not None:
        _keep_source_sound(Path(request.video_path), Path(dest), request.operation == "edit")


def _keep_source_sound(source: Path, made: Path, edit: bool) -> None:
    """Lay the source's sound under an edit (its whole length) or a native extend (the source's
    part; silence after) whose engine answered a silent clip."""
    if not audio.has_audio(source) or audio.has_audio(made):
        return
    try:
        end = audio.picture_seconds(made) if edit else audio.picture_seconds(source)
        with_sound = made.with_name(made.name + ".sound.mp4")
        try:
            audio.lay_under(made, [audio.Placed(source, 0.0, end)], with_sound)
            os.replace(with_sound, made)
        finally:
            with_sound.unlink(missing_ok=True)
    except (av.FFmpegError, OSError, ValueError, IndexError) as exc:
        raise ProviderError("engine_error", f"Keeping the source clip's sound failed: {exc}") from exc


def _extend_from_last_frame(provider: Provider, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
    assert request.video_path is not None
    source = Path(request.video_path)
    last_frame = dest.with_name(dest.stem + ".last-frame.png")
    continuation = dest.with_name(dest.stem + ".continuation.mp4")
    try:
        ctx.report(None, "reading the source's last frame")
        try:
            width, height = save_last_frame(source, last_frame)
        except InvalidVideo as exc:
            raise ProviderError("invalid_request", f"The source clip could not be read: {exc}") from exc
        ctx.raise_if_cancelled()
        if request.width is not None and request.height is not None:
            width, height = request.width, request.height
        provider.generate(replace(request, image_path=last_frame, width=width, height=height), continuation, ctx)
        ctx.raise_if_cancelled()
        ctx.report(None, JOINING)
        try:
            # The continuation's first frame repeats the source's last: drop it.
            join_clips(source, continuation, dest, skip_first=1, tick=ctx.raise_if_cancelled)
        except InvalidVideo as exc:
            raise ProviderError("engine_error", f"Joining the clip and its continuation failed: {exc}") from exc
    finally:
        last_frame.unlink(missing_ok=True)
        continuation.unlink(missing_ok=True)
