"""The `local` Wan engine's extend and edit (issue 11), run for real on tiny random Wan
pipelines built in code (tests/support/wan_fixtures.py): which model kinds extend and which
edit, an extend is its source and the continuation, an edit keeps the source's length, size and
rate, and what a model cannot do is refused, saying why.

Run: cd app/backend && python -m pytest tests/test_local_wan_extend_edit.py -q -p no:django
Needs the optional extra (docs/local-engine.md), which the test run installs.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.wan_runs import STEPS, CancelAfter, decode, req
from videos.providers.base import GenerationRequest, JobCancelled, NullContext, ProviderError
from videos.providers.local_wan import engine
from videos.providers.local_wan.engine import LocalWanProvider
from videos.runner.operations import JOINING, make_video

pytest_plugins = ["tests.support.wan_fixtures"]  # t2v_dir, ti2v_dir, i2v_dir, t2v, ti2v, red_png


def preview_source(dest: Path, size: tuple[int, int], frames: int = 9, fps: int = 16) -> Path:
    """A source clip to extend or edit: the preview engine's, or flat colours at another fps."""
    from videos.files.media import encode_h264
    from videos.providers.preview import PreviewProvider

    if fps == 16:
        request = GenerationRequest(prompt="a red cat", seed=1, width=size[0], height=size[1], num_frames=frames)
        PreviewProvider().generate(request, dest, NullContext())
    else:
        encode_h264([np.full((size[1], size[0], 3), (20 * i, 90, 160), np.uint8) for i in range(frames)], dest, fps)
    return dest


def creative(operation: str, source: Path | None, **kw: Any) -> GenerationRequest:
    return replace(req(operation=operation, video_path=source, prompt="a blue bird flies in the sky"), **kw)


