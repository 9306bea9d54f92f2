"""Reading the project's requirement locks and inputs in tests (tests/test_locks.py,
tests/test_install.py), and the launcher package's parts as modules."""

from __future__ import annotations

import importlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

BACKEND = Path(__file__).resolve().parents[2]
ROOT = BACKEND.parents[1]
SETS = ("core", "scale", "local", "dev")
# Test and build tools: an operator's install has none of them.
DEV_ONLY = ("pytest", "pytest-django", "ruff", "mypy", "django-stubs", "schemathesis", "moto", "uv")


def launcher(part: str) -> ModuleType:
    """A part of this working tree's launcher package (standard library only; nothing runs on import)."""
    sys.path.insert(0, str(ROOT))
    try:
        return importlib.import_module(f"launcher.{part}")
    finally:
        sys.path.remove(str(ROOT))


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Pin:
    version: str
    marker: str
    hashes: frozenset[str]


def lock_pins(path: Path) -> dict[str, Pin]:
    """name -> Pin for every requirement in a lock; each must be `name==version` with hashes."""
    pins: dict[str, Pin] = {}
    logical = re.sub(r"\\\n", " ", path.read_text())
    for line in logical.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        spec, *options = line.split(" --")
        requirement, _, marker = spec.partition(";")
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", requirement.strip())
        assert match, f"{path.name}: not an exact pin: {line!r}"
        hashes = frozenset(o.strip().removeprefix("hash=") for o in options if o.startswith("hash="))
        assert hashes, f"{path.name}: no hash for {requirement.strip()}"
        pins[canonical(match[1])] = Pin(match[2], marker.strip(), hashes)
    return pins


def input_pins(paths: list[Path]) -> dict[str, str]:
    """name -> version for the top-level requirements of some input files."""
    found = {}
    for path in paths:
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==(\S+)", line)
                assert match, f"{path.name}: top-level requirements are exact pins: {line!r}"
                found[canonical(match[1])] = match[3]
    return found
