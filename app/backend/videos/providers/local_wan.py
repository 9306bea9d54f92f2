"""The `local` engine: Wan 2.1 / 2.2 text-to-video (and image-to-video) through diffusers.

Weights come from a local Diffusers folder or from a repo already in the Hugging Face
cache; nothing is ever downloaded (`local_files_only=True`). torch and diffusers are an
optional extra (requirements-local.txt), so this module imports them only when a video is
made: the studio imports it, lists it and reports "not ready" on a core install.

The pipeline is loaded on the first generate and kept for the life of the process; one
job runs on it at a time (a diffusers pipeline keeps per-call state on itself).
"""
from __future__ import annotations

import importlib.util
import json
import logging
import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..media import encode_h264
from .base import (
    Capabilities,
    GenerationRequest,
    JobCancelled,
    JobContext,
    Provider,
    ProviderError,
    ProviderStatus,
)

log = logging.getLogger(__name__)

EXTRA_HINT = "pip install -r app/backend/requirements-local.txt"
DOCS_HINT = "see docs/local-engine.md"
DEFAULT_SIZE = (832, 480)  # Wan 2.1 / 2.2 480p; every Wan model was trained at it
TI2V_DEFAULT_SIZE = (1280, 704)  # Wan2.2 TI2V-5B's native 720p
DEFAULT_FRAMES = 81  # the clip length Wan was trained on (5 s at 16 fps)
FRAMES_RANGE = (1, 241)
STEPS_RANGE = (1, 100)
MAX_SIDE = 2048
_SUPPORTED_PIPELINES = ("WanPipeline", "WanImageToVideoPipeline")
_WEIGHT_COMPONENTS = ("transformer", "transformer_2", "vae", "text_encoder", "image_encoder")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".safetensors.index.json", ".bin.index.json")
_REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
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