def test_capabilities_per_kind(t2v: LocalWanProvider, ti2v: LocalWanProvider, i2v_dir: Path, tmp_path: Path) -> None:
    i2v = LocalWanProvider(str(i2v_dir), device="cpu")
    # Text-to-video: edits, cannot extend. TI2V: both. Image-only: extends, cannot edit.
    assert (t2v.capabilities.video_to_video, t2v.capabilities.can_extend) == (True, False)
    assert (ti2v.capabilities.video_to_video, ti2v.capabilities.can_extend) == (True, True)
    assert (i2v.capabilities.video_to_video, i2v.capabilities.can_extend) == (False, True)
    # An image-only model says so, so a prompt alone is refused before it is queued.
    assert (t2v.capabilities.text_to_video, ti2v.capabilities.text_to_video, i2v.capabilities.text_to_video) == (
        True,
        True,
        False,
    )
    assert not any(p.capabilities.native_extend for p in (t2v, ti2v, i2v))
    # A two-expert Wan 2.2 A14B layout (transformer + transformer_2): no edit.
    experts = tmp_path / "a14b"
    shutil.copytree(t2v.model_path or "", experts)
    shutil.copytree(experts / "transformer", experts / "transformer_2")
    index = json.loads((experts / "model_index.json").read_text())
    assert index["transformer_2"] == [None, None]  # what the one-transformer folders say
    index["transformer_2"] = ["diffusers", "WanTransformer3DModel"]
    index["boundary_ratio"] = 0.875
    (experts / "model_index.json").write_text(json.dumps(index))
    a14b = LocalWanProvider(str(experts), device="cpu")
    assert a14b.status().ready is True and a14b.capabilities.video_to_video is False
    with pytest.raises(ProviderError) as err:
        a14b.generate(creative("edit", preview_source(tmp_path / "s.mp4", (48, 32))), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "A14B" in err.value.message and "cannot edit" in err.value.message


def test_extend_through_ti2v_is_source_plus_continuation(ti2v: LocalWanProvider, tmp_path: Path) -> None:
    source = preview_source(tmp_path / "source.mp4", (64, 64), frames=9)
    work = tmp_path / "job"
    work.mkdir()
    dest = work / "out.mp4"
    ctx = NullContext()
    make_video(ti2v, creative("extend", source, width=64, height=64, num_frames=5), dest, ctx)
    frames, facts = decode(dest)
    assert frames.shape == (9 + 5 - 1, 64, 64, 3) and facts["fps"] == 16.0
    assert sorted(p.name for p in work.iterdir()) == ["out.mp4"]  # scratch files removed
    steps = [p for p in ctx.progress if p > 0]
    assert steps == pytest.approx([100 * (i + 1) / STEPS for i in range(STEPS)])
    assert ctx.messages[-1] == JOINING
    src = decode(source)[0]
    assert np.abs(frames[:9].astype(np.int16) - src.astype(np.int16)).mean() < 6  # the source, kept


def test_extend_through_an_image_to_video_model(i2v_dir: Path, tmp_path: Path) -> None:
    provider = LocalWanProvider(str(i2v_dir), device="cpu")
    source = preview_source(tmp_path / "source.mp4", (48, 32), frames=5)
    dest = tmp_path / "out.mp4"
    make_video(
        provider,
        creative("extend", source, width=48, height=32, num_frames=9, num_inference_steps=2),
        dest,
        NullContext(),
    )
    assert decode(dest)[0].shape == (5 + 9 - 1, 32, 48, 3)


def test_extend_on_a_text_to_video_model_is_refused(t2v: LocalWanProvider, tmp_path: Path, red_png: Path) -> None:
    source = preview_source(tmp_path / "source.mp4", (48, 32))
    with pytest.raises(ProviderError) as err:
        make_video(t2v, creative("extend", source), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "cannot extend" in err.value.message
    # The engine says so too when asked directly (with the last frame, as make_video would).
    with pytest.raises(ProviderError) as err:
        t2v.generate(creative("extend", source, image_path=red_png), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "cannot extend" in err.value.message
    assert "TI2V" in err.value.message
    assert not (tmp_path / "o.mp4").exists()


def test_edit_through_t2v_keeps_length_size_and_rate(t2v: LocalWanProvider, tmp_path: Path) -> None:
    source = preview_source(tmp_path / "source.mp4", (48, 32), frames=9)
    dest, again = tmp_path / "edit.mp4", tmp_path / "again.mp4"
    ctx = NullContext()
    make_video(t2v, creative("edit", source, num_frames=9), dest, ctx)
    frames, facts = decode(dest)
    assert frames.shape == (9, 32, 48, 3) and facts["fps"] == 16.0
    # diffusers runs int(steps * strength) of the steps, from the source's noised latents.
    runs = int(STEPS * engine.EDIT_STRENGTH)
    assert [p for p in ctx.progress if p > 0] == pytest.approx([100 * (i + 1) / runs for i in range(runs)])
    src = decode(source)[0]
    assert np.abs(frames.astype(np.int16) - src.astype(np.int16)).mean() > 2  # changed
    make_video(t2v, creative("edit", source, num_frames=9), again, NullContext())
    assert np.array_equal(decode(again)[0], frames)  # same seed, same edit


def test_edit_length_is_the_sources_in_4k_plus_1_frames_at_its_rate(t2v: LocalWanProvider, tmp_path: Path) -> None:
    # 12 frames at 30 fps, no size or length asked: 9 frames (4k+1) at the source's size and rate.
    source = preview_source(tmp_path / "thirty.mp4", (64, 48), frames=12, fps=30)
    dest = tmp_path / "edit.mp4"
    make_video(
        t2v,
        creative("edit", source, width=None, height=None, num_frames=None, num_inference_steps=1),
        dest,
        NullContext(),
    )
    frames, facts = decode(dest)
    assert frames.shape == (9, 48, 64, 3) and facts["fps"] == 30.0
    make_video(
        t2v, creative("edit", source, width=None, height=None, num_frames=6, num_inference_steps=2), dest, NullContext()
    )
    assert decode(dest)[0].shape == (5, 48, 64, 3)


def test_edit_through_ti2v(ti2v: LocalWanProvider, tmp_path: Path) -> None:
    # Wan 2.2's VAE compresses 16x: the video-to-video pipeline is told so (it would assume 8x).
    source = preview_source(tmp_path / "source.mp4", (64, 32), frames=5)
    dest = tmp_path / "edit.mp4"
    make_video(ti2v, creative("edit", source, width=64, height=32, num_frames=5), dest, NullContext())
    assert decode(dest)[0].shape == (5, 32, 64, 3)


def test_edit_on_an_image_to_video_model_is_refused(i2v_dir: Path, tmp_path: Path) -> None:
    provider = LocalWanProvider(str(i2v_dir), device="cpu")
    source = preview_source(tmp_path / "source.mp4", (48, 32))
    with pytest.raises(ProviderError) as err:
        make_video(provider, creative("edit", source), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "cannot edit" in err.value.message
    with pytest.raises(ProviderError) as err:  # the engine itself, asked directly
        provider.generate(creative("edit", source), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "cannot edit" in err.value.message
    assert "image-to-video" in err.value.message
    assert not (tmp_path / "o.mp4").exists()


def test_edit_bad_sources_and_sizes(t2v: LocalWanProvider, tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video")
    odd = preview_source(tmp_path / "odd.mp4", (40, 24))  # not multiples of 16
    for request, needle in (
        (creative("edit", bad), "could not be read"),
        (creative("edit", odd, width=None, height=None), "multiple of 16"),
        (creative("edit", None), "source clip"),
    ):
        with pytest.raises(ProviderError) as err:
            t2v.generate(request, tmp_path / "o.mp4", NullContext())
        assert err.value.code == "invalid_request" and needle in err.value.message
    assert not (tmp_path / "o.mp4").exists()


def test_cancel_mid_edit_writes_nothing(t2v: LocalWanProvider, tmp_path: Path) -> None:
    source = preview_source(tmp_path / "source.mp4", (48, 32))
    dest = tmp_path / "edit.mp4"
    ctx = CancelAfter(1)
    with pytest.raises(JobCancelled):
        make_video(t2v, creative("edit", source, num_inference_steps=6), dest, ctx)
    assert len([p for p in ctx.progress if p > 0]) == 1 and not dest.exists()
