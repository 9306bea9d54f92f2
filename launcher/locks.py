"""The venv and the hashed requirement locks it is installed from (`python3 run.py lock`)."""

from __future__ import annotations

import argparse
import difflib
import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from launcher import paths

# Top-level pins, one input file per part; each install set is compiled (`python3 run.py lock`)
# into one lock beside them with every transitive package pinned and hashed, and only locks
# are installed. The smaller sets are compiled within the dev set, so every set installs the
# versions the tests ran on.
INPUTS = {
    "core": paths.BACKEND / "requirements.txt",
    "scale": paths.BACKEND / "requirements-scale.txt",
    "local": paths.BACKEND / "requirements-local.txt",
    "dev": paths.BACKEND / "requirements-dev.txt",
}
SETS = {
    "core": ("core",),
    "scale": ("core", "scale"),  # the studio and workers when the settings select Celery, PostgreSQL or S3
    "local": ("core", "local"),  # the local engine, on top of core (docs/local-engine.md)
    "dev": ("core", "scale", "local", "dev"),  # what `run.py test` and `run.py check` install
}
LOCKS = {name: paths.BACKEND / f"requirements{'' if name == 'core' else '-' + name}.lock" for name in SETS}
# Installed by their exact pin from the inputs, never from a lock: torch 2.13.0 resolves to a CPU
# wheel that exists only in this project's machines' pip find-links (a hash of it would fail
# everywhere else), and a GPU host puts its own CUDA build of the same version in first.
UNLOCKED = ("torch",)
# Locks are for the platform the studio is built, tested and shipped on (the compose image too).
LOCK_TARGET = ("--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu")


def requirement_lines(path: Path) -> list[str]:
    """The requirements of an input file, without comments or blank lines."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def inputs_digest(name: str) -> str:
    """What a lock was made from: its set's requirements (comments may change freely)."""
    text = "\n".join(f"{part}: {line}" for part in SETS[name] for line in requirement_lines(INPUTS[part]))
    return hashlib.sha256(text.encode()).hexdigest()


def lock_problem(name: str) -> str | None:
    lock = LOCKS[name]
    if not lock.exists():
        return f"{lock.relative_to(paths.ROOT)} is missing: run `python3 run.py lock`"
    if f"# inputs-sha256: {inputs_digest(name)}" not in lock.read_text():
        return f"{lock.relative_to(paths.ROOT)} is older than its inputs: run `python3 run.py lock`"
    return None


def unlocked_pins(name: str) -> list[str]:
    """The exact pins of UNLOCKED packages in a set's inputs (`torch==2.13.0`)."""
    return [
        line
        for part in SETS[name]
        for line in requirement_lines(INPUTS[part])
        if line.partition("==")[0].strip().lower() in UNLOCKED
    ]


