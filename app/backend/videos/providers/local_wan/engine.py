"""The `local` engine: Wan 2.1 / 2.2 text-to-video, image-to-video and video-to-video
through diffusers.

Extend is image-to-video from the source's last frame (operations.make_video gives it as
image_path and joins the continuation to the source); edit is diffusers'
WanVideoToVideoPipeline built over the loaded text-to-video modules (ModelInfo.video_to_video
says which models can).

Weights come from a local Diffusers folder or from a repo already in the Hugging Face
cache; nothing is ever downloaded (`local_files_only=True`). torch and diffusers are an
optional extra (requirements-local.txt), so this module imports them only when a video is
made: the studio imports it, lists it and reports "not ready" on a core install.

The pipeline is loaded on the first generate and kept for the life of the process; one
job runs on it at a time (a diffusers pipeline keeps per-call state on itself).
Reading the model folder lives in `folder.py`, choosing the device and dtype and loading the
pipelines in `loading.py`; what stays here (request checks, denoising, encoding) is one
engine's jobs.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from dataclasses import replace
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from videos.files.media import InvalidVideo, encode_h264, read_frames
from videos.providers.base import (
    Capabilities,
    GenerationRequest,
    JobCancelled,
    JobContext,
    Provider,
    ProviderError,
    ProviderStatus,
)
from videos.providers.local_wan.folder import DEFAULT_SIZE, EXTRA_HINT, ModelInfo, inspect_model
from videos.providers.local_wan.loading import PipelineLoader

log = logging.getLogger(__name__)

DEFAULT_FRAMES = 81  # the clip length Wan was trained on (5 s at 16 fps)
# How far an edit moves away from its source (diffusers' `strength`: the share of the denoising
# schedule that runs, from the source's latents noised to that level; 1.0 ignores the source).
EDIT_STRENGTH = 0.7
FRAMES_RANGE = (1, 241)
STEPS_RANGE = (1, 100)
MAX_SIDE = 2048


def _missing_extra() -> list[str]:
    return [m for m in ("torch", "diffusers", "transformers", "accelerate") if not importlib.util.find_spec(m)]


def to_uint8_frames(frames: np.ndarray) -> np.ndarray:
    """diffusers' output_type="np" frames (F, H, W, 3) floats in [0, 1] -> uint8 RGB."""
    if frames.dtype == np.uint8:
        return frames
    return (np.clip(frames, 0.0, 1.0) * 255.0).round().astype(np.uint8)


def write_mp4(frames: np.ndarray, dest: Path, fps: int | Fraction, *, crf: int = 18) -> None:
    """Encode RGB frames (F, H, W, 3) as H.264 yuv420p MP4, written atomically to `dest`.

    faststart puts the index first so the browser can start playing (and seek with Range
    requests) before the whole file has arrived.
    """
    frames = to_uint8_frames(np.asarray(frames))
    if frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
        raise ProviderError("engine_error", f"The engine produced no frames (shape {frames.shape}).")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    try:
        encode_h264(frames, tmp, fps, crf=crf, preset="medium")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


