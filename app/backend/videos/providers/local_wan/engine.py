"""The `local` engine: Wan 2.1 / 2.2 text-to-video (and image-to-video) through diffusers.

Weights come from a local Diffusers folder or from a repo already in the Hugging Face
cache; nothing is ever downloaded (`local_files_only=True`). torch and diffusers are an
optional extra (requirements-local.txt), so this module imports them only when a video is
made: the studio imports it, lists it and reports "not ready" on a core install.

The pipeline is loaded on the first generate and kept for the life of the process; one
job runs on it at a time (a diffusers pipeline keeps per-call state on itself).
Reading the model folder lives in `folder.py`; what stays here (device and dtype choice,
loading, request checks, denoising, encoding) is one engine's life cycle, about 340 lines.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from videos.files.media import encode_h264
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

log = logging.getLogger(__name__)

DEFAULT_FRAMES = 81  # the clip length Wan was trained on (5 s at 16 fps)
FRAMES_RANGE = (1, 241)
STEPS_RANGE = (1, 100)
MAX_SIDE = 2048
_DTYPES = {
    "bf16": "bfloat16",
    "bfloat16": "bfloat16",
    "fp16": "float16",
    "float16": "float16",
    "half": "float16",
    "fp32": "float32",
    "float32": "float32",
    "float": "float32",
}


def _missing_extra() -> list[str]:
    return [m for m in ("torch", "diffusers", "transformers", "accelerate") if not importlib.util.find_spec(m)]


def to_uint8_frames(frames: np.ndarray) -> np.ndarray:
    """diffusers' output_type="np" frames (F, H, W, 3) floats in [0, 1] -> uint8 RGB."""
    if frames.dtype == np.uint8:
        return frames
    return (np.clip(frames, 0.0, 1.0) * 255.0).round().astype(np.uint8)


