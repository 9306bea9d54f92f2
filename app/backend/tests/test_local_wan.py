"""The `local` Wan engine, run for real on tiny random Wan pipelines built in code.

Each pipeline is saved in the Diffusers folder layout and loaded back through the
provider's own loading code (no hub, nothing downloaded), then generates a few frames at
a tiny size; the MP4 it writes is decoded with PyAV and checked.

Run: cd app/backend && python -m pytest tests/test_local_wan.py -q -p no:django
Needs the optional extra (docs/local-engine.md), which the test run installs.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.wan_runs import STEPS, CancelAfter, decode, req
from tests.test_determinism import churn_heap, cpu_load
from videos.providers.base import JobCancelled, NullContext, ProviderError
from videos.providers.local_wan import engine
from videos.providers.local_wan.engine import LocalWanProvider, write_mp4

pytest_plugins = ["tests.support.wan_fixtures"]  # t2v_dir, ti2v_dir, i2v_dir, t2v, ti2v, red_png


class CancelSilently(NullContext):
    """A context whose report() never raises but whose cancelled() turns true mid-run:
    the provider must still stop (pipe._interrupt) and not write the half-made video."""

    def report(self, progress: float | None = None, message: str | None = None) -> None:
        if progress is not None:
            self.progress.append(progress)
            if progress > 0:
                self.cancel_requested = True

    def cancelled(self) -> bool:
        return self.cancel_requested


# --- configuration errors -------------------------------------------------------------


def test_missing_folder_is_not_ready_and_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    provider = LocalWanProvider(str(missing))
    status = provider.status()
    assert status.ready is False
    assert str(missing) in status.detail
    with pytest.raises(ProviderError) as err:
        provider.generate(req(), tmp_path / "out.mp4", NullContext())
    assert err.value.code == "not_configured"
    assert str(missing) in err.value.message and "LOCAL_WAN_MODEL_PATH" in err.value.message
    assert not (tmp_path / "out.mp4").exists()


def test_empty_folder_is_not_a_model(tmp_path: Path) -> None:
    provider = LocalWanProvider(str(tmp_path))
    assert provider.status().ready is False
    with pytest.raises(ProviderError) as err:
        provider.generate(req(), tmp_path / "out.mp4", NullContext())
    assert err.value.code == "not_configured"
    assert str(tmp_path) in err.value.message and "model_index.json" in err.value.message


def test_unset_model_path_says_which_setting(tmp_path: Path) -> None:
    status = LocalWanProvider(None).status()
    assert status.ready is False and "LOCAL_WAN_MODEL_PATH" in status.detail
    with pytest.raises(ProviderError) as err:
        LocalWanProvider("").generate(req(), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "not_configured"


def test_folder_without_weights_is_incomplete(t2v_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(t2v_dir, broken)
    for f in (broken / "transformer").glob("*.safetensors"):
        f.unlink()
    status = LocalWanProvider(str(broken)).status()
    assert status.ready is False
    assert "transformer" in status.detail and str(broken) in status.detail


def test_corrupt_weights_fail_to_load_with_a_clear_error(t2v_dir: Path, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt"
    shutil.copytree(t2v_dir, corrupt)
    for f in (corrupt / "transformer").glob("*.safetensors"):
        f.write_bytes(b"not a safetensors file")
    provider = LocalWanProvider(str(corrupt), device="cpu")
    assert provider.status().ready is True  # status stays cheap: it reads configs, not weights
    with pytest.raises(ProviderError) as err:
        provider.generate(req(), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "not_configured"
    assert "Could not load" in err.value.message and str(corrupt) in err.value.message


def test_unknown_dtype_is_not_ready(t2v_dir: Path) -> None:
    status = LocalWanProvider(str(t2v_dir), dtype="int3").status()
    assert status.ready is False and "LOCAL_WAN_DTYPE" in status.detail


def test_repo_id_resolves_from_the_hf_cache_only(
    t2v_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import huggingface_hub.constants as hf_constants

    cache = tmp_path / "hub"
    monkeypatch.setattr(hf_constants, "HF_HUB_CACHE", str(cache))
    # Not cached: not ready, and nothing is fetched.
    status = LocalWanProvider("acme/tiny-wan").status()
    assert status.ready is False and "not in the Hugging Face cache" in status.detail
    # Lay the folder out as the hub cache does (refs/main -> snapshots/<commit>).
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / "models--acme--tiny-wan"
    shutil.copytree(t2v_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    provider = LocalWanProvider("acme/tiny-wan", device="cpu")
    assert provider.status().ready is True
    dest = tmp_path / "cached.mp4"
    provider.generate(req(num_inference_steps=1), dest, NullContext())
    assert len(decode(dest)[0]) == 9


# --- request validation ---------------------------------------------------------------


@pytest.mark.parametrize("frames", [8, 10, 0, 245])
def test_num_frames_must_be_4k_plus_1(t2v: LocalWanProvider, tmp_path: Path, frames: int) -> None:
    with pytest.raises(ProviderError) as err:
        t2v.generate(req(num_frames=frames), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "4k+1" in err.value.message


@pytest.mark.parametrize(
    ("size", "needle"),
    [((50, 32), "multiple of 16"), ((48, 0), "multiple of 16"), ((4096, 32), "2048")],
)
def test_size_must_fit_the_model(t2v: LocalWanProvider, tmp_path: Path, size: tuple[int, int], needle: str) -> None:
    with pytest.raises(ProviderError) as err:
        t2v.generate(req(width=size[0], height=size[1]), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and needle in err.value.message


def test_other_bad_requests(t2v: LocalWanProvider, tmp_path: Path, red_png: Path) -> None:
    bad = [
        req(width=48, height=None),  # half a size
        req(num_inference_steps=0),
        req(num_inference_steps=101),
        req(prompt="   "),
        req(image_path=red_png),  # a text-to-video model takes no image
    ]
    for request in bad:
        with pytest.raises(ProviderError) as err:
            t2v.generate(request, tmp_path / "o.mp4", NullContext())
        assert err.value.code == "invalid_request", request
    assert not (tmp_path / "o.mp4").exists()


def test_ti2v_needs_multiples_of_32(ti2v: LocalWanProvider, tmp_path: Path) -> None:
    # Wan2.2's VAE compresses 16x and the transformer patches 2x2: 48 px is not enough.
    assert ti2v.capabilities.default_size == (1280, 704)
    with pytest.raises(ProviderError) as err:
        ti2v.generate(req(width=48, height=32), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "multiple of 32" in err.value.message


# --- generation -----------------------------------------------------------------------


def test_generates_an_h264_mp4_with_the_requested_shape(t2v: LocalWanProvider, tmp_path: Path) -> None:
    assert t2v.status().ready is True
    assert t2v.capabilities.image_to_video is False
    dest = tmp_path / "video.mp4"
    ctx = NullContext()
    t2v.generate(req(num_frames=9, width=48, height=32), dest, ctx)
    frames, facts = decode(dest)
    assert frames.shape == (9, 32, 48, 3)
    assert facts == {"codec": "h264", "pix_fmt": "yuv420p", "fps": 16.0}
    assert not list(tmp_path.glob("*.part"))  # written atomically
    # One report per denoising step, rising, ending at 100.
    steps = [p for p in ctx.progress if p > 0]
    assert steps == pytest.approx([100 * (i + 1) / STEPS for i in range(STEPS)])
    assert ctx.progress == sorted(ctx.progress) and ctx.progress[-1] == 100


def test_other_lengths_and_sizes(t2v: LocalWanProvider, tmp_path: Path) -> None:
    dest = tmp_path / "v.mp4"
    t2v.generate(req(num_frames=5, width=32, height=64, num_inference_steps=1), dest, NullContext())
    assert decode(dest)[0].shape == (5, 64, 32, 3)


def test_seed_is_deterministic(t2v: LocalWanProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same seed: the same frames out of the model and a byte-identical MP4, while every CPU
    is busy and other work churns the heap between the runs (as in a long-lived studio)."""
    raw: list[np.ndarray] = []

    def spy(frames: np.ndarray, dest: Path, fps: int, **kw: Any) -> None:
        raw.append(np.array(frames, copy=True))
        write_mp4(frames, dest, fps, **kw)

    monkeypatch.setattr(engine, "write_mp4", spy)
    rng = np.random.default_rng(0)
    seeds = (11, 11, 11, 11, 12)
    paths = [tmp_path / f"{i}.mp4" for i in range(len(seeds))]
    with cpu_load():
        for path, seed in zip(paths, seeds, strict=True):
            churn_heap(rng, tmp_path / "junk.mp4")
            t2v.generate(req(seed=seed), path, NullContext())
    same, other = raw[:-1], raw[-1]
    assert all(frames.tobytes() == same[0].tobytes() for frames in same)  # the model side
    assert len({p.read_bytes() for p in paths[:-1]}) == 1  # the encoder: byte-identical files
    a, c = (decode(p)[0].astype(np.int16) for p in (paths[0], paths[-1]))
    assert not np.array_equal(other, same[0])
    assert np.abs(a - c).mean() > 0.5  # a different seed, visibly different frames