class LocalWanProvider(Provider):
    """Wan 2.1 / 2.2 on this machine's GPU (or CPU), through diffusers."""

    name = "local"
    label = "Wan (local)"
    runs_on = "this_machine"

    def __init__(
        self,
        model_path: str | None,
        device: str = "auto",
        dtype: str = "auto",
        fps: int = 16,
    ) -> None:
        self.model_path = model_path
        self.loader = PipelineLoader(device, dtype)
        self.fps = int(fps)
        self._run_lock = threading.Lock()  # a pipeline call mutates the pipeline object
        self.capabilities = self._capabilities(self._try_inspect())

    # --- status and capabilities -------------------------------------------------------

    def _try_inspect(self) -> ModelInfo | None:
        try:
            return inspect_model(self.model_path)
        except ProviderError:
            return None

    def _capabilities(self, info: ModelInfo | None) -> Capabilities:
        return Capabilities(
            steps_range=STEPS_RANGE,
            default_steps=12,
            default_size=info.default_size if info else DEFAULT_SIZE,
            sizes=None,
            accepts_size=True,
            accepts_frames=True,
            frames_range=FRAMES_RANGE,
            image_to_video=bool(info and info.image_to_video),
            text_to_video=info.text_to_video if info else True,  # an I2V-only model needs an image
            video_to_video=bool(info and info.video_to_video),
            fps=self.fps,
        )

    def status(self) -> ProviderStatus:
        missing = _missing_extra()
        if missing:
            return ProviderStatus(
                False,
                f"The local engine's optional extra is not installed (missing {', '.join(missing)}): {EXTRA_HINT}.",
            )
        try:
            info = inspect_model(self.model_path)
            self.loader.dtype_name()
        except ProviderError as exc:
            return ProviderStatus(False, exc.message)
        # Weights may be put in place while the studio runs: refresh what the UI offers.
        self.capabilities = self._capabilities(info)
        loaded = "loaded" if self.loader.pipes else "loads on first use"
        return ProviderStatus(True, f"{info.kind} from {info.folder} (device {self.loader.device}, {loaded}).")

    # --- generation --------------------------------------------------------------------

    def _validate(self, request: GenerationRequest, info: ModelInfo) -> tuple[int, int, int]:
        """(width, height, num_frames) for the request, or ProviderError invalid_request.

        For an edit num_frames is 0: its length comes from the source clip (see _edit).
        """
        if not request.prompt or not request.prompt.strip():
            raise ProviderError("invalid_request", "The prompt must not be empty.")
        lo, hi = STEPS_RANGE
        if not lo <= request.num_inference_steps <= hi:
            raise ProviderError("invalid_request", f"num_inference_steps must be between {lo} and {hi}.")
        if (request.width is None) != (request.height is None):
            raise ProviderError("invalid_request", "Give both width and height, or neither.")
        self._check_operation(request, info)
        width, height = info.default_size
        if request.width is not None and request.height is not None:
            width, height = request.width, request.height
        m = info.size_multiple
        for side, value in (("width", width), ("height", height)):
            if value % m or not m <= value <= MAX_SIDE:
                raise ProviderError(
                    "invalid_request",
                    f"{side} {value} is not possible with this model: it must be a multiple "
                    f"of {m} between {m} and {MAX_SIDE} (e.g. {info.default_size[0]}x"
                    f"{info.default_size[1]}).",
                )
        if request.operation == "edit":
            return width, height, 0
        frames = DEFAULT_FRAMES if request.num_frames is None else request.num_frames
        k = info.temporal_factor
        flo, fhi = FRAMES_RANGE
        if not flo <= frames <= fhi or (frames - 1) % k:
            below = max(flo, (frames - 1) // k * k + 1)
            raise ProviderError(
                "invalid_request",
                f"num_frames {frames} is not possible: Wan makes {k}k+1 frames between "
                f"{flo} and {fhi} (nearest: {below} or {below + k}).",
            )
        return width, height, frames

    @staticmethod
    def _check_operation(request: GenerationRequest, info: ModelInfo) -> None:
        """What the model can do against what the request asks: a clear invalid_request."""
        if request.operation == "extend":
            if not info.image_to_video:
                raise ProviderError(
                    "invalid_request",
                    f"This local model ({info.kind}) cannot extend a clip: an extend continues from "
                    "the clip's last frame through image-to-video. Use Wan 2.2 TI2V-5B or a Wan "
                    "image-to-video model.",
                )
            if request.image_path is None:
                raise ProviderError(
                    "invalid_request",
                    "The local engine extends a clip from its last frame (image_path); "
                    "run the extend through videos.runner.operations.make_video.",
                )
        elif request.operation == "edit":
            if not info.video_to_video:
                why = "two-expert Wan 2.2 A14B" if info.two_experts else info.kind
                raise ProviderError(
                    "invalid_request",
                    f"This local model ({why}) cannot edit a clip: edits run diffusers' "
                    "WanVideoToVideoPipeline, which needs a single-transformer text-to-video Wan "
                    "model (Wan 2.1 T2V 1.3B / 14B or Wan 2.2 TI2V-5B).",
                )
            if request.video_path is None:
                raise ProviderError("invalid_request", "An edit needs its source clip (video_path).")
            if request.image_path is not None:
                raise ProviderError("invalid_request", "An edit takes no reference image.")
            return
        if request.image_path is not None and not info.image_to_video:
            raise ProviderError(
                "invalid_request",
                "This local model is text-to-video only; it cannot take a reference image.",
            )
        if request.image_path is None and not info.text_to_video:
            raise ProviderError("invalid_request", "This local model is image-to-video: give a reference image.")

    @staticmethod
    def _load_image(path: Path, width: int, height: int) -> Any:
        from PIL import Image, ImageOps

        try:
            with Image.open(path) as img:
                rgb = img.convert("RGB")
        except (OSError, ValueError) as exc:
            raise ProviderError("invalid_request", f"The reference image could not be read: {exc}") from exc
        # Crop to the video's aspect ratio first; the pipeline would stretch it otherwise.
        return ImageOps.fit(rgb, (width, height), method=Image.Resampling.LANCZOS)

    def generate(self, request: GenerationRequest, dest: Path, ctx: JobContext) -> None:
        missing = _missing_extra()
        if missing:
            raise ProviderError(
                "not_configured",
                f"The local engine's optional extra is not installed: {EXTRA_HINT}.",
            )
        info = inspect_model(self.model_path)
        if request.operation == "edit":
            self._edit(request, info, dest, ctx)
            return
        width, height, num_frames = self._validate(request, info)
        image = self._load_image(Path(request.image_path), width, height) if request.image_path is not None else None
        ctx.report(0.0, "loading the local model" if not self.loader.pipes else "starting")
        pipe = self.loader.pipeline(info, "i2v" if image is not None else "t2v")
        ctx.raise_if_cancelled()  # loading can take minutes; don't start a cancelled job
        inputs: dict[str, Any] = {"num_frames": num_frames}
        if image is not None:
            inputs["image"] = image
        with self._run_lock:
            frames = self._denoise(pipe, request, width, height, inputs, ctx)
        ctx.report(None, "encoding MP4")
        write_mp4(frames, dest, self.fps)

    def _edit(self, request: GenerationRequest, info: ModelInfo, dest: Path, ctx: JobContext) -> None:
        """Video-to-video on the source clip: its first N frames, N the largest 4k+1 that is at
        most num_frames (the source's count when None), the source's and FRAMES_RANGE's; same
        size (the request's, else the source's) and the source's frame rate."""
        from PIL import Image

        self._validate(request, info)  # the cheap checks before the source is decoded
        assert request.video_path is not None
        hi = FRAMES_RANGE[1] if request.num_frames is None else min(FRAMES_RANGE[1], max(1, request.num_frames))
        try:
            source, fps = read_frames(Path(request.video_path), limit=hi)
        except InvalidVideo as exc:
            raise ProviderError("invalid_request", f"The source clip could not be read: {exc}") from exc
        if request.width is None:
            request = replace(request, width=int(source.shape[2]), height=int(source.shape[1]))
        width, height, _ = self._validate(request, info)
        k = info.temporal_factor
        count = (len(source) - 1) // k * k + 1
        video = [Image.fromarray(frame) for frame in source[:count]]
        del source
        ctx.report(0.0, "loading the local model" if not self.loader.pipes else "starting")
        pipe = self.loader.pipeline(info, "v2v")
        ctx.raise_if_cancelled()
        steps = request.num_inference_steps
        # At least one step runs: diffusers runs int(steps * strength) of them.
        strength = EDIT_STRENGTH if int(steps * EDIT_STRENGTH) >= 1 else 1.0
        with self._run_lock:
            frames = self._denoise(pipe, request, width, height, {"video": video, "strength": strength}, ctx)
        ctx.report(None, "encoding MP4")
        write_mp4(frames, dest, fps)

    def _denoise(
        self,
        pipe: Any,
        request: GenerationRequest,
        width: int,
        height: int,
        inputs: dict[str, Any],
        ctx: JobContext,
    ) -> np.ndarray:
        """Run the pipeline; `inputs` holds num_frames (and image), or video and strength."""
        import torch

        steps = request.num_inference_steps

        def on_step_end(p: Any, i: int, t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
            total = p.num_timesteps or steps
            ctx.report(100.0 * (i + 1) / total, f"denoising step {i + 1}/{total}")
            if ctx.cancelled():
                p._interrupt = True  # diffusers skips the remaining steps
            return tensors

        kwargs: dict[str, Any] = dict(
            prompt=request.prompt,
            negative_prompt=request.negative_prompt or None,
            width=width,
            height=height,
            num_inference_steps=steps,
            # A CPU generator gives the same noise for a seed on CPU and GPU.
            generator=torch.Generator(device="cpu").manual_seed(int(request.seed)),
            output_type="np",
            callback_on_step_end=on_step_end,
            **inputs,
        )
        frames = inputs.get("num_frames") or len(inputs.get("video") or ())
        try:
            out = pipe(**kwargs)
        except (JobCancelled, ProviderError):
            raise
        except torch.cuda.OutOfMemoryError as exc:
            raise ProviderError(
                "engine_error",
                f"Out of GPU memory at {width}x{height}, {frames} frames: try a smaller size or fewer frames.",
            ) from exc
        except Exception as exc:
            log.exception("local Wan generation failed")
            raise ProviderError("engine_error", f"The local Wan engine failed: {exc}") from exc
        ctx.raise_if_cancelled()  # interrupted: the frames are half-denoised, don't keep them
        return np.asarray(out.frames[0])
