"""A full disk and a graceful stop, against the real studio process.

Disk: the data folder sits on a small filesystem of its own (tmpfs, else a loop-mounted ext4
image; the test fails, never skips, when neither can be mounted). A filler file takes the last
byte mid-encode (the job held at the preview engine's test gate meanwhile); the job must fail
with storage_full, the worker must outlive it, the API must answer JSON 507 while the disk is
full, and the database must stay sound.

Stop: SIGTERM while a tt-cloud job polls its upstream (which holds it in_progress until the test
lets it finish); the studio must exit within STUDIO_STOP_TIMEOUT_SECONDS having handed the job
back (queued, upstream id kept), and the next start must finish it without a second submission.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.gate import Gate
from tests.support.studio import StudioServer
from tests.support.upstream import FakeUpstream

FS_BYTES = 12 * 1024 * 1024


def _mount_small_fs(mount_point: Path, work: Path) -> str:
    """Mount a FS_BYTES filesystem at mount_point; returns how. Fails the test if impossible."""
    mount_point.mkdir(parents=True, exist_ok=True)
    tried = []
    tmpfs = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={FS_BYTES}", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if tmpfs.returncode == 0:
        return "tmpfs"
    tried.append(f"tmpfs: {tmpfs.stderr.strip()}")
    image = work / "small.ext4"
    with open(image, "wb") as fh:
        fh.truncate(FS_BYTES)
    mkfs = subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], capture_output=True, text=True)
    if mkfs.returncode == 0:
        loop = subprocess.run(["mount", "-o", "loop", str(image), str(mount_point)], capture_output=True, text=True)
        if loop.returncode == 0:
            return "ext4"
        tried.append(f"loop ext4: {loop.stderr.strip()}")
    else:
        tried.append(f"mkfs.ext4: {mkfs.stderr.strip()}")
    pytest.fail("this test needs a small filesystem of its own (run it as root): " + "; ".join(tried))


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small"
    _mount_small_fs(mount_point, tmp_path)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(path: Path) -> int:
    """Write to `path` until the filesystem is full; returns the bytes written."""
    written = 0
    chunk = b"\0" * 65536
    with open(path, "wb", buffering=0) as fh:
        while True:
            try:
                written += fh.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
        for size in (4096, 512, 1):  # the last scraps too: nothing may be left to write
            while True:
                try:
                    written += fh.write(b"\0" * size)
                except OSError:
                    break
    return written


def create(client: httpx.Client, **fields: object) -> dict:
    response = client.post("/v1/videos", json=fields)
    assert response.status_code == 201, response.text
    return response.json()


def test_full_disk_fails_the_job_clearly_and_the_worker_survives(
    small_fs: Path, tmp_path: Path, db_template: Path
) -> None:
    data_dir = small_fs / "data"
    gate = Gate(tmp_path / "gate")  # off the small disk: opening it must not need a byte there
    studio = StudioServer(
        data_dir,
        db_template,
        VIDEO_PREVIEW_ENABLED="true",
        VIDEO_MIN_FREE_BYTES=1024 * 1024,
        STUDIO_LOG_LEVEL="INFO",
        **gate.settings,
    )
    studio.log_path = tmp_path / "studio.log"  # the log must not need the full disk
    filler = small_fs / "filler"
    studio.start()
    try:
        with studio.client() as client:
            big = create(client, prompt=gate.prompt("big", "fills the disk"), size="832x480", num_frames=161)
            waiting = [create(client, prompt=f"waits {i}", size="256x256", num_frames=9) for i in range(3)]
            # Mid-encode, held there: its first frame is in the encoder, the other 160 wait for the gate.
            gate.wait_until_held("big")
            fill(filler)
            assert shutil.disk_usage(small_fs).free < 1024 * 1024

            # Creating a job on the full disk: JSON 507, never Django's HTML 500.
            refused = client.post("/v1/videos", json={"prompt": "no room"})
            assert refused.status_code == 507, refused.text
            assert refused.headers["content-type"].startswith("application/json")
            assert refused.json()["error"]["code"] == "storage_full"
            # Cancelling writes too: done, or refused as JSON 507 when the database cannot write.
            cancel = client.post(f"/v1/videos/{waiting[0]['id']}/cancel")
            assert cancel.headers["content-type"].startswith("application/json"), cancel.text
            assert cancel.status_code in (200, 507), cancel.text

            # Let it go on: the encode hits ENOSPC (its end state may not be writable until there is room).
            gate.open("big")
            deadline = time.monotonic() + 60
            while "the disk is full" not in studio.logs():
                assert time.monotonic() < deadline, f"the encode never hit the full disk:\n{studio.logs()}"
                time.sleep(0.1)
            time.sleep(3)  # a few worker and recovery turns on the full disk
            filler.unlink()

            failed = studio.wait_for(big["id"], timeout=60)
            assert failed["status"] == "failed", failed
            assert failed["error"]["code"] == "storage_full", failed
            assert "disk is full" in failed["error"]["message"]
            for job in waiting:  # run once there was room again, or refused at their start
                done = studio.wait_for(job["id"], timeout=60)
                assert done["status"] in ("completed", "cancelled") or done["error"]["code"] == "storage_full", done

            # The worker thread outlived it all: a new job completes.
            after = create(client, prompt="room again", size="256x256", num_frames=9)
            assert studio.wait_for(after["id"], timeout=60)["status"] == "completed"
            assert client.get(f"/v1/videos/{after['id']}/content").status_code == 200
    finally:
        studio.stop()
    assert studio.proc is not None and studio.proc.returncode is not None
    assert "Traceback" not in studio.logs().split("the disk is full", 1)[0]  # logged once, as a line
    # Nothing half-written stays: no file of the failed job, no scratch.
    media = data_dir / "media"
    assert not list(media.rglob(f"{big['id']}*")), list(media.rglob("*"))
    assert not list((data_dir / "scratch").glob("*"))
    with sqlite3.connect(data_dir / "studio.sqlite3") as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stuck = db.execute("SELECT count(*) FROM videos_videojob WHERE status IN ('queued', 'in_progress')")
        assert stuck.fetchone()[0] == 0


def release(upstream: FakeUpstream) -> None:
    """The upstream's jobs, held in_progress by mode async_never, are done at their next poll."""
    upstream.mode = "async"
    for job in list(upstream.jobs.values()):
        job.outcome = "completed"


