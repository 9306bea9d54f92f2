"""Waking this process's sender loop when a delivery is written here (others poll)."""

from __future__ import annotations

import threading

_due = threading.Event()


def wake() -> None:
    _due.set()


def wait(timeout: float) -> None:
    """Until woken or `timeout` seconds pass; then armed again."""
    _due.wait(timeout)
    _due.clear()