def test_negative_prompt_reaches_the_model(t2v: LocalWanProvider, tmp_path: Path) -> None:
    one, two = tmp_path / "1.mp4", tmp_path / "2.mp4"
    t2v.generate(req(negative_prompt="low quality"), one, NullContext())
    t2v.generate(req(negative_prompt="blurry night snow"), two, NullContext())
    assert not np.array_equal(decode(one)[0], decode(two)[0])


def test_cancel_mid_run_raises_and_writes_nothing(t2v: LocalWanProvider, tmp_path: Path) -> None:
    dest = tmp_path / "cancelled.mp4"
    ctx = CancelAfter(2)
    with pytest.raises(JobCancelled):
        t2v.generate(req(num_inference_steps=6), dest, ctx)
    assert max(ctx.progress) == pytest.approx(100 * 2 / 6)  # stopped at step 2 of 6
    assert not dest.exists() and not list(tmp_path.glob("*.part"))


def test_cancel_seen_only_through_cancelled_interrupts_the_pipeline(t2v: LocalWanProvider, tmp_path: Path) -> None:
    dest = tmp_path / "cancelled.mp4"
    ctx = CancelSilently()
    with pytest.raises(JobCancelled):
        t2v.generate(req(num_inference_steps=6), dest, ctx)
    assert len([p for p in ctx.progress if p > 0]) == 1  # pipe._interrupt skipped the rest
    assert not dest.exists()
    # The cached pipeline is left usable for the next job.
    t2v.generate(req(num_inference_steps=1), dest, NullContext())
    assert dest.exists()


