"""The `local` engine keeps each module's dtype across the pipelines it derives.

On CUDA the provider loads the transformer and text encoder in bf16 and the VAE in fp32
(LOCAL_WAN_DTYPE=auto). Image-to-video (TI2V-5B) and edit pipelines are built over the loaded
modules; building them must not cast those modules (diffusers' `from_pipe` casts them all to
fp32). Checked on CPU with an explicit bf16, the same dtype mix as on a GPU.

Run: cd app/backend && python -m pytest tests/test_local_wan_dtype.py -q
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.wan_tiny import Kind, save_tiny_pipeline
from videos.providers.base import GenerationRequest, NullContext
from videos.providers.local_wan.engine import LocalWanProvider


def dtypes(pipe: Any) -> dict[str, str]:
    """The dtype each module computes in (the transformer keeps a few norms in fp32)."""
    return {
        "transformer": str(pipe.transformer.patch_embedding.weight.dtype),
        "text_encoder": str(next(pipe.text_encoder.parameters()).dtype),
        "vae": str(next(pipe.vae.parameters()).dtype),
    }


BF16 = {"transformer": "torch.bfloat16", "text_encoder": "torch.bfloat16", "vae": "torch.float32"}


def req(**kw: Any) -> GenerationRequest:
    base: dict[str, Any] = dict(
        prompt="a red cat runs on the beach", num_inference_steps=2, width=64, height=32, num_frames=5, seed=7
    )
    base.update(kw)
    return GenerationRequest(**base)


@pytest.mark.parametrize("kind", ["t2v", "ti2v"])
def test_derived_pipelines_keep_bf16_modules_and_fp32_vae(kind: Kind, tmp_path: Path) -> None:
    from PIL import Image

    provider = LocalWanProvider(str(save_tiny_pipeline(tmp_path / kind, kind)), device="cpu", dtype="bf16")
    provider.generate(req(), tmp_path / "t2v.mp4", NullContext())
    assert dtypes(provider.loader.pipes["t2v"]) == BF16
    if kind == "ti2v":  # text and image to video from one folder: the i2v pipeline over t2v's modules
        image = tmp_path / "red.png"
        Image.new("RGB", (64, 32), (220, 30, 30)).save(image)
        provider.generate(req(image_path=image), tmp_path / "i2v.mp4", NullContext())
    provider.generate(
        req(operation="edit", video_path=tmp_path / "t2v.mp4", num_inference_steps=3),
        tmp_path / "edit.mp4",
        NullContext(),
    )
    modes = {"t2v", "v2v"} | ({"i2v"} if kind == "ti2v" else set())
    assert set(provider.loader.pipes) == modes
    for mode in modes:
        assert dtypes(provider.loader.pipes[mode]) == BF16, mode
    assert provider.loader.pipes["v2v"].transformer is provider.loader.pipes["t2v"].transformer  # shared, not copied
    if kind == "ti2v":
        assert provider.loader.pipes["i2v"].config.expand_timesteps  # TI2V's per-token timesteps carried over
    from videos.files.media import read_frames

    frames, _ = read_frames(tmp_path / "edit.mp4")
    assert frames.shape == (5, 32, 64, 3) and np.std(frames) > 0
