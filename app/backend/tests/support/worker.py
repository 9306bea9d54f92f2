"""Runs a real Celery worker for the studio (`manage.py runworker`, what `run.py worker` starts) as a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.gate import Gate
from tests.support.process import ManagedProcess
from tests.support.studio import BACKEND


class CeleryWorker(ManagedProcess):
    """One worker process for one provider queue; `settings` are the same env as the studio's."""

    stop_timeout = 15.0

    def __init__(self, data_dir: Path, provider: str, concurrency: int = 1, **settings: str | int | float) -> None:
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.provider = provider
        self.concurrency = concurrency
        self.gate = Gate(data_dir.parent / f"{data_dir.name}-gate")  # a studio's on the same data_dir
        self.settings = {**self.gate.settings, **{k: str(v) for k, v in settings.items()}}
        self.log_path = data_dir / f"worker-{provider}-{time.monotonic_ns()}.log"
        self.proc: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("CLOUD_VIDEO", "VIDEO_", "CELERY_", "STUDIO_S3"))
        }
        # The watermark re-encodes every video: off unless a test asks (tests/test_watermark.py), so
        # tests that compare the stored pictures with the upstream's still see them unchanged.
        env.update({"STUDIO_DATA_DIR": str(self.data_dir), "STUDIO_LOG_LEVEL": "INFO", "VIDEO_WATERMARK": "false"})
        env.update(self.settings)
        return env

    def start(self, timeout: float = 30) -> CeleryWorker:
        return self.launch().wait_ready(timeout)

    def launch(self) -> CeleryWorker:
        """Start the process without waiting (boot several at once, then wait_ready each)."""
        cmd = [
            sys.executable,
            "manage.py",
            "runworker",
            "--provider",
            self.provider,
            "--concurrency",
            str(self.concurrency),
        ]
        with open(self.log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(cmd, cwd=BACKEND, env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 30) -> CeleryWorker:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.logs()}")
            if " ready." in self.logs():  # Celery logs "<name>@<host> ready." once it consumes
                return self
            time.sleep(0.1)
        raise RuntimeError(f"worker did not become ready:\n{self.logs()}")
