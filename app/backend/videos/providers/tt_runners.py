"""What each tt-media-server video runner makes, by the name its `/tt-liveness` answers in
`runner_in_use` (tenstorrent/tt-inference-server, tt-media-server at its August 2026 head).

Read from the server's own code: `config/constants.py` (runner names, the I2V-only set, the
forced step counts of Distill / Lightning / AniSora, Wan 2.2's 81 frames at 720p on a Galaxy
mesh), `domain/video_generate_request.py` (steps 4..50, `aspect_ratio`, `duration_seconds`),
`tt_model_runners/dit_runners.py` (Prodia I2V keeps only its lowest-`frame_pos` image; LTX-2.3
distilled writes a 1920x1088, 145-frame, 24 fps h264 + AAC MP4 and ignores the steps) and
`tt_model_runners/minimax_h3_policy.py` (MiniMax-H3 t2va: six aspect ratios, 4..15 s, 50 steps,
a soundtrack). Wan 2.2 exports at 16 fps (`utils/video_manager.py`).

A name not listed here still works: it gets `UNKNOWN`'s shape (the studio's long-standing
assumptions: text to video, 1280x720, 5 s at 16 fps, steps 4..50), with the operator's
`CLOUD_VIDEO_GENERATION_*` settings applied, and is shown as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

WAN_STEPS = (4, 50)  # tt-media-server's MIN/MAX_VIDEO_INFERENCE_STEPS
WAN_DEFAULT_STEPS = 12  # the studio's (and the seed endpoint's) default; the server's own is 20
MINIMAX_RATIOS = ("21:9", "16:9", "4:3", "1:1", "3:4", "9:16")
MINIMAX_SECONDS = tuple(range(4, 16))  # every whole second the server accepts; 5 by default


@dataclass(frozen=True)
class RunnerProfile:
    """One runner's shape. `aspect_ratios`/`durations` empty: the runner makes one fixed shape
    (`size`, `seconds`) and the fields are never sent."""

    runner: str
    label: str
    known: bool = True
    text: bool = True  # makes a video from a prompt alone
    image: bool = False  # takes a first-frame image (POST {URL}/i2v)
    last_frame: bool = False  # takes a last-frame image too (a second image_prompts entry)
    size: tuple[int, int] = (1280, 720)
    seconds: int = 5
    fps: int = 16
    aspect_ratios: tuple[str, ...] = ()
    durations: tuple[int, ...] = ()
    steps_range: tuple[int, int] = WAN_STEPS
    default_steps: int = WAN_DEFAULT_STEPS
    sound: bool = False  # its MP4s carry an AAC soundtrack

    def modes(self) -> str:
        """t2v, i2v or both (the CLOUD_VIDEO_GENERATION_MODES vocabulary)."""
        if self.text and self.image:
            return "both"
        return "i2v" if self.image else "t2v"


def _wan_i2v(runner: str, label: str, *, last_frame: bool = True, steps: int | None = None) -> RunnerProfile:
    forced = (steps, steps) if steps is not None else WAN_STEPS
    return RunnerProfile(
        runner,
        label,
        text=False,  # the server refuses a text-only request with 422 (I2V_MODEL_RUNNERS)
        image=True,
        last_frame=last_frame,
        steps_range=forced,
        default_steps=steps if steps is not None else WAN_DEFAULT_STEPS,
    )


CATALOG: dict[str, RunnerProfile] = {
    p.runner: p
    for p in (
        RunnerProfile("tt-wan2.2", "Wan 2.2 T2V"),
        RunnerProfile("tt-wan2.2-t2v-prodia", "Wan 2.2 T2V (Prodia)"),
        _wan_i2v("tt-wan2.2-i2v", "Wan 2.2 I2V"),
        # Prodia's distilled pipeline keeps the lowest frame_pos image only: no last frame.
        _wan_i2v("tt-wan2.2-i2v-prodia", "Wan 2.2 I2V (Prodia)", last_frame=False),
        _wan_i2v("tt-wan2.2-i2v-anisora", "Wan 2.2 I2V AniSora", steps=8),
        _wan_i2v("tt-wan2.2-i2v-distill", "Wan 2.2 I2V Distill (LightX2V)", steps=4),
        _wan_i2v("tt-wan2.2-i2v-lora", "Wan 2.2 I2V LoRA"),
        _wan_i2v("tt-wan2.2-i2v-lightning", "Wan 2.2 I2V Lightning", steps=4),
        RunnerProfile(
            "tt-ltx-2.3-distilled",
            "LTX-2.3 distilled (video + sound)",
            size=(1920, 1088),
            seconds=6,  # 145 frames at 24 fps
            fps=24,
            steps_range=(8, 8),  # the distilled schedule; the runner ignores num_inference_steps
            default_steps=8,
            sound=True,
        ),
        RunnerProfile(
            "tt-minimax-h3-t2va",
            "MiniMax-H3 t2va (video + sound)",
            fps=24,
            aspect_ratios=MINIMAX_RATIOS,
            durations=MINIMAX_SECONDS,
            steps_range=(50, 50),  # every shape is warmed at 50 steps
            default_steps=50,
            sound=True,
        ),
    )
}

UNKNOWN = RunnerProfile("", "tt-media-server (runner not known)", known=False)


def profile_for(runner: str | None) -> RunnerProfile:
    """The runner's profile; an unknown (or absent) name gets UNKNOWN's shape under its own name."""
    name = (runner or "").strip()
    found = CATALOG.get(name)
    if found is not None:
        return found
    label = f"tt-media-server runner {name[:60]!r} (not known to the studio)" if name else UNKNOWN.label
    return replace(UNKNOWN, runner=name[:80], label=label)


def configured_profile(
    *,
    modes: str,
    aspect_ratios: tuple[str, ...] = (),
    durations: tuple[int, ...] = (),
    steps_range: tuple[int, int] = WAN_STEPS,
    runner: str | None = None,
) -> RunnerProfile:
    """The profile of an upstream that does not say what it runs (no `/tt-liveness`, or a runner
    the catalog does not know): UNKNOWN's shape with the operator's settings."""
    base = profile_for(runner)
    low, high = steps_range
    return replace(
        base,
        text=modes in ("t2v", "both"),
        image=modes in ("i2v", "both"),
        last_frame=modes in ("i2v", "both"),
        aspect_ratios=tuple(aspect_ratios),
        durations=tuple(durations),
        seconds=5 if not durations or 5 in durations else durations[0],
        steps_range=(low, high),
        default_steps=min(max(WAN_DEFAULT_STEPS, low), high),
    )
