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

    def start_order(self, gates: dict[str, str], timeout: float = 60) -> list[str]:
        """Job ids in the order their jobs reached their gates (`gates`: id -> gate name), each
        let go only once it is seen, so with one worker slot they run one at a time."""
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        while len(seen) < len(gates):
            held = [job_id for job_id, name in gates.items() if job_id not in seen and self.is_held(name)]
            assert len(held) <= 1, f"two jobs ran at once: {held}"
            if held:
                seen.append(held[0])
                self.open(gates[held[0]])
            assert time.monotonic() < deadline, f"only {len(seen)} of {len(gates)} jobs started: {seen}"
            time.sleep(0.02)
        return seen