def test_sigterm_hands_the_running_job_back_and_the_next_start_resumes_it(
    studio_factory, upstream: FakeUpstream
) -> None:
    upstream.mode = "async_never"  # in_progress upstream until the test lets it finish (release)
    bound = 5.0
    settings = {
        "CLOUD_VIDEO_GENERATION_URL": upstream.url,
        "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": upstream.token,
        "CLOUD_VIDEO_GENERATION_POLL_INTERVAL": 0.1,
        "STUDIO_STOP_TIMEOUT_SECONDS": bound,
    }
    studio = studio_factory(**settings)
    with studio.client() as client:
        job = create(client, prompt="survive a stop", model="tt-cloud")
    deadline = time.monotonic() + 10
    while not any(s.method == "GET" for s in upstream.seen) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert upstream.jobs, "the upstream never saw the job"

    assert studio.proc is not None
    started = time.monotonic()
    studio.proc.terminate()
    try:
        studio.proc.wait(bound + 5)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the studio did not exit within {bound + 5} s of SIGTERM:\n{studio.logs()}")
    took = time.monotonic() - started
    assert took <= bound + 2, f"exit took {took:.1f} s"
    assert studio.proc.returncode == 0, studio.logs()
    assert "handed back" in studio.logs()
    assert len(upstream.posts()) == 1

    # Handed back, not left for crash recovery: queued, with the upstream's job id kept and the
    # attempt not counted against VIDEO_MAX_ATTEMPTS.
    with sqlite3.connect(studio.data_dir / "studio.sqlite3") as db:
        row = db.execute(
            "SELECT status, upstream_id, attempts, worker FROM videos_videojob WHERE id = ?", (job["id"],)
        ).fetchone()
    assert row[0] == "queued" and row[1] == next(iter(upstream.jobs)) and row[2] == 0 and row[3] == "", row

    release(upstream)
    restarted = studio_factory(data_dir=studio.data_dir, **settings)
    done = restarted.wait_for(job["id"], timeout=30)
    assert done["status"] == "completed", done
    assert len(upstream.posts()) == 1  # resumed polling the same upstream job, no second submission
    with restarted.client() as client:
        assert client.get(done["content_url"]).status_code == 200


def test_sigterm_exits_within_the_bound_while_a_request_waits_on_an_unresumable_job(
    studio_factory, upstream: FakeUpstream
) -> None:
    """A sync upstream (no job id to resume) and the seed's endpoint waiting for its video: the
    studio still exits within the bound; the next start recovers the job and finishes it."""
    upstream.mode, upstream.held = "sync", True  # no answer until the test lets it go
    bound = 3.0
    settings = {
        "CLOUD_VIDEO_GENERATION_URL": upstream.url,
        "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": upstream.token,
        "STUDIO_STOP_TIMEOUT_SECONDS": bound,
    }
    studio = studio_factory(**settings)
    answers: list[object] = []

    def wait_for_video() -> None:  # the seed's endpoint holds its request until the video is done
        try:
            answers.append(
                httpx.post(f"{studio.url}/models-api/video-generation-cloud/", json={"prompt": "w"}, timeout=60)
            )
        except httpx.HTTPError as exc:  # the forced exit drops the connection
            answers.append(exc)

    waiting = threading.Thread(target=wait_for_video, daemon=True)
    waiting.start()
    deadline = time.monotonic() + 10
    while not upstream.posts() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert upstream.posts(), "the upstream never saw the job"

    assert studio.proc is not None
    started = time.monotonic()
    studio.proc.terminate()
    try:
        studio.proc.wait(bound + 10)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the studio did not exit within {bound + 10} s of SIGTERM:\n{studio.logs()}")
    took = time.monotonic() - started
    assert took <= bound + 2, f"exit took {took:.1f} s"
    assert "still running" in studio.logs()
    waiting.join(5)
    assert answers and isinstance(answers[0], httpx.HTTPError), answers  # it was still waiting

    upstream.held = False
    restarted = studio_factory(data_dir=studio.data_dir, **settings)
    with sqlite3.connect(studio.data_dir / "studio.sqlite3") as db:
        (job_id,) = db.execute("SELECT id FROM videos_videojob").fetchone()
    assert restarted.wait_for(job_id, timeout=30)["status"] == "completed"