def ensure_venv(name: str) -> Path:
    """Create the venv and install set `name` from its lock, hash-checked; skipped when a lock
    already installed here (this set's or a larger one's) is unchanged."""
    problem = lock_problem(name)
    if problem:
        raise SystemExit(problem)
    if not paths.venv_python().exists():
        paths.say("creating the virtual environment in .venv")
        paths.run([sys.executable, "-m", "venv", str(paths.VENV)])

    def current(other: str) -> bool:
        stamp = paths.VENV / f".installed-{other}"
        return stamp.exists() and stamp.read_text() == hashlib.sha256(LOCKS[other].read_bytes()).hexdigest()

    if any(set(SETS[name]) <= set(SETS[other]) and current(other) for other in SETS):
        return paths.venv_python()
    paths.say(f"installing Python dependencies ({', '.join(SETS[name])}); the first time takes a few minutes")
    pip = [str(paths.venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for pin in unlocked_pins(name):
        # Its dependencies are in the lock, hashed; first, so the lock's packages find it there.
        paths.run([*pip, "--no-deps", pin])
    paths.run([*pip, "--require-hashes", "-r", str(LOCKS[name])])
    (paths.VENV / f".installed-{name}").write_text(hashlib.sha256(LOCKS[name].read_bytes()).hexdigest())
    return paths.venv_python()


def pip_find_links(python: Path) -> list[str]:
    """pip's configured find-links (pip.conf, PIP_FIND_LINKS), which uv does not read: where
    this machine's torch CPU wheel is, so the locks hold its dependencies, not CUDA's."""
    listed = subprocess.run([str(python), "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    found: list[str] = []
    for line in listed.splitlines():
        key, _, value = line.partition("=")
        if key.endswith(".find-links"):
            found += [v for v in value.strip("'\"").split() if v not in found]
    return found


def compile_locks(python: Path, work: Path) -> dict[str, str]:
    """Every lock as `uv pip compile` makes it from the inputs, in `work`: the dev set first
    (the current locks are uv's preferences, so a new release upstream changes nothing), then the
    others constrained to it."""
    for path in [*INPUTS.values(), *(lock for lock in LOCKS.values() if lock.exists())]:
        shutil.copy(path, work / path.name)
    uv = [str(python), "-m", "uv", "pip", "compile", "--quiet", "--generate-hashes", "--no-header", *LOCK_TARGET]
    uv += [arg for link in pip_find_links(python) for arg in ("--find-links", link)]
    uv += [arg for package in UNLOCKED for arg in ("--no-emit-package", package)]
    made = {}
    for name in ["dev", *(n for n in SETS if n != "dev")]:
        lock = LOCKS[name].name
        constraints = [] if name == "dev" else ["--constraint", LOCKS["dev"].name]
        inputs = [INPUTS[part].name for part in SETS[name]]
        paths.run([*uv, *constraints, *inputs, "--output-file", lock], cwd=work, stdout=subprocess.DEVNULL)
        after = f" after {', '.join(unlocked_pins(name))} (see run.py, UNLOCKED)" if unlocked_pins(name) else ""
        made[name] = (
            f"# Install set {name!r} ({' + '.join(inputs)}): every package pinned and hashed.\n"
            "# Made by `python3 run.py lock` from those files; do not edit. `python3 run.py` installs it\n"
            f"# with --require-hashes{after}.\n"
            f"# inputs-sha256: {inputs_digest(name)}\n"
        ) + (work / lock).read_text()
        (work / lock).write_text(made[name])
    return made


def cmd_lock(args: argparse.Namespace) -> int:
    """Compile every install set into its lock (or, with --check, fail when one is not current)."""
    if not paths.venv_python().exists():
        paths.run([sys.executable, "-m", "venv", str(paths.VENV)])
    python = paths.venv_python()
    if subprocess.run([str(python), "-m", "uv", "--version"], capture_output=True).returncode != 0:
        uv = [line for line in requirement_lines(INPUTS["dev"]) if line.startswith("uv==")]
        paths.run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *uv])
    with tempfile.TemporaryDirectory(prefix="studio-lock-") as work:
        made = compile_locks(python, Path(work))
    stale = [LOCKS[n].name for n, text in made.items() if not LOCKS[n].exists() or LOCKS[n].read_text() != text]
    if args.check:
        if stale:
            for name, text in made.items():
                old = LOCKS[name].read_text().splitlines() if LOCKS[name].exists() else []
                diff = difflib.unified_diff(old, text.splitlines(), LOCKS[name].name, "compiled now", n=1, lineterm="")
                print("\n".join(list(diff)[:60]))
            paths.say(f"not current with their inputs: {', '.join(stale)}; run `python3 run.py lock` and commit them")
            return 1
        paths.say("every lock is current with its inputs")
        return 0
    for name, text in made.items():
        LOCKS[name].write_text(text)
    paths.say(f"wrote {', '.join(stale)}" if stale else "every lock was already current")
    return 0


# --- app/.env ---------------------------------------------------------------------------------
