"""`python3 run.py check` and `python3 run.py test`: the code checks, then every test suite."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from launcher import locks, machine, paths


def test_env() -> dict[str, str]:
    """Tests never read the developer's app/.env, and use their own data folder."""
    env = dict(os.environ)
    env.update(
        STUDIO_ENV_FILE=os.devnull,
        DJANGO_SECRET_KEY="test-only-secret-key",
        STUDIO_DATA_DIR=tempfile.mkdtemp(prefix="studio-test-"),
        STUDIO_PYTHON=str(paths.venv_python()),
        PYTHONDONTWRITEBYTECODE="1",
    )
    for name in (
        "CLOUD_VIDEO_GENERATION_URL",
        "CLOUD_VIDEO_GENERATION_AUTH_TOKEN",
        "DATABASE_URL",
        "VIDEO_JOB_BACKEND",
    ):
        env.pop(name, None)
    return env


def checks(python: Path, frontend: bool) -> list[tuple[str, list[str], Path]]:
    """The code checks CI runs before the tests: lint, format and types, Python and page."""
    tool = [str(python), "-m"]
    found = [
        ("ruff check", [*tool, "ruff", "check", "."], paths.ROOT),
        ("ruff format --check", [*tool, "ruff", "format", "--check", "."], paths.ROOT),
        ("mypy", [*tool, "mypy"], paths.ROOT),
        # The layering docs/architecture.md states, as import-linter contracts (pyproject.toml).
        (
            "import-linter",
            [str(python.parent / "lint-imports"), "--config", str(paths.ROOT / "pyproject.toml")],
            paths.BACKEND,
        ),
    ]
    if frontend:
        npm = shutil.which("npm") or "npm"
        found += [
            ("eslint", [npm, "run", "lint"], paths.FRONTEND),
            ("prettier --check", [npm, "run", "format:check"], paths.FRONTEND),
            ("tsc", [npm, "run", "typecheck"], paths.FRONTEND),
        ]
    return found


def run_suites(suites: list[tuple[str, list[str], Path]], env: dict[str, str]) -> list[str]:
    failures = []
    for name, cmd, cwd in suites:
        paths.say(f"running {name}")
        if subprocess.run(cmd, cwd=cwd, env=env).returncode != 0:
            failures.append(name)
    return failures


def cmd_check(args: argparse.Namespace) -> int:
    python = locks.ensure_venv("dev")
    frontend = (paths.FRONTEND / "package.json").exists() and machine.build_frontend(required=True)
    failures = run_suites(checks(python, frontend), test_env())
    paths.say("FAILED: " + ", ".join(failures) if failures else "all checks passed")
    return 1 if failures else 0


def cmd_test(args: argparse.Namespace) -> int:
    python = locks.ensure_venv("dev")
    machine.ensure_services()
    machine.ensure_debian_package(paths.NGINX, "nginx", "the tests of STUDIO_FRONT=nginx")
    machine.ensure_debian_package(paths.NJS, "libnginx-mod-http-js", "the tests of signed links through nginx")
    env = test_env()
    frontend = (paths.FRONTEND / "package.json").exists() and not args.backend_only
    if frontend:
        machine.ensure_debian_package(paths.CHROMIUM, "chromium", "the browser tests")
        machine.build_frontend(required=True)
    suites = [] if args.skip_checks else checks(python, frontend)
    # A folder of this run's own: pytest prunes older numbered folders under one shared root, so
    # two runs at once (two checkouts on one machine) could delete each other's studios' files.
    basetemp = tempfile.mkdtemp(prefix="studio-pytest-")
    suites.append(
        ("backend (pytest)", [str(python), "-m", "pytest", f"--basetemp={basetemp}", *args.pytest_args], paths.BACKEND)
    )
    if frontend:
        npm = shutil.which("npm") or "npm"
        suites += [
            ("web page unit tests (vitest)", [npm, "test"], paths.FRONTEND),
            ("browser end-to-end tests (chromium)", [npm, "run", "e2e"], paths.FRONTEND),
        ]
    failures = run_suites(suites, env)
    if failures:
        paths.say("FAILED: " + ", ".join(failures) + f" (pytest's files: {basetemp})")
        return 1
    shutil.rmtree(basetemp, ignore_errors=True)
    paths.say("all checks and test suites passed")
    return 0