def write_mp4(frames: np.ndarray, dest: Path, fps: int, *, crf: int = 18) -> None:
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

    def __init__(
        self,
        model_path: str | None,
        device: str = "auto",
        dtype: str = "auto",
        fps: int = 16,
    ) -> None:
        self.model_path = model_path
        self.device = (device or "auto").strip().lower()
        self.dtype = (dtype or "auto").strip().lower()
        self.fps = int(fps)
        self._load_lock = threading.Lock()  # one load at a time; later callers wait for it
        self._run_lock = threading.Lock()  # a pipeline call mutates the pipeline object
        self._pipes: dict[str, Any] = {}  # "t2v" / "i2v" -> pipeline for self._loaded_from
        self._loaded_from: Path | None = None
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
            self._dtype_name()
        except ProviderError as exc:
            return ProviderStatus(False, exc.message)
        # Weights may be put in place while the studio runs: refresh what the UI offers.
        self.capabilities = self._capabilities(info)
        loaded = "loaded" if self._pipes else "loads on first use"
        return ProviderStatus(True, f"{info.kind} from {info.folder} (device {self.device}, {loaded}).")

    # --- device, dtype, loading --------------------------------------------------------

    def _dtype_name(self) -> str | None:
        """The configured dtype's torch name, None for auto; not_configured if unknown."""
        if self.dtype == "auto":
            return None
        if self.dtype not in _DTYPES:
            raise ProviderError(
                "not_configured",
                f"LOCAL_WAN_DTYPE={self.dtype!r} is not one of auto, bf16, fp16, fp32.",
            )
        return _DTYPES[self.dtype]

    def _device_and_dtype(self) -> tuple[Any, Any]:
        import torch

        if self.device == "auto":
            device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        else:
            try:
                device = torch.device(self.device)
            except RuntimeError as exc:
                raise ProviderError(
                    "not_configured", f"LOCAL_WAN_DEVICE={self.device!r} is not a torch device."
                ) from exc
            if device.type == "cuda" and not torch.cuda.is_available():
                raise ProviderError(
                    "not_configured",
                    f"LOCAL_WAN_DEVICE={self.device} but torch sees no CUDA device "
                    "(is the CUDA build of torch installed?).",
                )
        name = self._dtype_name()
        if name is None:  # bf16 where the hardware has it; CPU bf16 matmuls are slow
            name = "bfloat16" if device.type == "cuda" else "float32"
        return device, getattr(torch, name)

    def _pipeline(self, info: ModelInfo, mode: str) -> Any:
        """The cached pipeline for mode "t2v" or "i2v", loading it on first use."""
        with self._load_lock:
            if self._loaded_from != info.folder:  # the model folder changed: drop the old one
                self._pipes.clear()
                self._loaded_from = None
            if mode in self._pipes:
                return self._pipes[mode]
            import torch
            from diffusers import WanImageToVideoPipeline, WanPipeline

            device, dtype = self._device_and_dtype()
            cls = WanPipeline if info.pipeline_class == "WanPipeline" else WanImageToVideoPipeline
            base = self._pipes.get("t2v") or self._pipes.get("i2v")
            if base is None:
                log.info("loading %s from %s on %s (%s)", cls.__name__, info.folder, device, dtype)
                try:
                    base = cls.from_pretrained(
                        str(info.folder),
                        # Wan's VAE (and CLIP image encoder) run in fp32: in bf16 the
                        # decoded frames band and darken.
                        dtype={"vae": torch.float32, "image_encoder": torch.float32, "default": dtype},
                        local_files_only=True,
                    )
                    base.to(device)
                except ProviderError:
                    raise
                except Exception as exc:
                    raise ProviderError(
                        "not_configured",
                        f"Could not load the Wan model from {info.folder}: {exc}",
                    ) from exc
                base.set_progress_bar_config(disable=True)  # progress goes to the job instead
                self._loaded_from = info.folder
                self._pipes["i2v" if cls is WanImageToVideoPipeline else "t2v"] = base
            if mode not in self._pipes:
                # TI2V-5B: the image-to-video pipeline over the same modules (no extra memory).
                pipe = WanImageToVideoPipeline.from_pipe(base)
                pipe.set_progress_bar_config(disable=True)
                self._pipes[mode] = pipe
            return self._pipes[mode]

    # --- generation --------------------------------------------------------------------

    def _validate(self, request: GenerationRequest, info: ModelInfo) -> tuple[int, int, int]:
        """(width, height, num_frames) for the request, or ProviderError invalid_request."""
        if not request.prompt or not request.prompt.strip():
            raise ProviderError("invalid_request", "The prompt must not be empty.")
        lo, hi = STEPS_RANGE
        if not lo <= request.num_inference_steps <= hi:
            raise ProviderError("invalid_request", f"num_inference_steps must be between {lo} and {hi}.")
        if (request.width is None) != (request.height is None):
            raise ProviderError("invalid_request", "Give both width and height, or neither.")
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
        if request.image_path is not None and not info.image_to_video:
            raise ProviderError(
                "invalid_request",
                "This local model is text-to-video only; it cannot take a reference image.",
            )
        if request.image_path is None and not info.text_to_video:
            raise ProviderError("invalid_request", "This local model is image-to-video: give a reference image.")
        return width, height, frames

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
        width, height, num_frames = self._validate(request, info)
        image = self._load_image(Path(request.image_path), width, height) if request.image_path is not None else None
        ctx.report(0.0, "loading the local model" if not self._pipes else "starting")
        pipe = self._pipeline(info, "i2v" if image is not None else "t2v")
        ctx.raise_if_cancelled()  # loading can take minutes; don't start a cancelled job
        with self._run_lock:
            frames = self._denoise(pipe, request, width, height, num_frames, image, ctx)
        ctx.report(None, "encoding MP4")
        write_mp4(frames, dest, self.fps)

    def _denoise(
        self,
        pipe: Any,
        request: GenerationRequest,
        width: int,
        height: int,
        num_frames: int,
        image: Any,
        ctx: JobContext,
    ) -> np.ndarray:
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
            num_frames=num_frames,
            num_inference_steps=steps,
            # A CPU generator gives the same noise for a seed on CPU and GPU.
            generator=torch.Generator(device="cpu").manual_seed(int(request.seed)),
            output_type="np",
            callback_on_step_end=on_step_end,
        )
        if image is not None:
            kwargs["image"] = image
        try:
            out = pipe(**kwargs)
        except (JobCancelled, ProviderError):
            raise
        except torch.cuda.OutOfMemoryError as exc:
            raise ProviderError(
                "engine_error",
                f"Out of GPU memory at {width}x{height}, {num_frames} frames: try a smaller size or fewer frames.",
            ) from exc
        except Exception as exc:
            log.exception("local Wan generation failed")
            raise ProviderError("engine_error", f"The local Wan engine failed: {exc}") from exc
        ctx.raise_if_cancelled()  # interrupted: the frames are half-denoised, don't keep them
        return np.asarray(out.frames[0])