@dataclass(frozen=True)
class ModelInfo:
    """What the model folder says about itself, read from its JSON configs (no torch)."""

    folder: Path
    pipeline_class: str  # WanPipeline | WanImageToVideoPipeline
    expand_timesteps: bool  # Wan2.2 TI2V-5B: one model for text- and image-to-video
    size_multiple: int  # VAE spatial factor x transformer patch: 16 (Wan 2.1/A14B), 32 (TI2V)
    temporal_factor: int  # frames must be temporal_factor * k + 1
    default_size: tuple[int, int]

    @property
    def image_to_video(self) -> bool:
        return self.pipeline_class == "WanImageToVideoPipeline" or self.expand_timesteps

    @property
    def text_to_video(self) -> bool:
        return self.pipeline_class == "WanPipeline"

    @property
    def kind(self) -> str:
        if self.expand_timesteps:
            return "Wan 2.2 TI2V (text- and image-to-video)"
        return "Wan image-to-video" if not self.text_to_video else "Wan text-to-video"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise ProviderError("not_configured", f"Cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ProviderError("not_configured", f"{path} is not a JSON object.")
    return data


def _resolve_folder(model_path: str | None) -> Path:
    """A local folder as given, or a repo id looked up in the Hugging Face cache only."""
    if not model_path or not model_path.strip():
        raise ProviderError(
            "not_configured",
            "No local model is configured: set LOCAL_WAN_MODEL_PATH to a Wan 2.1/2.2 "
            f"Diffusers folder or a cached repo id ({DOCS_HINT}).",
        )
    raw = model_path.strip()
    path = Path(raw).expanduser()
    if path.exists():
        if not path.is_dir():
            raise ProviderError(
                "not_configured", f"The local model path {path} is a file, not a folder."
            )
        return path.resolve()
    if _REPO_ID.match(raw) and not raw.startswith((".", "~")):
        try:
            from huggingface_hub import snapshot_download
        except ImportError as exc:
            raise ProviderError(
                "not_configured",
                f"The local engine's optional extra is not installed ({EXTRA_HINT}).",
            ) from exc
        try:
            # local_files_only: resolves the cached snapshot, never touches the network.
            return Path(snapshot_download(raw, local_files_only=True))
        except Exception as exc:  # LocalEntryNotFoundError and friends
            raise ProviderError(
                "not_configured",
                f"The model {raw} is not in the Hugging Face cache on this machine, and "
                f"nothing is downloaded here: copy its Diffusers folder in place and point "
                f"LOCAL_WAN_MODEL_PATH at it ({DOCS_HINT}).",
            ) from exc
    raise ProviderError(
        "not_configured",
        f"The local model folder {path} does not exist: put a Wan 2.1/2.2 Diffusers model "
        f"there or change LOCAL_WAN_MODEL_PATH ({DOCS_HINT}).",
    )


def inspect_model(model_path: str | None) -> ModelInfo:
    """Check that `model_path` holds a complete Wan Diffusers model; raise not_configured."""
    folder = _resolve_folder(model_path)
    index_path = folder / "model_index.json"
    if not index_path.is_file():
        raise ProviderError(
            "not_configured",
            f"{folder} holds no Wan model (no model_index.json): put a Wan 2.1/2.2 "
            f"Diffusers folder there ({DOCS_HINT}).",
        )
    index = _read_json(index_path)
    cls = index.get("_class_name")
    if cls not in _SUPPORTED_PIPELINES:
        raise ProviderError(
            "not_configured",
            f"{folder} holds a {cls or 'unknown'} model; the local engine runs "
            f"{' and '.join(_SUPPORTED_PIPELINES)} (Wan 2.1 / 2.2 text- or image-to-video).",
        )
    for name, spec in index.items():
        if name.startswith("_") or not isinstance(spec, list) or spec[:1] == [None]:
            continue
        sub = folder / name
        if not sub.is_dir():
            raise ProviderError(
                "not_configured", f"{folder} is incomplete: the '{name}' folder is missing."
            )
        if name in _WEIGHT_COMPONENTS and not any(
            f.name.endswith(_WEIGHT_SUFFIXES) for f in sub.iterdir()
        ):
            raise ProviderError(
                "not_configured", f"{folder} is incomplete: no weights in '{name}/'."
            )
    vae_cfg = _read_json(folder / "vae" / "config.json")
    tname = "transformer" if (folder / "transformer" / "config.json").is_file() else "transformer_2"
    t_cfg = _read_json(folder / tname / "config.json")
    patch = t_cfg.get("patch_size") or [1, 2, 2]
    multiple = int(vae_cfg.get("scale_factor_spatial", 8)) * int(patch[1])
    expand = bool(index.get("expand_timesteps", False))
    return ModelInfo(
        folder=folder,
        pipeline_class=cls,
        expand_timesteps=expand,
        size_multiple=multiple,
        temporal_factor=int(vae_cfg.get("scale_factor_temporal", 4)),
        default_size=TI2V_DEFAULT_SIZE if expand else DEFAULT_SIZE,
    )


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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LocalWanProvider:
        """Build from LOCAL_WAN_MODEL_PATH, LOCAL_WAN_DEVICE, LOCAL_WAN_DTYPE, LOCAL_WAN_FPS."""
        env = os.environ if environ is None else environ
        return cls(
            model_path=env.get("LOCAL_WAN_MODEL_PATH") or None,
            device=env.get("LOCAL_WAN_DEVICE") or "auto",
            dtype=env.get("LOCAL_WAN_DTYPE") or "auto",
            fps=int(env.get("LOCAL_WAN_FPS") or 16),
        )

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
                f"The local engine's optional extra is not installed (missing "
                f"{', '.join(missing)}): {EXTRA_HINT}.",
            )
        try:
            info = inspect_model(self.model_path)
            self._dtype_name()
        except ProviderError as exc:
            return ProviderStatus(False, exc.message)
        # Weights may be put in place while the studio runs: refresh what the UI offers.
        self.capabilities = self._capabilities(info)
        loaded = "loaded" if self._pipes else "loads on first use"
        return ProviderStatus(
            True, f"{info.kind} from {info.folder} (device {self.device}, {loaded})."
        )

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
            raise ProviderError(
                "invalid_request", f"num_inference_steps must be between {lo} and {hi}."
            )
        if (request.width is None) != (request.height is None):
            raise ProviderError("invalid_request", "Give both width and height, or neither.")
        width, height = (
            (request.width, request.height) if request.width is not None else info.default_size
        )
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
            raise ProviderError(
                "invalid_request", "This local model is image-to-video: give a reference image."
            )
        return width, height, frames

    @staticmethod
    def _load_image(path: Path, width: int, height: int) -> Any:
        from PIL import Image, ImageOps

        try:
            with Image.open(path) as img:
                rgb = img.convert("RGB")
        except (OSError, ValueError) as exc:
            raise ProviderError(
                "invalid_request", f"The reference image could not be read: {exc}"
            ) from exc
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
        image = (
            self._load_image(Path(request.image_path), width, height)
            if request.image_path is not None
            else None
        )
        ctx.report(0.0, "loading the local model" if not self._pipes else "starting")
        pipe = self._pipeline(info, "i2v" if image is not None else "t2v")
        if ctx.cancelled():  # loading can take minutes; don't start a cancelled job
            raise JobCancelled()
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
            ctx.report(100.0 * (i + 1) / total, f"denoising step {i + 1}/{total}")  # may raise
            if ctx.cancelled():
                p._interrupt = True  # skips the remaining steps even if report() didn't raise
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
                f"Out of GPU memory at {width}x{height}, {num_frames} frames: try a smaller "
                "size or fewer frames.",
            ) from exc
        except Exception as exc:
            log.exception("local Wan generation failed")
            raise ProviderError("engine_error", f"The local Wan engine failed: {exc}") from exc
        if ctx.cancelled():  # interrupted: the frames are half-denoised, don't keep them
            raise JobCancelled()
        return np.asarray(out.frames[0])
