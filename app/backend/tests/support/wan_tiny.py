"""Tiny random Wan pipelines built in code, for tests and the benchmark.

No model hub is reachable on the studio's machines, so the `local` engine's loading and
generation code is exercised on pipelines made here: the same classes and layout as the
real Wan 2.1 / 2.2 Diffusers repos (model_index.json plus one folder per component), with
random weights and dimensions small enough to run a few denoising steps on a CPU in
well under a second. The shapes follow diffusers' own Wan pipeline tests.

Needs the optional extra (requirements-local.txt); the provider never imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, cast

import torch

Kind = Literal["t2v", "ti2v", "i2v"]

# Wan2.2 TI2V-5B transformer, as in its Diffusers conversion (transformer/config.json).
# Used by the benchmark: step time depends on shapes, not on weight values.
TI2V_5B_TRANSFORMER: dict[str, Any] = {
    "patch_size": (1, 2, 2),
    "num_attention_heads": 24,
    "attention_head_dim": 128,
    "in_channels": 48,
    "out_channels": 48,
    "text_dim": 4096,
    "freq_dim": 256,
    "ffn_dim": 14336,
    "num_layers": 30,
    "cross_attn_norm": True,
    "qk_norm": "rms_norm_across_heads",
    "eps": 1e-6,
    "rope_max_seq_len": 1024,
}
TI2V_5B_VAE_SPATIAL = 16  # Wan2.2 VAE: 16x spatial compression, 4x temporal, 48 channels
TI2V_5B_TEXT_TOKENS = 512  # the pipeline pads prompts to max_sequence_length=512

# Tiny transformer: two heads of 12, two layers. in/out channels set per kind below.
_TINY_TRANSFORMER: dict[str, Any] = {
    "patch_size": (1, 2, 2),
    "num_attention_heads": 2,
    "attention_head_dim": 12,
    "text_dim": 32,  # = the tiny T5's d_model
    "freq_dim": 256,
    "ffn_dim": 32,
    "num_layers": 2,
    "cross_attn_norm": True,
    "qk_norm": "rms_norm_across_heads",
    # As the real models: rotary positions for up to 1024 patches a side, so the tiny
    # model runs at the provider's default 832x480 too (diffusers' tests use 32).
    "rope_max_seq_len": 1024,
}

_WORDS = [
    "a",
    "an",
    "the",
    "of",
    "on",
    "in",
    "at",
    "with",
    "and",
    "low",
    "quality",
    "blurry",
    "video",
    "cat",
    "dog",
    "bird",
    "fish",
    "runs",
    "flies",
    "swims",
    "jumps",
    "beach",
    "sea",
    "sky",
    "red",
    "blue",
    "green",
    "volcano",
    "mountain",
    "city",
    "night",
    "day",
    "sun",
    "rain",
    "snow",
]


def tiny_vocab() -> list[tuple[str, float]]:
    """A small unigram vocabulary: special tokens, whole words, then single characters.

    Characters keep every prompt encodable (no `<unk>` storms); scores make the unigram
    model prefer whole words.
    """
    vocab: list[tuple[str, float]] = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [(f"\u2581{w}", -1.0 - i * 0.01) for i, w in enumerate(_WORDS)]
    vocab += [("\u2581", -5.0)]
    vocab += [(c, -10.0) for c in "abcdefghijklmnopqrstuvwxyz0123456789.,'!?-"]
    return vocab


def tiny_text_stack() -> tuple[Any, Any]:
    """(tokenizer, text_encoder): a T5 tokenizer from a vocab list and a 2-layer UMT5 encoder.

    UMT5 is what the real Wan repos ship (umt5-xxl); the tokenizer is the same T5 kind.
    """
    from transformers import T5Tokenizer, UMT5Config, UMT5EncoderModel

    tokenizer = T5Tokenizer(vocab=tiny_vocab(), extra_ids=0)
    config = UMT5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=8,
        d_ff=37,
        num_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        pad_token_id=0,
        eos_token_id=1,
    )
    torch.manual_seed(0)
    return tokenizer, UMT5EncoderModel(config).eval()


def build_tiny_pipeline(kind: Kind = "t2v") -> Any:
    """A random pipeline of one of three layouts the provider must handle.

    - "t2v":  Wan 2.1 text-to-video (WanPipeline, 16-channel VAE, 8x spatial).
    - "ti2v": Wan 2.2 TI2V-5B (WanPipeline with expand_timesteps, 48-channel VAE with
              patchify, 16x spatial): text-to-video and image-to-video from one folder.
    - "i2v":  Wan 2.2 I2V-style (WanImageToVideoPipeline, no CLIP image encoder): image only.
    """
    from diffusers import (
        AutoencoderKLWan,
        UniPCMultistepScheduler,
        WanImageToVideoPipeline,
        WanPipeline,
        WanTransformer3DModel,
    )

    torch.manual_seed(0)
    if kind == "ti2v":
        vae = AutoencoderKLWan(
            base_dim=3,
            z_dim=48,
            in_channels=12,
            out_channels=12,
            is_residual=True,
            patch_size=2,
            latents_mean=[0.0] * 48,
            latents_std=[1.0] * 48,
            dim_mult=[1, 1, 1, 1],
            num_res_blocks=1,
            scale_factor_spatial=16,
            scale_factor_temporal=4,
            temperal_downsample=[False, True, True],
        )
        channels_in, channels_out = 48, 48
    else:
        vae = AutoencoderKLWan(
            base_dim=3,
            z_dim=16,
            dim_mult=[1, 1, 1, 1],
            num_res_blocks=1,
            temperal_downsample=[False, True, True],
        )
        # i2v concatenates 16 noise + 4 mask + 16 image-latent channels
        channels_in, channels_out = (36, 16) if kind == "i2v" else (16, 16)

    # The scheduler the real Wan Diffusers repos ship.
    scheduler = UniPCMultistepScheduler(prediction_type="flow_prediction", use_flow_sigmas=True, flow_shift=3.0)
    tokenizer, text_encoder = tiny_text_stack()
    torch.manual_seed(0)
    transformer = cast(
        Any, WanTransformer3DModel(in_channels=channels_in, out_channels=channels_out, **_TINY_TRANSFORMER)
    )
    transformer.eval()  # diffusers' models are torch modules; its stubs do not say so

    common = dict(
        tokenizer=tokenizer,
        text_encoder=text_encoder,
        vae=cast(Any, vae).eval(),
        scheduler=scheduler,
        transformer=transformer,
        transformer_2=None,
    )
    if kind == "i2v":
        return WanImageToVideoPipeline(image_processor=None, image_encoder=None, **common)
    return WanPipeline(expand_timesteps=(kind == "ti2v"), **common)


def save_tiny_pipeline(dest: Path, kind: Kind = "t2v") -> Path:
    """Write a tiny pipeline in the Diffusers folder layout (safetensors) and return `dest`."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    build_tiny_pipeline(kind).save_pretrained(str(dest), safe_serialization=True)
    return dest


def tiny_transformer(in_channels: int = 16) -> Any:
    """The tiny transformer alone (benchmark's default architecture)."""
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    return cast(
        Any, WanTransformer3DModel(in_channels=in_channels, out_channels=in_channels, **_TINY_TRANSFORMER)
    ).eval()
