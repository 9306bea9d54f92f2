"""Choosing the local engine's device and dtype, and loading its diffusers pipelines once.

torch and diffusers are the optional extra: they are imported when a pipeline is first
needed, so the studio lists the engine (not ready) on a core install.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from videos.providers.base import ProviderError
from videos.providers.local_wan.folder import ModelInfo

log = logging.getLogger("videos.providers.local_wan.engine")

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


def _over(cls: Any, base: Any) -> Any:
    """A `cls` pipeline over `base`'s modules (no extra memory), each left in its own dtype.

    What diffusers' `from_pipe` does, less its last line: it casts the new pipeline, so the
    shared modules in place, to one dtype (fp32 when none is given). That turned a bf16
    transformer and text encoder into fp32 for the rest of the process at the first
    image-to-video or edit job (twice the GPU memory, or out of it; several times slower
    steps), and any single dtype given would take the VAE out of fp32 instead.
    """
    import inspect

    params = inspect.signature(cls.__init__).parameters
    kwargs = {k: v for k, v in base.components.items() if k in params}
    # Settings of the pipeline (expand_timesteps, boundary_ratio) that `cls` takes too.
    kwargs.update({k: v for k, v in base.config.items() if k in params and k not in kwargs})
    return cls(**kwargs)


def _video_to_video(base: Any) -> Any:
    from diffusers import WanVideoToVideoPipeline
    from diffusers.video_processor import VideoProcessor

    pipe = _over(WanVideoToVideoPipeline, base)
    # diffusers' video-to-video pipeline derives the VAE's spatial factor as 8 from its
    # downsampling stages; Wan 2.2's VAE (TI2V-5B) patchifies too and compresses 16x.
    # Take the factor the text-to-video pipeline read from the VAE's config.
    factor = int(getattr(base, "vae_scale_factor_spatial", pipe.vae_scale_factor_spatial))
    if factor != pipe.vae_scale_factor_spatial:
        pipe.vae_scale_factor_spatial = factor
        pipe.video_processor = VideoProcessor(vae_scale_factor=factor)
    return pipe


class PipelineLoader:
    """The pipelines of one model folder: "t2v" / "i2v" / "v2v", loaded on first use and kept."""

    def __init__(self, device: str = "auto", dtype: str = "auto") -> None:
        self.device = (device or "auto").strip().lower()
        self.dtype = (dtype or "auto").strip().lower()
        self._load_lock = threading.Lock()  # one load at a time; later callers wait for it
        self.pipes: dict[str, Any] = {}  # mode -> pipeline for self._loaded_from
        self._loaded_from: Path | None = None

    def dtype_name(self) -> str | None:
        """The configured dtype's torch name, None for auto; not_configured if unknown."""
        if self.dtype == "auto":
            return None
        if self.dtype not in _DTYPES:
            raise ProviderError(
                "not_configured",
                f"LOCAL_WAN_DTYPE={self.dtype!r} is not one of auto, bf16, fp16, fp32.",
            )
        return _DTYPES[self.dtype]

    def device_and_dtype(self) -> tuple[Any, Any]:
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
        name = self.dtype_name()
        if name is None:  # bf16 where the hardware has it; CPU bf16 matmuls are slow
            name = "bfloat16" if device.type == "cuda" else "float32"
        return device, getattr(torch, name)

    def pipeline(self, info: ModelInfo, mode: str) -> Any:
        """The cached pipeline for mode "t2v", "i2v" or "v2v", loading it on first use."""
        with self._load_lock:
            if self._loaded_from != info.folder:  # the model folder changed: drop the old one
                self.pipes.clear()
                self._loaded_from = None
            if mode in self.pipes:
                return self.pipes[mode]
            import torch
            from diffusers import WanImageToVideoPipeline, WanPipeline

            device, dtype = self.device_and_dtype()
            cls = WanPipeline if info.pipeline_class == "WanPipeline" else WanImageToVideoPipeline
            base = self.pipes.get("t2v") or self.pipes.get("i2v")
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
                self.pipes["i2v" if cls is WanImageToVideoPipeline else "t2v"] = base
            if mode not in self.pipes:
                # Over the same modules (no extra memory): TI2V-5B's image-to-video pipeline, or
                # the video-to-video pipeline of a text-to-video model.
                pipe = _video_to_video(base) if mode == "v2v" else _over(WanImageToVideoPipeline, base)
                pipe.set_progress_bar_config(disable=True)
                self.pipes[mode] = pipe
            return self.pipes[mode]
