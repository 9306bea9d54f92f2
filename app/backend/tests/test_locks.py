"""The install sets' locks: every transitive package pinned and hashed, current with its inputs
(`python3 run.py lock --check` compiles them again and compares), and each smaller set agreeing
with the dev set the tests run on; and the nginx front named or installed before a start.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.locks import DEV_ONLY, ROOT, SETS, input_pins, launcher, lock_pins


@pytest.mark.parametrize("name", SETS)
def test_lock_pins_every_package_of_its_set_with_hashes(name: str) -> None:
    locks = launcher("locks")
    lock: Path = locks.LOCKS[name]
    assert lock.exists(), f"{lock.name} is missing: run `python3 run.py lock`"
    assert f"# inputs-sha256: {locks.inputs_digest(name)}" in lock.read_text(), (
        f"{lock.name} is older than its inputs: run `python3 run.py lock`"
    )
    pins = lock_pins(lock)
    for package, version in input_pins([locks.INPUTS[part] for part in locks.SETS[name]]).items():
        if package in locks.UNLOCKED:
            assert package not in pins, f"{package} is installed by its exact pin, never from a lock"
        else:
            assert package in pins and pins[package].version == version, f"{lock.name}: {package}=={version}"
    # What the smaller sets install is exactly what the tests ran on (the dev set).
    dev = lock_pins(locks.LOCKS["dev"])
    differ = [
        f"{p} {pin.version} (dev: {dev[p].version if p in dev else 'absent'})"
        for p, pin in pins.items()
        if dev.get(p) != pin
    ]
    assert not differ, f"{lock.name} differs from the dev lock: {differ}"
    if name != "dev":
        assert not [p for p in DEV_ONLY if p in pins], f"{lock.name} carries test tools"


def test_scale_set_has_celerys_redis_transport() -> None:
    """kombu's Redis transport imports `packaging`; only Celery's redis extra brings it."""
    scale = lock_pins(launcher("locks").LOCKS["scale"])
    assert {"celery", "kombu", "redis", "packaging"} <= scale.keys()


@pytest.mark.timeout(300)
def test_locks_are_what_the_compiler_makes_of_their_inputs() -> None:
    """`python3 run.py lock --check`: a lock whose inputs changed since it was made fails here."""
    env = {**os.environ, "STUDIO_VENV": sys.prefix}  # the venv running the tests has uv
    done = subprocess.run(
        [sys.executable, str(ROOT / "run.py"), "lock", "--check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_nginx_front_is_installed_or_named_before_the_studio_starts(monkeypatch, tmp_path: Path) -> None:
    """`python3 run.py` with STUDIO_FRONT=nginx and no nginx: as root it installs Debian's (as
    `run.py test` does, with the same function); otherwise it stops first, naming the command."""
    paths, machine = launcher("paths"), launcher("machine")
    monkeypatch.setattr(paths, "NGINX", tmp_path / "nginx")  # not installed
    monkeypatch.setattr(paths, "ENV_FILE", tmp_path / ".env")
    monkeypatch.setattr(machine.os, "geteuid", lambda: 1000)  # a user who cannot install it
    monkeypatch.delenv("STUDIO_NGINX", raising=False)
    monkeypatch.setenv("STUDIO_FRONT", "")
    machine.ensure_front()  # no front asked for: nothing needed
    monkeypatch.setenv("STUDIO_FRONT", "nginx")
    with pytest.raises(
        SystemExit, match=r"nginx is missing, needed for STUDIO_FRONT=nginx: run `sudo apt-get install -y nginx`"
    ):
        machine.ensure_front()
    monkeypatch.setenv("STUDIO_NGINX", str(tmp_path / "own" / "nginx"))
    machine.ensure_front()  # the operator's own nginx: runstudio checks it (test_nginx_front.py)