def test_ti2v_does_text_and_image_to_video(ti2v: LocalWanProvider, tmp_path: Path, red_png: Path) -> None:
    assert ti2v.status().ready is True and ti2v.capabilities.image_to_video is True
    text_only, with_image = tmp_path / "t.mp4", tmp_path / "i.mp4"
    ti2v.generate(req(width=64, height=32, num_frames=5), text_only, NullContext())
    ctx = NullContext()
    ti2v.generate(req(width=64, height=32, num_frames=5, image_path=red_png), with_image, ctx)
    a, b = decode(text_only)[0], decode(with_image)[0]
    assert a.shape == b.shape == (5, 32, 64, 3)
    assert not np.array_equal(a, b)  # the image conditions the video
    assert ctx.progress[-1] == 100


def test_i2v_model_needs_an_image(i2v_dir: Path, tmp_path: Path, red_png: Path) -> None:
    provider = LocalWanProvider(str(i2v_dir), device="cpu")
    assert provider.status().ready is True and provider.capabilities.image_to_video is True
    with pytest.raises(ProviderError) as err:
        provider.generate(req(), tmp_path / "o.mp4", NullContext())
    assert err.value.code == "invalid_request" and "image" in err.value.message
    dest = tmp_path / "i2v.mp4"
    provider.generate(req(image_path=red_png, num_inference_steps=2), dest, NullContext())
    assert decode(dest)[0].shape == (9, 32, 48, 3)
    with pytest.raises(ProviderError) as err:
        provider.generate(req(image_path=tmp_path / "missing.png"), dest, NullContext())
    assert err.value.code == "invalid_request"


def test_concurrent_first_jobs_load_the_pipeline_once(
    t2v_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diffusers import WanPipeline

    loads: list[str] = []
    original = WanPipeline.from_pretrained.__func__  # type: ignore[attr-defined]

    def counting(cls: type, path: str, **kw: Any) -> Any:
        loads.append(path)
        return original(cls, path, **kw)

    monkeypatch.setattr(WanPipeline, "from_pretrained", classmethod(counting))
    provider = LocalWanProvider(str(t2v_dir), device="cpu")
    errors: list[BaseException] = []

    def job(i: int) -> None:
        try:
            provider.generate(req(seed=i, num_inference_steps=1), tmp_path / f"{i}.mp4", NullContext())
        except BaseException as exc:  # surfaced below; a thread swallows it otherwise
            errors.append(exc)

    threads = [threading.Thread(target=job, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and loads == [str(t2v_dir.resolve())]
    assert all(len(decode(tmp_path / f"{i}.mp4")[0]) == 9 for i in range(3))


def test_write_mp4_keeps_colours(tmp_path: Path) -> None:
    # Four solid frames: catches channel swaps and range errors in the RGB->YUV path.
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (128, 128, 128)]
    frames = np.stack([np.full((32, 48, 3), c, np.uint8) for c in colours])
    dest = tmp_path / "c.mp4"
    write_mp4(frames.astype(np.float32) / 255.0, dest, fps=8)
    decoded, facts = decode(dest)
    assert decoded.shape == (4, 32, 48, 3) and facts["fps"] == 8.0
    for got, want in zip(decoded, colours, strict=False):
        assert np.abs(got.reshape(-1, 3).mean(0) - np.array(want)).max() < 8
