"""Runs the real studio (`manage.py runstudio`) as a subprocess on a free loopback port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.gate import Gate
from tests.support.process import ManagedProcess

BACKEND = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A port free on every address: a studio may be asked to listen on 0.0.0.0, and a flood's
    clients (127.0.x.y) may hold a port that is free on 127.0.0.1 alone."""
    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


def migrated_template(base_dir: Path) -> Path:
    """A migrated SQLite file, made once per test session and copied into each studio."""
    template = base_dir / "template.sqlite3"
    if not template.exists():
        env = {**os.environ, "STUDIO_DATA_DIR": str(base_dir / "template")}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BACKEND, env=env, check=True
        )
        shutil.copy(base_dir / "template" / "studio.sqlite3", template)
    return template


class StudioServer(ManagedProcess):
    def __init__(self, data_dir: Path, template: Path | None = None, **settings: str | int | float) -> None:
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        db = data_dir / "studio.sqlite3"
        if template is not None and not db.exists() and "DATABASE_URL" not in settings:
            shutil.copy(template, db)
        # Preview jobs whose prompt names a gate wait at it (Gate.prompt), across restarts too.
        self.gate = Gate(data_dir.parent / f"{data_dir.name}-gate")
        self.settings = {**self.gate.settings, **{k: str(v) for k, v in settings.items()}}
        self.port = free_port()
        self.log_path = data_dir / f"studio-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUD_VIDEO", "VIDEO_"))}
        # The watermark re-encodes every video: off unless a test asks (tests/test_watermark.py), so
        # tests that compare the stored pictures with the upstream's still see them unchanged.
        env.update({"STUDIO_DATA_DIR": str(self.data_dir), "STUDIO_LOG_LEVEL": "INFO", "VIDEO_WATERMARK": "false"})
        env.update(self.settings)
        return env

    def start(self, timeout: float = 30, host: str = "127.0.0.1") -> StudioServer:
        """Serve on `host` (the tests' own traffic goes to 127.0.0.1 either way) and wait for /healthz."""
        if not (self.data_dir / "studio.sqlite3").exists() and "DATABASE_URL" not in self.settings:
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                cwd=BACKEND,
                env=self.env(),
                check=True,
            )
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                [sys.executable, "manage.py", "runstudio", "--host", host, "--port", str(self.port)],
                cwd=BACKEND,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"studio exited early:\n{self.logs()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"studio did not start:\n{self.logs()}")

    def run_to_exit(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`manage.py runstudio` with this server's settings and port, for a start that must refuse:
        its exit status and output (60 s at most)."""
        return subprocess.run(
            [sys.executable, "manage.py", "runstudio", "--port", str(self.port), *args],
            cwd=BACKEND,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
        )

    def client(self, timeout: float = 30) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)

    def wait_for(
        self, video_id: str, statuses: tuple[str, ...] = ("completed", "failed", "cancelled"), timeout: float = 60
    ) -> dict:
        with self.client() as client:
            return self.wait_for_as(client, video_id, statuses, timeout)

    @staticmethod
    def wait_for_as(
        client: httpx.Client,
        video_id: str,
        statuses: tuple[str, ...] = ("completed", "failed", "cancelled"),
        timeout: float = 60,
    ) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            video = client.get(f"/v1/videos/{video_id}").json()
            if video.get("status") in statuses:
                return video
            if time.monotonic() > deadline:
                raise AssertionError(f"{video_id} still {video.get('status')} after {timeout}s")
            time.sleep(0.1)
