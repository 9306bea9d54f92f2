"""Sweep grids over real HTTP against a studio subprocess on the preview engine: the cells' jobs
and their values, the checks that queue nothing, owners, the grid MP4 (decoded, tile by tile
against each cell's own frames) and `generate --from`."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
from PIL import Image

from tests.support.media import top_level_boxes
from tests.support.studio import BACKEND
from videos import route_policy
from videos.management.prompt_file import numbered_outputs
from videos.route_policy import Admission
from videos.sweeps.grid import grid_layout

SMALL = {"size": "64x64", "num_frames": 3}


def sweep(client: httpx.Client, base: dict, *axes: dict, status: int = 201) -> dict:
    response = client.post("/v1/videos/sweeps", json={"base": base, "axes": list(axes)})
    assert response.status_code == status, response.text
    return response.json()


def finished(studio, client: httpx.Client, made: dict) -> dict:
    for cell in made["cells"]:
        studio.wait_for_as(client, cell["video_id"])
    return client.get(f"/v1/videos/sweeps/{made['id']}").json()


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data), "r") as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_seeds_by_steps_make_nine_jobs_with_their_values_and_one_batch(studio_factory):
    studio = studio_factory()
    with studio.client() as client:
        assert client.get("/v1/videos/sweeps").json() == {"object": "list", "data": [], "has_more": False}
        made = sweep(
            client,
            {"prompt": "A lighthouse at dusk", **SMALL},
            {"param": "seed", "values": [1, 2, 3]},
            {"param": "num_inference_steps", "values": [2, 3, 4]},
        )
        assert made["id"].startswith("sweep_") and made["object"] == "video.sweep"
        assert made["status"] in ("queued", "in_progress") and made["content_url"] is None
        assert made["axes"] == [
            {"param": "seed", "values": [1, 2, 3], "find": None},
            {"param": "num_inference_steps", "values": [2, 3, 4], "find": None},
        ]
        assert [cell["index"] for cell in made["cells"]] == [[i, j] for i in range(3) for j in range(3)]
        videos = {v["id"]: v for v in client.get("/v1/videos", params={"batch_id": made["batch_id"]}).json()["data"]}
        assert len(videos) == 9 == len({cell["video_id"] for cell in made["cells"]})
        for cell in made["cells"]:
            video = videos[cell["video_id"]]
            assert cell["values"] == {"seed": video["seed"], "num_inference_steps": video["num_inference_steps"]}
            assert cell["values"] == {
                "seed": [1, 2, 3][cell["index"][0]],
                "num_inference_steps": [2, 3, 4][cell["index"][1]],
            }
            assert (video["prompt"], video["size"], video["num_frames"]) == ("A lighthouse at dusk", "64x64", 3)
        # /v1/videos/sweeps is the sweeps' route, not a video id.
        listed = client.get("/v1/videos/sweeps").json()
        assert [s["id"] for s in listed["data"]] == [made["id"]]
        done = finished(studio, client, made)
        assert done["status"] == "completed" and {c["status"] for c in done["cells"]} == {"completed"}
        assert done["content_url"] == f"/v1/videos/sweeps/{made['id']}/content"


def test_shorthands_shared_seed_and_prompt_replace(studio_factory):
    studio = studio_factory()
    with studio.client() as client:
        ranged = sweep(client, {"prompt": "x", **SMALL}, {"param": "seed", "range": [10, 4]})
        assert [c["values"]["seed"] for c in ranged["cells"]] == [10, 11, 12, 13]
        listed = sweep(
            client,
            {"prompt": "A red fox in snow", "size": "64x64", "num_inference_steps": 2},
            {"param": "prompt_replace", "find": "red fox", "values": ["grey wolf", "white hare"]},
            {"param": "seconds", "values": "1,2"},
            {"param": "size", "values": [[64, 64], "96x64"]},
        )
        assert listed["axes"][1]["values"] == ["1", "2"] and listed["axes"][2]["values"] == ["64x64", "96x64"]
        seed = listed["base"]["seed"]  # one seed drawn for every cell: they differ only along the axes
        videos = {v["id"]: v for v in client.get("/v1/videos", params={"batch_id": listed["batch_id"]}).json()["data"]}
        for cell in listed["cells"]:
            video = videos[cell["video_id"]]
            subject = cell["values"]["prompt_replace"]
            assert video["prompt"] == f"A {subject} in snow" and video["seed"] == seed
            assert (video["seconds"], video["size"]) == (cell["values"]["seconds"], cell["values"]["size"])
        one = sweep(client, {"prompt": "x", **SMALL}, {"param": "num_inference_steps", "values": 5})
        assert [c["values"] for c in one["cells"]] == [{"num_inference_steps": 5}]


def test_refusals_name_the_problem_and_queue_nothing(studio_factory):
    studio = studio_factory()
    base = {"prompt": "A red fox", **SMALL}
    with studio.client() as client:
        too_many = sweep(
            client,
            base,
            {"param": "seed", "range": [0, 3]},
            {"param": "num_inference_steps", "values": [1, 2, 3, 4, 5]},
            {"param": "negative_prompt", "values": ["a", "b", "c", "d", "e", "f"]},
            status=400,
        )["error"]
        assert too_many["code"] == "too_many_cells"
        assert too_many["message"] == "3 x 5 x 6 = 90 cells; a sweep makes at most 64."
        bad = sweep(
            client,
            base,
            {"param": "seed", "values": [1]},
            {"param": "num_inference_steps", "values": [2, 1000]},
            status=400,
        )
        assert bad["error"]["param"] == "axes[1].values"
        assert bad["error"]["message"].startswith("num_inference_steps = 1000: num_inference_steps must be between")
        size = sweep(client, base, {"param": "size", "values": ["64x64", "70x64"]}, status=400)["error"]
        assert size["param"] == "axes[0].values" and "'70x64'" in size["message"]
        missing = sweep(client, base, {"param": "prompt_replace", "find": "wolf", "values": ["cat"]}, status=400)
        assert missing["error"]["code"] == "find_not_in_prompt" and missing["error"]["param"] == "axes[0].find"
        unknown = sweep(client, base, {"param": "guidance", "values": [1]}, status=400)["error"]
        assert unknown["param"] == "axes[0].param" and "Unknown sweep parameter 'guidance'" in unknown["message"]
        for body, param in (
            ({"base": {**base, "n": 2}, "axes": [{"param": "seed", "values": [1]}]}, "base.n"),
            ({"base": {"prompt": ""}, "axes": [{"param": "seed", "values": [1]}]}, "base.prompt"),
            ({"base": base, "axes": []}, "axes"),
            ({"base": base, "axes": [{"param": "seed", "values": [1]}], "extra": 1}, "extra"),
            ({"base": base, "axes": [{"param": "model", "values": ["nope"]}]}, "axes[0].values"),
        ):
            answer = client.post("/v1/videos/sweeps", json=body)
            assert answer.status_code == 400 and answer.json()["error"]["param"] == param, answer.text
        assert client.get("/v1/videos").json()["data"] == []
        assert client.get("/v1/videos/sweeps").json()["data"] == []


def test_a_sweep_counts_once_for_the_rate_limit_and_its_grid_renders_apart_from_the_slots():
    assert route_policy.creates_job("/v1/videos/sweeps", "POST")
    assert not route_policy.creates_job("/v1/videos/sweeps", "GET")
    assert route_policy.admission(f"/v1/videos/sweeps/sweep_{'0' * 32}/content", "GET") is Admission.WAITS
    assert route_policy.admission(f"/v1/videos/sweeps/sweep_{'0' * 32}", "GET") is Admission.SLOT
    assert not route_policy.creates_job(f"/v1/videos/sweeps/sweep_{'0' * 32}/cancel", "POST")
    assert route_policy.admission(f"/v1/videos/sweeps/sweep_{'0' * 32}/cancel", "POST") is Admission.SLOT


def test_another_users_sweep_is_404_when_sign_in_is_on(studio_factory):
    alice, bob = "key-alice-0123456789abcdef", "key-bob-0123456789abcdefgh"
    studio = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_API_KEYS=f"alice:{alice},bob:{bob}")
    as_alice = {"Authorization": f"Bearer {alice}"}
    as_bob = {"Authorization": f"Bearer {bob}"}
    with studio.client() as client:
        assert client.post("/v1/videos/sweeps", json={}).status_code == 401
        made = client.post(
            "/v1/videos/sweeps",
            json={"base": {"prompt": "mine", **SMALL}, "axes": [{"param": "seed", "values": [1]}]},
            headers=as_alice,
        ).json()
        for path in (f"/v1/videos/sweeps/{made['id']}", f"/v1/videos/sweeps/{made['id']}/content"):
            assert client.get(path, headers=as_bob).status_code == 404
        assert client.get("/v1/videos/sweeps", headers=as_bob).json()["data"] == []
        assert client.get(f"/v1/videos/sweeps/{made['id']}", headers=as_alice).status_code == 200
        assert client.get("/v1/videos/sweeps/sweep_nope", headers=as_alice).status_code == 404


def test_grid_mp4_tiles_every_cell_on_one_clock(studio_factory):
    studio = studio_factory()
    axes: tuple[dict[str, Any], ...] = (
        {"param": "seed", "values": [1, 2, 3]},
        {"param": "seconds", "values": ["1", "2"]},
        {"param": "size", "values": ["64x64", "96x64"]},
    )
    with studio.client() as client:
        made = finished(studio, client, sweep(client, {"prompt": "Grid", "num_inference_steps": 2}, *axes))
        assert made["status"] == "completed"
        response = client.get(made["content_url"])
        assert response.status_code == 200 and response.headers["content-type"] == "video/mp4"
        grid = frames_of(response.content)
        boxes = top_level_boxes(response.content)
        assert boxes.index(b"moov") < boxes.index(b"mdat")  # faststart
        cells = {
            tuple(c["index"]): frames_of(client.get(f"/v1/videos/{c['video_id']}/content").content)
            for c in made["cells"]
        }
        assert {len(f) for f in cells.values()} == {17, 33} and len(grid) == 33  # the longest cell's
        height, width = grid[0].shape[:2]
        assert width <= 1920 and width % 2 == 0 and height % 2 == 0
        layout = grid_layout([(a["param"], a["values"]) for a in axes], [(64, 64), (96, 64)])
        assert (layout.width, layout.height) == (width, height)
        for index, frames in cells.items():
            x, y, w, h = layout.placement(index, frames[0].shape[1], frames[0].shape[0])
            for i in (0, 16, 32):
                own = np.asarray(Image.fromarray(frames[min(i, len(frames) - 1)]).resize((w, h)), dtype=float)
                tile = grid[i][y : y + h, x : x + w].astype(float)
                assert np.abs(tile.mean(axis=(0, 1)) - own.mean(axis=(0, 1))).max() < 6, (index, i)
        # Rendered once and kept: the same bytes again, a Range slice of them, a download name.
        assert client.get(made["content_url"]).content == response.content
        part = client.get(made["content_url"], headers={"Range": "bytes=10-19"})
        assert part.status_code == 206 and part.content == response.content[10:20]
        named = client.get(made["content_url"], params={"download": 1}).headers["content-disposition"]
        assert named == 'attachment; filename="sweep-grid.mp4"'
    assert len(list((studio.data_dir / "media" / "sweeps").glob("*.mp4"))) == 1


def test_grid_waits_for_every_cell_and_greys_a_cancelled_one(studio_factory):
    studio = studio_factory()
    with studio.client() as client:
        made = sweep(client, {"prompt": studio.gate.prompt("sweep"), **SMALL}, {"param": "seed", "values": [1, 2]})
        studio.gate.wait_until_held("sweep")  # the first cell runs, held; the second waits in the queue
        url = f"/v1/videos/sweeps/{made['id']}/content"
        assert client.get(url).json()["error"]["code"] == "video_not_ready"
        client.post(f"/v1/videos/{made['cells'][1]['video_id']}/cancel")
        assert client.get(url).json()["error"]["code"] == "video_not_ready"  # the first still runs
        studio.gate.open("sweep")
        done = finished(studio, client, made)
        assert done["status"] == "partial" and [c["status"] for c in done["cells"]] == ["completed", "cancelled"]
        grid = frames_of(client.get(url).content)
        layout = grid_layout([("seed", [1, 2])], [(64, 64)])
        x, y = layout.tile([1])
        grey = grid[-1][y : y + layout.tile_height, x : x + layout.tile_width].astype(float)
        assert 100 <= np.median(grey) <= 120 and grey.std() < 40


def stored_files(studio) -> set[str]:
    media = studio.data_dir / "media"
    return {str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()}


def test_cancel_stops_the_queued_and_running_cells_and_delete_takes_everything(studio_factory):
    studio = studio_factory()
    with studio.client() as client:
        kept = client.post("/v1/videos", json={"prompt": "not in the sweep", **SMALL}).json()
        studio.wait_for_as(client, kept["id"])
        made = sweep(client, {"prompt": studio.gate.prompt("cancel"), **SMALL}, {"param": "seed", "values": [1, 2, 3]})
        url = f"/v1/videos/sweeps/{made['id']}"
        studio.gate.wait_until_held("cancel")  # the first cell runs, held; the others are queued
        cancelled = client.post(f"{url}/cancel")
        assert cancelled.status_code == 200, cancelled.text
        answer = cancelled.json()
        assert answer["id"] == made["id"] and answer["object"] == "video.sweep"
        assert [c["status"] for c in answer["cells"]][1:] == ["cancelled", "cancelled"]
        first = studio.wait_for_as(client, made["cells"][0]["video_id"])  # its worker stops it
        assert first["status"] == "cancelled"
        done = client.get(url).json()
        assert done["status"] == "failed" and {c["status"] for c in done["cells"]} == {"cancelled"}
        again = client.post(f"{url}/cancel")
        assert again.status_code == 409 and again.json()["error"]["code"] == "not_cancellable"
        assert client.get(done["content_url"]).status_code == 200  # the grid of greyed cells, stored
        assert any(name.startswith("sweeps/") for name in stored_files(studio))

        deleted = client.delete(url)
        assert deleted.json() == {"id": made["id"], "object": "video.sweep.deleted", "deleted": True}
        assert client.get(url).status_code == 404 and client.get(f"{url}/content").status_code == 404
        assert client.post(f"{url}/cancel").status_code == 404 and client.delete(url).status_code == 404
        for cell in made["cells"]:
            assert client.get(f"/v1/videos/{cell['video_id']}").status_code == 404
        assert client.get("/v1/videos/sweeps").json()["data"] == []
        # Only the video outside the sweep is left, files and all.
        assert [v["id"] for v in client.get("/v1/videos").json()["data"]] == [kept["id"]]
        assert not any(name.startswith("sweeps/") for name in stored_files(studio))
        assert all(kept["id"] in name for name in stored_files(studio)), stored_files(studio)


def test_deleting_a_sweep_while_its_cells_run_leaves_no_file(studio_factory):
    studio = studio_factory()
    with studio.client() as client:
        made = sweep(client, {"prompt": studio.gate.prompt("busy"), **SMALL}, {"param": "seed", "values": [1, 2]})
        studio.gate.wait_until_held("busy")
        assert client.delete(f"/v1/videos/sweeps/{made['id']}").status_code == 200
        studio.gate.open("busy")  # the running cell was cancelled; were it not, it would finish now
        for cell in made["cells"]:
            assert client.get(f"/v1/videos/{cell['video_id']}").status_code == 404
        assert client.get("/v1/videos").json()["data"] == []
        deadline = time.monotonic() + 10
        while stored_files(studio) and time.monotonic() < deadline:  # a worker may still be letting go
            time.sleep(0.1)
        assert stored_files(studio) == set()


def test_only_the_owner_cancels_or_deletes_a_sweep_when_sign_in_is_on(studio_factory):
    alice, bob = "key-alice-0123456789abcdef", "key-bob-0123456789abcdefgh"
    studio = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_API_KEYS=f"alice:{alice},bob:{bob}")
    as_alice = {"Authorization": f"Bearer {alice}"}
    as_bob = {"Authorization": f"Bearer {bob}"}
    with studio.client() as client:
        body = {"base": {"prompt": studio.gate.prompt("owned"), **SMALL}, "axes": [{"param": "seed", "values": [1, 2]}]}
        made = client.post("/v1/videos/sweeps", json=body, headers=as_alice).json()
        url = f"/v1/videos/sweeps/{made['id']}"
        assert client.post(f"{url}/cancel").status_code == 401 and client.delete(url).status_code == 401
        assert client.post(f"{url}/cancel", headers=as_bob).status_code == 404
        assert client.delete(url, headers=as_bob).status_code == 404
        mine = client.get(url, headers=as_alice).json()
        assert all(c["status"] in ("queued", "in_progress") for c in mine["cells"])  # bob changed nothing
        assert client.post(f"{url}/cancel", headers=as_alice).status_code == 200
        assert client.delete(url, headers=as_alice).status_code == 200
        assert client.get(url, headers=as_alice).status_code == 404
        studio.gate.open("owned")


def run_generate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "manage.py", "generate", *args]
    return subprocess.run(command, cwd=BACKEND, env=env, capture_output=True, text=True, timeout=120)


def test_generate_from_a_file_queues_a_job_per_line(studio_factory, tmp_path: Path):
    studio = studio_factory()
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("A quiet lake\n\n  A busy harbour  \n")
    settings = ("--server", studio.url, "--size", "64x64", "--frames", "3")
    done = run_generate(studio.env(), "--from", str(prompts), *settings, "--out-dir", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "100.0%" in done.stderr and "2/2 done" in done.stderr and done.stdout.count("saved") == 2
    made = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in made] == ["01-a-quiet-lake.mp4", "02-a-busy-harbour.mp4"]
    assert all(len(frames_of(p.read_bytes())) == 3 for p in made)
    beside = numbered_outputs(["a", "b"], str(tmp_path / "clip.mp4"), None)
    assert beside == [tmp_path / "clip-01.mp4", tmp_path / "clip-02.mp4"]
    with studio.client() as client:
        prompts_made = [v["prompt"] for v in client.get("/v1/videos").json()["data"]]
    assert sorted(prompts_made) == ["A busy harbour", "A quiet lake"]

    (tmp_path / "empty.txt").write_text("\n  \n")
    (tmp_path / "long.txt").write_text("fine\n" + "x" * 2001 + "\n")
    empty = run_generate(studio.env(), "--from", str(tmp_path / "empty.txt"), *settings)
    long = run_generate(studio.env(), "--from", str(tmp_path / "long.txt"), *settings)
    assert empty.returncode != 0 and "has no prompts" in empty.stderr
    assert long.returncode != 0 and "line 2: prompt is 2001 characters; the limit is 2000" in long.stderr
    assert "Traceback" not in empty.stderr + long.stderr
    with studio.client() as client:
        assert len(client.get("/v1/videos").json()["data"]) == 2  # nothing more was queued


def test_generate_a_sweep_from_its_json_file(studio_factory, tmp_path: Path):
    """`generate --sweep sweep.json --out grid.mp4`: the same sweep as the API's, from the shell."""
    studio = studio_factory()
    board = tmp_path / "sweep.json"
    base = {"prompt": "A lighthouse at dusk", "size": "64x64", "num_frames": 3}
    board.write_text(json.dumps({"base": base, "axes": [{"param": "seed", "values": [1, 2]}]}))
    out = tmp_path / "grid.mp4"
    done = run_generate(studio.env(), "--sweep", str(board), "--server", studio.url, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "2/2 cells" in done.stderr and "(completed)" in done.stderr and f"saved {out}" in done.stdout
    assert len(frames_of(out.read_bytes())) == 3  # one clock: as long as the longest cell
    (tmp_path / "bad.json").write_text('{"axes": []}')
    bad = run_generate(studio.env(), "--sweep", str(tmp_path / "bad.json"), "--server", studio.url)
    assert bad.returncode != 0 and "a sweep is" in bad.stderr and "Traceback" not in bad.stderr
