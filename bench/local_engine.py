#!/usr/bin/env python3
"""Seconds per denoising step of the local Wan engine's transformer: eager vs faster setups.

One denoising step of the Wan pipelines is two transformer forwards (prompt and negative
prompt, for classifier-free guidance) on the same latents; the scheduler step and the
text encoder are noise next to them. This times exactly that, for several configurations
measured in the same run on the same random inputs, and prints each one's time as a
ratio against the eager baseline, with its largest deviation from the baseline's output
(a faster setup that changes the picture is no win).

Configurations:
  eager            fp32, attention as plain matmul-softmax-matmul (SDPA's math kernel)
  sdpa             fp32, PyTorch's fused scaled_dot_product_attention (diffusers' default)
  sdpa+cl          sdpa with channels-last-3d memory format for the patch-embedding conv
  sdpa+compile     sdpa with torch.compile on the repeated transformer blocks
  bf16 ...         the same in bfloat16 (on CUDA by default; on CPU with --bf16)

Architectures (random weights: step time depends on shapes, not on weight values):
  tiny     the 2-layer model the tests use (default; CPU, a few minutes on 2 cores)
  ti2v-5b  the real Wan2.2 TI2V-5B transformer (30 layers, 24x128 heads, 5B parameters);
           for GPU machines, at its native 1280x704, 121 frames by default

Usage:
  python bench/local_engine.py                       # tiny, CPU
  python bench/local_engine.py --arch ti2v-5b        # on a GPU machine
  python bench/local_engine.py --arch ti2v-5b --layers 1 --width 320 --height 192 --frames 17
Needs the optional extra: pip install -r app/backend/requirements-local.txt
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app" / "backend"))

import torch  # noqa: E402

from videos.providers import wan_tiny  # noqa: E402


@dataclass(frozen=True)
class Config:
    name: str
    dtype: torch.dtype
    backend: str  # diffusers attention backend
    channels_last: bool = False
    compile: bool = False


@dataclass
class Result:
    config: Config
    step_s: list[float]
    max_dev: float | None = None
    skipped: str | None = None
    compile_s: float = 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.step_s)


def build_model(arch: str, layers: int | None, device: torch.device) -> tuple[Any, dict[str, int]]:
    """The transformer with random weights, and the shapes its inputs need."""
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    if arch == "tiny":
        model = wan_tiny.tiny_transformer(16)
        shapes = {"channels": 16, "spatial": 8, "text_dim": 32, "text_len": 512, "expand": 0}
    else:
        cfg = dict(wan_tiny.TI2V_5B_TRANSFORMER)
        if layers:
            cfg["num_layers"] = layers
        with torch.device(device):  # initialise on the GPU: 5B params on CPU take minutes
            model = WanTransformer3DModel(**cfg)
        shapes = {
            "channels": cfg["in_channels"],
            "spatial": wan_tiny.TI2V_5B_VAE_SPATIAL,
            "text_dim": cfg["text_dim"],
            "text_len": wan_tiny.TI2V_5B_TEXT_TOKENS,
            "expand": 1,  # TI2V passes one timestep per token (expand_timesteps)
        }
    return model.eval().to(device), shapes


def make_inputs(
    shapes: dict[str, int], width: int, height: int, frames: int, device: torch.device
) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    lat_f, lat_h, lat_w = (frames - 1) // 4 + 1, height // shapes["spatial"], width // shapes["spatial"]
    latents = torch.randn(1, shapes["channels"], lat_f, lat_h, lat_w, generator=g)
    text = torch.randn(1, shapes["text_len"], shapes["text_dim"], generator=g)
    neg = torch.randn(1, shapes["text_len"], shapes["text_dim"], generator=g)
    if shapes["expand"]:
        timestep = torch.full((1, lat_f * (lat_h // 2) * (lat_w // 2)), 500.0)
    else:
        timestep = torch.tensor([500.0])
    return {
        "latents": latents.to(device),
        "text": text.to(device),
        "neg": neg.to(device),
        "timestep": timestep.to(device),
    }


def attention_matrix_gib(model: Any, inputs: dict[str, torch.Tensor]) -> float:
    """Memory the math kernel needs for one attention matrix (tokens^2 x heads, fp32)."""
    _, _, f, h, w = inputs["latents"].shape
    tokens = f * (h // 2) * (w // 2)
    return tokens * tokens * model.config.num_attention_heads * 4 / 2**30


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def run_config(
    base: Any,
    cfg: Config,
    inputs: dict[str, torch.Tensor],
    device: torch.device,
    steps: int,
    warmup: int,
    reference: torch.Tensor | None,
) -> tuple[Result, torch.Tensor]:
    import copy

    model = copy.deepcopy(base).to(dtype=cfg.dtype)
    if cfg.dtype != torch.float32:
        # As from_pretrained(dtype=...) does: norms, rope and time embedding stay fp32.
        for name, module in model.named_modules():
            if any(k in name.split(".") for k in model._keep_in_fp32_modules):
                module.to(torch.float32)
    model.set_attention_backend(cfg.backend)
    if cfg.channels_last:
        # Only the patch-embedding Conv3d sees 5-D activations; everything after is tokens.
        model.patch_embedding.to(memory_format=torch.channels_last_3d)
    latents = inputs["latents"].to(cfg.dtype)
    if cfg.channels_last:
        latents = latents.contiguous(memory_format=torch.channels_last_3d)
    text, neg = inputs["text"].to(cfg.dtype), inputs["neg"].to(cfg.dtype)
    timestep = inputs["timestep"]

    def step() -> torch.Tensor:
        # One CFG denoising step: conditional and unconditional forward, then guidance.
        cond = model(latents, timestep, text, return_dict=False)[0]
        uncond = model(latents, timestep, neg, return_dict=False)[0]
        return uncond + 5.0 * (cond - uncond)

    compile_s = 0.0
    with torch.inference_mode():
        if cfg.compile:
            model.compile_repeated_blocks(fullgraph=True)
            t0 = time.perf_counter()
            step()  # the first call compiles
            sync(device)
            compile_s = time.perf_counter() - t0
        for _ in range(warmup):
            step()
        sync(device)
        times: list[float] = []
        out = None
        for _ in range(steps):
            t0 = time.perf_counter()
            out = step()
            sync(device)
            times.append(time.perf_counter() - t0)
    assert out is not None
    out = out.float().cpu()
    dev = None if reference is None else float((out - reference).abs().max() / reference.abs().max())
    del model
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return Result(cfg, times, dev, compile_s=compile_s), out


def configs_for(device: torch.device, bf16: bool, no_compile: bool) -> list[Config]:
    f32 = torch.float32
    out = [
        Config("eager fp32 (math attention)", f32, "_native_math"),
        Config("sdpa fp32", f32, "native"),
        Config("sdpa fp32 + channels-last", f32, "native", channels_last=True),
    ]
    if not no_compile:
        out.append(Config("sdpa fp32 + compile", f32, "native", compile=True))
    if bf16:
        b16 = torch.bfloat16
        out += [
            Config("sdpa bf16", b16, "native"),
            Config("sdpa bf16 + channels-last", b16, "native", channels_last=True),
        ]
        if not no_compile:
            out.append(Config("sdpa bf16 + compile", b16, "native", compile=True))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=("tiny", "ti2v-5b"), default="tiny")
    p.add_argument("--device", default="auto", help="auto (CUDA if present), cpu, cuda, cuda:1")
    p.add_argument("--width", type=int, help="default: 832 (tiny), 1280 (ti2v-5b)")
    p.add_argument("--height", type=int, help="default: 480 (tiny), 704 (ti2v-5b)")
    p.add_argument("--frames", type=int, help="default: 17 (tiny), 121 (ti2v-5b); 4k+1")
    p.add_argument("--layers", type=int, help="override the layer count (smoke runs of ti2v-5b)")
    p.add_argument("--steps", type=int, default=3, help="timed steps per configuration")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--bf16", action="store_true", help="also bf16 rows on CPU (always on CUDA)")
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile rows")
    p.add_argument("--max-math-gib", type=float, default=24.0,
                   help="skip the eager math-attention row when its attention matrix is larger")
    args = p.parse_args(argv)

    device = torch.device(
        ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    )
    big = args.arch == "ti2v-5b"
    width = args.width or (1280 if big else 832)
    height = args.height or (704 if big else 480)
    frames = args.frames or (121 if big else 17)
    if (frames - 1) % 4:
        p.error("--frames must be 4k+1")

    model, shapes = build_model(args.arch, args.layers, device)
    mult = shapes["spatial"] * 2
    if width % mult or height % mult:
        p.error(f"width and height must be multiples of {mult} for {args.arch}")
    inputs = make_inputs(shapes, width, height, frames, device)
    n = sum(t.numel() for t in model.parameters())
    params = f"{n / 1e9:.2f}B" if n >= 1e8 else f"{n / 1e6:.2f}M"
    tokens = inputs["timestep"].shape[-1] if shapes["expand"] else (
        ((frames - 1) // 4 + 1) * (height // shapes["spatial"] // 2) * (width // shapes["spatial"] // 2)
    )
    hw = torch.cuda.get_device_name(device) if device.type == "cuda" else (
        f"CPU, {torch.get_num_threads()} threads (of {len(os.sched_getaffinity(0))} cores)"
    )
    print(f"arch {args.arch}{f' ({args.layers} layers)' if args.layers else ''}: "
          f"{params} params; {width}x{height}, {frames} frames -> {tokens} video tokens")
    print(f"device {hw}; torch {torch.__version__}; {args.steps} timed steps after "
          f"{args.warmup} warm-up; one step = 2 transformer forwards (CFG)\n")

    results: list[Result] = []
    reference: torch.Tensor | None = None
    for cfg in configs_for(device, args.bf16 or device.type == "cuda", args.no_compile):
        if cfg.backend == "_native_math" and attention_matrix_gib(model, inputs) > args.max_math_gib:
            gib = attention_matrix_gib(model, inputs)
            results.append(Result(cfg, [], skipped=f"attention matrix {gib:.0f} GiB"))
            continue
        print(f"  running {cfg.name} ...", flush=True)
        try:
            res, out = run_config(model, cfg, inputs, device, args.steps, args.warmup, reference)
        except Exception as exc:  # e.g. compile without a C compiler: report, keep going
            results.append(Result(cfg, [], skipped=f"{type(exc).__name__}: {exc}"[:80]))
            continue
        if reference is None:
            reference = out
        results.append(res)

    ran = [r for r in results if not r.skipped]
    if not ran:
        print("nothing ran")
        return 1
    base = ran[0]
    print(f"\n{'configuration':34} {'s/step':>9} {'vs ' + 'baseline':>12} {'rel dev':>9} {'compile s':>10}")
    print("-" * 78)
    for r in results:
        if r.skipped:
            print(f"{r.config.name:34} {'skipped: ' + r.skipped}")
            continue
        dev = "ref" if r is base else f"{r.max_dev:.1e}"
        comp = f"{r.compile_s:.1f}" if r.config.compile else ""
        print(f"{r.config.name:34} {r.median:9.4f} {base.median / r.median:11.2f}x {dev:>9} {comp:>10}")
    best = min(ran, key=lambda r: r.median)
    print(f"\nbaseline: {base.config.name}, {base.median:.4f} s/step")
    print(f"fastest:  {best.config.name}, {best.median:.4f} s/step "
          f"= {base.median / best.median:.2f}x faster than the baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())
