"""The embedded default engine: a procedurally drawn clip, clearly labelled "preview, not AI".

It lets a new user run the whole flow with no model configured, and lets the tests run
end to end. The same inputs always give the same frames. Three modes:

- generate: moving blobs over a two-colour ramp (or, with a last-frame image, over the
  reference image, fading into the last frame).
- image-to-video and extend (`image_path`: a reference image, or the source's last frame):
  a continuation whose first frame IS the image; new blobs, the label band and the new
  prompt's caption band fade in over the first second, so the clip goes on without a jump.
- edit (operation "edit" on `video_path`): the source's own frames with a tint taken from
  the new prompt, the label band and the new prompt's caption band; same size, frame count
  and frame rate as the source (or `num_frames` frames: the first ones, the last held).

With `sound` (generate, image-to-video, extend's continuation) the clip has a soundtrack: a
tone whose pitch comes from the prompt and seed, exactly as long as the picture, its stream
titled "preview tone, not AI" (providers/preview_sound.py). An edit keeps its source's sound
(the runner puts it back: videos/runner/operations.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from videos.files.media import InvalidVideo, encode_h264, frame_count_hint, frame_rate, iter_frames
from videos.providers.base import (
    Capabilities,
    GenerationRequest,
    JobContext,
    Provider,
    ProviderError,
    ProviderStatus,
)
from videos.providers.preview_gate import held
from videos.providers.preview_sound import soundtrack

PREVIEW_LABEL = "preview, not AI"
EDIT_TINT = 0.35  # how much of the prompt's colour an edit lays over the source's frames


class PreviewProvider(Provider):
    name = "preview"
    label = "Preview engine (procedural, not AI)"
    preview = True
    output_label = PREVIEW_LABEL
    runs_on = "this_machine"
    capabilities = Capabilities(
        steps_range=(1, 100),
        default_steps=12,
        default_size=(832, 480),
        accepts_size=True,
        frames_range=(1, 321),  # up to 20 s at 16 fps (seconds * 16 + 1)
        image_to_video=True,
        last_frame=True,
        video_to_video=True,
        fps=16,
        default_seconds=2,  # its default 33 frames
        sound=True,  # a labelled tone, when asked
    )
    default_frames = 33

    def __init__(self, enabled: bool = True, concurrency: int = 1, gate_dir: Path | None = None) -> None:
        self.enabled = enabled
        self._concurrency = max(1, concurrency)
        self.gate_dir = gate_dir  # tests only: see preview_gate

    @property
    def concurrency(self) -> int:
        return self._concurrency

    def status(self) -> ProviderStatus:
        if not self.enabled:
            return ProviderStatus(False, "disabled by VIDEO_PREVIEW_ENABLED=false")
        return ProviderStatus(True, "built in; draws a labelled placeholder clip, not AI")

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        if request.operation == "edit":
            self._edit(request, dest, ctx)
            return
        width, height = request.width or 832, request.height or 480
        frames = request.num_frames or self.default_frames
        if request.operation == "extend" or (request.image_path is not None and request.last_image_path is None):
            # Image-to-video starts on its image, as Wan I2V's clips do: a storyboard's continue
            # shot (and an extend) goes on from the frame it was given without a jump.
            if request.image_path is None:
                raise ProviderError(
                    "invalid_request",
                    "The preview engine extends a clip from its last frame (image_path); "
                    "run the extend through videos.runner.operations.make_video.",
                )
            drawn = self._continuation(request, width, height, frames, ctx)
        else:
            drawn = self._frames(request, width, height, frames, ctx)
        track = soundtrack(request) if request.sound else None
        encode_h264(held(drawn, request.prompt, self.gate_dir, ctx), dest, self.capabilities.fps, soundtrack=track)
        ctx.report(100)

    # --- generate -------------------------------------------------------------------------

    def _frames(
        self, request: GenerationRequest, width: int, height: int, count: int, ctx: JobContext
    ) -> Iterator[np.ndarray]:
        rng = _rng(request)
        base = rng.integers(30, 200, size=(2, 3)).astype(np.float32)
        blobs = rng.uniform(0, 1, size=(5, 4)).astype(np.float32)  # x, y, speed, radius
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        if request.image_path is not None:  # image-to-video: the reference is the backdrop
            background = _load_image(request.image_path, width, height)
        else:
            ramp = (xs / max(width - 1, 1))[..., None]
            background = base[0] * (1 - ramp) + base[1] * ramp
        # A last-frame image: the backdrop fades into it, so the clip ends on it.
        end = _load_image(request.last_image_path, width, height) if request.last_image_path else None
        font = _font(height)
        caption = _caption(request.prompt)
        for index in range(count):
            t = index / max(count - 1, 1)
            image = background.copy() if end is None else background * (1 - t) + end * t
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

    # --- extend: a continuation of the image ------------------------------------------------

    def _continuation(
        self, request: GenerationRequest, width: int, height: int, count: int, ctx: JobContext
    ) -> Iterator[np.ndarray]:
        """Frame 0 is the image; what this engine adds (slowly drifting blobs, the label band,
        the new caption band) fades in over `ramp` frames, so every step is a small one."""
        assert request.image_path is not None
        rng = _rng(request)
        blobs = rng.uniform(0, 1, size=(4, 4)).astype(np.float32)  # x, y, speed, radius
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        background = _load_image(request.image_path, width, height)
        # The bands as they will look once faded in, drawn once.
        bands = Image.fromarray(background.clip(0, 255).astype(np.uint8))
        _draw_bands(bands, request.prompt)
        band_rows = _band_rows(height)
        banded = np.asarray(bands, dtype=np.float32)
        fps = self.capabilities.fps
        ramp = max(8, fps)  # a second at 16 fps
        step = 1.0 / (6 * fps)  # blobs cross a sixth of the frame a second at most: slow motion
        for index in range(count):
            fade = min(1.0, index / ramp)
            target = background.copy()
            for bx, by, speed, radius in blobs:
                cx = (bx + index * step * (0.3 + speed)) % 1.0 * width
                cy = (by + 0.05 * np.sin(2 * np.pi * (index / (4 * fps) + speed))) * height
                r = (0.04 + 0.08 * radius) * min(width, height)
                mask = ((xs - cx) ** 2 + (ys - cy) ** 2) < r * r
                target[mask] = 255 - target[mask] * 0.5
            for rows in band_rows:
                target[rows] = banded[rows]
            frame = background + fade * (target - background) if fade < 1.0 else target
            yield frame.clip(0, 255).round().astype(np.uint8)
            ctx.report(100.0 * (index + 1) / (count + 1), f"drawing frame {index + 1}/{count}")
            ctx.raise_if_cancelled()

    # --- edit: the source's frames, changed by the prompt ----------------------------------

    def _edit(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        if request.video_path is None:
            raise ProviderError("invalid_request", "An edit needs the source clip (video_path).")
        source = Path(request.video_path)
        try:
            fps: Fraction = frame_rate(source)
        except InvalidVideo as exc:
            raise ProviderError("invalid_request", f"The source clip could not be read: {exc}") from exc
        total = request.num_frames or frame_count_hint(source) or None
        digest = hashlib.sha256(f"edit\0{request.prompt}\0{request.seed}".encode()).digest()
        tint = np.frombuffer(digest[:3], dtype=np.uint8).astype(np.float32) * (180 / 255) + 40

        def frames() -> Iterator[np.ndarray]:
            last: np.ndarray | None = None
            done = 0
            for rgb in iter_frames(source):
                if request.num_frames is not None and done >= request.num_frames:
                    break
                last = self._edited(rgb, request, tint)
                done += 1
                yield last
                self._edit_progress(ctx, done, total)
            if last is None:
                raise ProviderError("invalid_request", "The source clip has no decodable frames.")
            while request.num_frames is not None and done < request.num_frames:  # hold the last frame
                done += 1
                yield last
                self._edit_progress(ctx, done, total)

        try:
            encode_h264(held(frames(), request.prompt, self.gate_dir, ctx), dest, fps)
        except InvalidVideo as exc:
            Path(dest).unlink(missing_ok=True)
            raise ProviderError("invalid_request", f"The source clip could not be read: {exc}") from exc
        except BaseException:
            Path(dest).unlink(missing_ok=True)
            raise
        ctx.report(100)

    @staticmethod
    def _edit_progress(ctx: JobContext, done: int, total: int | None) -> None:
        if total:
            ctx.report(100.0 * min(done, total) / (total + 1), f"editing frame {done}/{total}")
        else:
            ctx.report(None, f"editing frame {done}")
        ctx.raise_if_cancelled()

    @staticmethod
    def _edited(rgb: np.ndarray, request: GenerationRequest, tint: np.ndarray) -> np.ndarray:
        height, width = rgb.shape[:2]
        if request.width and request.height and (request.width, request.height) != (width, height):
            width, height = request.width, request.height
            rgb = np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.BILINEAR))
        mixed = rgb.astype(np.float32) * (1 - EDIT_TINT) + tint * EDIT_TINT
        picture = Image.fromarray(mixed.clip(0, 255).round().astype(np.uint8))
        _draw_bands(picture, request.prompt)
        return np.asarray(picture)


# --- drawing helpers ------------------------------------------------------------------------


def _rng(request: GenerationRequest) -> np.random.Generator:
    digest = hashlib.sha256(f"{request.prompt}\0{request.seed}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def _font(height: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=max(12, height // 20))


def _caption(prompt: str) -> str:
    return prompt if len(prompt) <= 60 else prompt[:57] + "..."


def _load_image(path: Path, width: int, height: int) -> np.ndarray:
    try:
        with Image.open(path) as reference:
            rgb = reference.convert("RGB")
    except (OSError, ValueError) as exc:
        raise ProviderError("invalid_request", f"The reference image could not be read: {exc}") from exc
    if rgb.size != (width, height):
        rgb = rgb.resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(rgb, dtype=np.float32)


def _band_rows(height: int) -> tuple[slice, slice]:
    """The label band at the top and the caption band at the bottom, as row slices."""
    band = height // 12 + 8
    return slice(0, min(height, band + 1)), slice(max(0, height - band), height)


def _draw_bands(picture: Image.Image, prompt: str) -> None:
    """The "PREVIEW, NOT AI" label band on top and the prompt's caption band below, in place."""
    width, height = picture.size
    font = _font(height)
    band = height // 12 + 8
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, width, band), fill=(0, 0, 0))
    draw.text((8, 4), PREVIEW_LABEL.upper(), fill=(255, 210, 0), font=font)
    draw.rectangle((0, height - band, width, height), fill=(0, 0, 0))
    draw.text((8, height - band + 4), _caption(prompt), fill=(255, 255, 255), font=font)
