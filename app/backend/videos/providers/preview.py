"""The embedded default engine: a procedurally drawn clip, clearly labelled "preview, not AI".

It lets a new user run the whole flow with no model configured, and lets the tests run
end to end. The same prompt and seed always give the same frames.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from videos.files.media import encode_h264
from videos.providers.base import Capabilities, GenerationRequest, JobContext, Provider, ProviderStatus

PREVIEW_LABEL = "preview, not AI"


class PreviewProvider(Provider):
    name = "preview"
    label = "Preview engine (procedural, not AI)"
    preview = True
    capabilities = Capabilities(
        steps_range=(1, 100),
        default_steps=12,
        default_size=(832, 480),
        accepts_size=True,
        frames_range=(1, 161),
        image_to_video=True,
        fps=16,
    )
    default_frames = 33

    def __init__(self, enabled: bool = True, concurrency: int = 1) -> None:
        self.enabled = enabled
        self._concurrency = max(1, concurrency)

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def status(self) -> ProviderStatus:
        if not self.enabled:
            return ProviderStatus(False, "disabled by VIDEO_PREVIEW_ENABLED=false")
        return ProviderStatus(True, "built in; draws a labelled placeholder clip, not AI")

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        width, height = request.width or 832, request.height or 480
        frames = request.num_frames or self.default_frames
        encode_h264(self._frames(request, width, height, frames, ctx), dest, self.capabilities.fps)
        ctx.report(100)

    def _frames(
        self, request: GenerationRequest, width: int, height: int, count: int, ctx: JobContext
    ) -> Iterator[np.ndarray]:
        digest = hashlib.sha256(f"{request.prompt}\0{request.seed}".encode()).digest()
        rng = np.random.default_rng(int.from_bytes(digest[:8], "little"))
        base = rng.integers(30, 200, size=(2, 3)).astype(np.float32)
        blobs = rng.uniform(0, 1, size=(5, 4)).astype(np.float32)  # x, y, speed, radius
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        if request.image_path is not None:  # image-to-video: the reference is the backdrop
            with Image.open(request.image_path) as reference:
                background = np.asarray(reference.convert("RGB").resize((width, height)), dtype=np.float32)
        else:
            ramp = (xs / max(width - 1, 1))[..., None]
            background = base[0] * (1 - ramp) + base[1] * ramp
        font = ImageFont.load_default(size=max(12, height // 20))
        caption = request.prompt if len(request.prompt) <= 60 else request.prompt[:57] + "..."
        for index in range(count):
            t = index / max(count - 1, 1)
            image = background.copy()
            for bx, by, speed, radius in blobs:
                cx = (bx + t * (0.3 + speed)) % 1.0 * width
                cy = (by + 0.15 * np.sin(2 * np.pi * (t + speed))) * height
                r = (0.05 + 0.12 * radius) * min(width, height)
                mask = ((xs - cx) ** 2 + (ys - cy) ** 2) < r * r
                image[mask] = 255 - image[mask] * 0.5
            picture = Image.fromarray(image.clip(0, 255).astype(np.uint8))
            draw = ImageDraw.Draw(picture)
            draw.rectangle((0, 0, width, height // 12 + 8), fill=(0, 0, 0))
            draw.text((8, 4), PREVIEW_LABEL.upper(), fill=(255, 210, 0), font=font)
            draw.text((8, height - height // 12 - 8), caption, fill=(255, 255, 255), font=font)
            yield np.asarray(picture)
            ctx.report(100.0 * (index + 1) / (count + 1), f"drawing frame {index + 1}/{count}")
            ctx.raise_if_cancelled()
