"""The tests' side of the preview engine's gate (videos/providers/preview_gate.py): hold a
preview job after its first frame, know that it is held, and let it go."""

from __future__ import annotations

import time
from pathlib import Path


class Gate:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)

    @property
    def settings(self) -> dict[str, str]:
        return {"VIDEO_PREVIEW_GATE_DIR": str(self.folder)}

    @staticmethod
    def prompt(name: str, text: str = "held") -> str:
        """A prompt whose preview job waits at gate `name`."""
        return f"{text} [gate:{name}]"

    def is_held(self, name: str) -> bool:
        return (self.folder / f"{name}.waiting").exists()

    def wait_until_held(self, name: str, timeout: float = 60) -> None:
        """Until a job has drawn its first frame and waits at gate `name` (running, not ended)."""
        deadline = time.monotonic() + timeout
        while not self.is_held(name):
            if time.monotonic() > deadline:
                raise AssertionError(f"no job reached the gate {name!r} within {timeout}s")
            time.sleep(0.02)

    def open(self, name: str) -> None:
        (self.folder / name).touch()
