"""What the studio and worker test processes share: a log file and crash-style killing."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path


class ManagedProcess:
    log_path: Path
    proc: subprocess.Popen | None = None
    stop_timeout = 10.0

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not started"
        return self.proc.pid

    def kill(self) -> None:
        """kill -9: no chance to clean up, as in a crash."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
