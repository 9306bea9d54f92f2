"""`python3 run.py` stops with its server: a SIGTERM (docker stop, systemd, a supervisor) or a
SIGINT sent to the launcher leaves nothing serving on the port and no process behind.

run.py sets up and writes app/.env next to itself, and builds the web page, so the test runs
this working tree's run.py from a scratch root instead of the checkout: run.py copied in,
app/.env.default and app/backend linked, no app/frontend (so no page is built), and a
throwaway venv that sees the project's packages (run.py's venv step still runs in it without
touching the shared .venv). The command is the README's: run.py --no-input --port PORT.
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.support.gate import Gate
from tests.support.studio import free_port

BACKEND = Path(__file__).resolve().parents[1]
ROOT = BACKEND.parents[1]


def scratch_root(tmp_path: Path) -> tuple[Path, Path]:
    """(root, venv): run.py and the app layout it expects, plus a venv for STUDIO_VENV."""
    root = tmp_path / "checkout"
    (root / "app").mkdir(parents=True)
    shutil.copy(ROOT / "run.py", root / "run.py")
    shutil.copytree(ROOT / "launcher", root / "launcher", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "app" / ".env.default").symlink_to(ROOT / "app" / ".env.default")
    (root / "app" / "backend").symlink_to(BACKEND)
    venv = tmp_path / "venv"
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (purelib / "project.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return root, venv


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (psutil when installed, else /proc)."""
    try:
        psutil = importlib.import_module("psutil")  # not a dependency of the studio's own
    except ImportError:
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue
            parents[int(stat.parent.name)] = int(fields[1])
        found, frontier = [], [pid]
        while frontier:
            children = [child for child, parent in parents.items() if parent in frontier]
            found += children
            frontier = children
        return found
    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True  # no /proc (macOS): alive as far as we can tell


def read_events(port: int, video_id: str, open_: threading.Event) -> None:
    """Hold a progress stream open until the server ends it; `open_` is set once it answered."""
    try:
        with httpx.stream("GET", f"http://127.0.0.1:{port}/v1/videos/{video_id}/events", timeout=30) as response:
            if response.status_code == 200:
                open_.set()
            for _ in response.iter_lines():
                pass
    except httpx.HTTPError:
        pass


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize(
    ("signum", "front"),
    [(signal.SIGTERM, ""), (signal.SIGINT, ""), (signal.SIGTERM, "nginx")],
    ids=["SIGTERM", "SIGINT", "SIGTERM-nginx-front"],
)
def test_signal_to_run_py_stops_the_server_and_leaves_no_process(
    tmp_path: Path, signum: signal.Signals, front: str
) -> None:
    """With STUDIO_FRONT=nginx, nginx's master and workers are among what must be gone."""
    root, venv = scratch_root(tmp_path)
    port = free_port()
    gate = Gate(tmp_path / "gate")  # the job below waits there, running, until the signal
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUD_VIDEO", "VIDEO_", "DATABASE_URL"))}
    env.update(
        STUDIO_VENV=str(venv),
        STUDIO_DATA_DIR=str(tmp_path / "data"),
        # The server reads the app/.env that this run.py wrote, not the developer's.
        STUDIO_ENV_FILE=str(root / "app" / ".env"),
        PYTHONUNBUFFERED="1",
        STUDIO_FRONT=front,
        **gate.settings,
    )
    env.pop("DJANGO_SECRET_KEY", None)  # run.py makes one and writes it to app/.env
    log_path = tmp_path / "run.log"
    with open(log_path, "wb") as log:
        launcher = subprocess.Popen(
            [sys.executable, str(root / "run.py"), "--no-input", "--port", str(port)],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # our own group, so a leftover can be cleaned up below
            # As a background job of a script, which inherits SIGINT ignored: the studio must
            # still stop on it (and the test must not depend on how pytest itself was started).
            preexec_fn=_ignore_sigint,
        )
    pgid = launcher.pid
    try:
        deadline = time.monotonic() + 120
        while True:
            assert launcher.poll() is None, f"run.py exited early:\n{log_path.read_text()}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"the studio did not answer:\n{log_path.read_text()}"
            time.sleep(0.2)
        assert (root / "app" / ".env").exists()  # run.py's setup ran, in the scratch root
        children = descendants(launcher.pid)
        if front:
            assert any("nginx" in command_line(pid) for pid in children), "no nginx in front"
        # Something in progress when the signal comes: a job held running at the gate (never
        # opened: the stop must hand it back), and a progress stream holding a thread.
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            created = client.post("/v1/videos", json={"prompt": gate.prompt("sunrise", "a slow sunrise")})
            assert created.status_code in (200, 201), created.text
            streaming = threading.Event()
            stream = threading.Thread(target=read_events, args=(port, created.json()["id"], streaming), daemon=True)
            stream.start()
            gate.wait_until_held("sunrise")
            assert streaming.wait(10), "the progress stream did not open"
            assert client.get(f"/v1/videos/{created.json()['id']}").json()["status"] == "in_progress"

        launcher.send_signal(signum)
        stopped_at = time.monotonic()
        try:
            launcher.wait(15)
        except subprocess.TimeoutExpired:
            pytest.fail(f"run.py still running 15 s after {signum.name}:\n{log_path.read_text()}")
        assert time.monotonic() - stopped_at < 10, "the server took 10 s or more to stop"
        deadline = stopped_at + 15
        while time.monotonic() < deadline and (port_answers(port) or any(running(pid) for pid in children)):
            time.sleep(0.1)
        left = [f"{pid}: {command_line(pid)}" for pid in children if running(pid)]
        assert not left, f"still running after {signum.name} to run.py: {left}\n{log_path.read_text()}"
        assert not port_answers(port) and port_is_free(port), f"port {port} still taken"
        assert launcher.returncode == 0, log_path.read_text()
    finally:
        try:
            os.killpg(pgid, signal.SIGKILL)  # only this test's own process group
        except ProcessLookupError:
            pass
        if launcher.poll() is None:
            launcher.wait(10)
