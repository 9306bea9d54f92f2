#!/usr/bin/env python3
"""Seconds per denoising step of the local Wan engine's transformer: eager vs faster setups.

(A standalone script, so its setups, timing and report live in one file.)

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
Needs the optional extra (docs/local-engine.md): pip install --no-deps torch==2.13.0 &&
pip install --require-hashes -r app/backend/requirements-local.lock
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "app" / "backend"))

import torch

from tests.support import wan_tiny


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


def prepare(
    base: Any,
    cfg: Config,
    inputs: dict[str, torch.Tensor],
    shared: dict[torch.dtype, Any],
) -> Callable[[], torch.Tensor]:
    """A closure running one CFG denoising step under `cfg`.

    Configurations of one dtype share the weight tensors (a GPU holds the 5B model once
    per dtype, not once per row); each gets its own modules, so its own attention backend
    and compile state.
    """
    import copy

    if cfg.dtype not in shared and cfg.dtype == base.dtype:
        shared[cfg.dtype] = base
    if cfg.dtype not in shared:
        cast = copy.deepcopy(base).to(dtype=cfg.dtype)
        if cfg.dtype != torch.float32:
            # As from_pretrained(dtype=...) does: norms, rope and time embedding stay fp32.
            for name, module in cast.named_modules():
                if any(k in name.split(".") for k in cast._keep_in_fp32_modules):
                    module.to(torch.float32)
        shared[cfg.dtype] = cast
    source = shared[cfg.dtype]
    memo = {id(t): t for t in [*source.parameters(), *source.buffers()]}
    if cfg.channels_last:  # this row re-lays its conv weight: give it its own copy
        for t in source.patch_embedding.parameters():
            memo.pop(id(t), None)
    model = copy.deepcopy(source, memo)
    model.set_attention_backend(cfg.backend)
    latents = inputs["latents"].to(cfg.dtype)
    if cfg.channels_last:
        # Only the patch-embedding Conv3d sees 5-D activations; everything after is tokens.
        model.patch_embedding.to(memory_format=torch.channels_last_3d)
        latents = latents.contiguous(memory_format=torch.channels_last_3d)
    if cfg.compile:
        model.compile_repeated_blocks(fullgraph=True)  # diffusers' regional compile
    text, neg = inputs["text"].to(cfg.dtype), inputs["neg"].to(cfg.dtype)
    timestep = inputs["timestep"]

    def step() -> torch.Tensor:
        # One CFG denoising step: conditional and unconditional forward, then guidance.
        cond = model(latents, timestep, text, return_dict=False)[0]
        uncond = model(latents, timestep, neg, return_dict=False)[0]
        return uncond + 5.0 * (cond - uncond)

    return step


def run_all(
    base: Any,
    configs: list[Config],
    inputs: dict[str, torch.Tensor],
    device: torch.device,
    steps: int,
    warmup: int,
) -> list[Result]:
    """Time every configuration, interleaved step by step.

    Round-robin keeps the ratios fair on a shared or thermally drifting machine: a burst
    of load from elsewhere slows one step of every row, not all steps of one row.
    """
    results = [Result(c, []) for c in configs]
    runners: list[Callable[[], torch.Tensor] | None] = []
    shared: dict[torch.dtype, Any] = {}
    for res in results:
        try:
            runners.append(prepare(base, res.config, inputs, shared))
        except Exception as exc:
            res.skipped = f"{type(exc).__name__}: {exc}"[:80]
            runners.append(None)
    outputs: dict[int, torch.Tensor] = {}
    with torch.inference_mode():
        for rep in range(warmup + steps):
            kind = "warm-up (compiles)" if rep < warmup else "timed"
            print(f"  round {rep + 1}/{warmup + steps}, {kind}", flush=True)
            for i, (res, run) in enumerate(zip(results, runners, strict=False)):
                if run is None or res.skipped:
                    continue
                try:
                    t0 = time.perf_counter()
                    out = run()
                    sync(device)
                    elapsed = time.perf_counter() - t0
                except Exception as exc:  # e.g. compile without a C compiler: report it
                    res.skipped = f"{type(exc).__name__}: {exc}"[:80]
                    continue
                if rep == 0 and res.config.compile:
                    res.compile_s = elapsed  # the first call traces and compiles
                if rep >= warmup:
                    res.step_s.append(elapsed)
                outputs[i] = out.float().cpu()
    ref = next((outputs[i] for i, r in enumerate(results) if not r.skipped and i in outputs), None)
    for i, res in enumerate(results):
        if ref is not None and i in outputs and not res.skipped:
            res.max_dev = float((outputs[i] - ref).abs().max() / ref.abs().max())
    return results


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
    p.add_argument("--steps", type=int, default=5, help="timed steps per configuration")
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--bf16", action="store_true", help="also bf16 rows on CPU (always on CUDA)")
    p.add_argument("--no-compile", action="store_true", help="skip the torch.compile rows")
    p.add_argument(
        "--max-math-gib",
        type=float,
        default=24.0,
        help="skip the eager math-attention row when its attention matrix is larger",
    )
    args = p.parse_args(argv)

    device = torch.device(("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device)
    big = args.arch == "ti2v-5b"
    width = args.width or (1280 if big else 832)
    height = args.height or (704 if big else 480)
    frames = args.frames or (121 if big else 17)
    if (frames - 1) % 4:
        p.error("--frames must be 4k+1")
    if args.steps < 1:
        p.error("--steps must be at least 1")

    model, shapes = build_model(args.arch, args.layers, device)
    mult = shapes["spatial"] * 2
    if width % mult or height % mult:
        p.error(f"width and height must be multiples of {mult} for {args.arch}")
    inputs = make_inputs(shapes, width, height, frames, device)
    n = sum(t.numel() for t in model.parameters())
    params = f"{n / 1e9:.2f}B" if n >= 1e8 else f"{n / 1e6:.2f}M"
    tokens = (
        inputs["timestep"].shape[-1]
        if shapes["expand"]
        else (((frames - 1) // 4 + 1) * (height // shapes["spatial"] // 2) * (width // shapes["spatial"] // 2))
    )
    hw = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else (f"CPU, {torch.get_num_threads()} threads (of {len(os.sched_getaffinity(0))} cores)")
    )
    print(
        f"arch {args.arch}{f' ({args.layers} layers)' if args.layers else ''}: "
        f"{params} params; {width}x{height}, {frames} frames -> {tokens} video tokens"
    )
    print(
        f"device {hw}; torch {torch.__version__}; {args.steps} timed steps after "
        f"{args.warmup} warm-up; one step = 2 transformer forwards (CFG)\n"
    )

    configs = configs_for(device, args.bf16 or device.type == "cuda", args.no_compile)
    math_gib = attention_matrix_gib(model, inputs)
    too_big = [c for c in configs if c.backend == "_native_math" and math_gib > args.max_math_gib]
    results = run_all(model, [c for c in configs if c not in too_big], inputs, device, args.steps, args.warmup)
    results = [Result(c, [], skipped=f"attention matrix {math_gib:.0f} GiB") for c in too_big] + results

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
    print(
        f"fastest:  {best.config.name}, {best.median:.4f} s/step "
        f"= {base.median / best.median:.2f}x faster than the baseline"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
