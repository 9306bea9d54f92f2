#!/usr/bin/env python3
"""Video Studio launcher and setup wizard. Standard library only.

python3 run.py              set up (venv, dependencies, app/.env, web page, database) and run
python3 run.py test         set up everything the tests need, run the code checks and every test
python3 run.py check        the code checks only: ruff, mypy, eslint, prettier, tsc
python3 run.py worker       run Celery workers (VIDEO_JOB_BACKEND=celery; docs/scale.md)
python3 run.py generate "a prompt" [--steps 12 --seed 0 --out clip.mp4 --provider preview --in-process]
python3 run.py adduser NAME create a login (required to listen beyond 127.0.0.1)
python3 run.py serve        serve this machine's engines behind the tt-media-server video API
python3 run.py --help-env   explain every setting in app/.env
python3 run.py --help       all commands and options

One file on purpose (longer than the project's other modules): a fresh machine runs it with
nothing installed, before any package of the project can be imported.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

ROOT = Path(__file__).resolve().parent
APP = ROOT / "app"
BACKEND = APP / "backend"
FRONTEND = APP / "frontend"
# Containers keep their own venv (STUDIO_VENV) apart from the host's .venv in the shared checkout.
VENV = Path(os.environ.get("STUDIO_VENV") or ROOT / ".venv")
ENV_FILE = APP / ".env"
ENV_DEFAULT = APP / ".env.default"
REQUIREMENTS = {
    "core": BACKEND / "requirements.txt",
    "dev": BACKEND / "requirements-dev.txt",
    "local": BACKEND / "requirements-local.txt",
    "scale": BACKEND / "requirements-scale.txt",
}
CHROMIUM = Path("/usr/bin/chromium")
# Asked for on first setup (the seed's configuration prompts); everything else keeps its default.
PROMPTED = (
    ("CLOUD_VIDEO_GENERATION_URL", "Cloud video generation URL (Enter to skip and use the preview engine)", False),
    ("CLOUD_VIDEO_GENERATION_AUTH_TOKEN", "Cloud video generation auth token (input hidden)", True),
)


def say(message: str) -> None:
    print(f"[video-studio] {message}", flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def venv_python() -> Path:
    return VENV / "bin" / "python"


# --- Python dependencies ----------------------------------------------------------------------


def ensure_venv(extras: tuple[str, ...]) -> Path:
    """Create .venv and install the pinned requirements; skipped when nothing changed."""
    files = [REQUIREMENTS["core"], *(REQUIREMENTS[e] for e in extras if REQUIREMENTS[e].exists())]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    stamp = VENV / f".installed-{'-'.join(('core', *extras))}"
    if not venv_python().exists():
        say("creating the virtual environment in .venv")
        run([sys.executable, "-m", "venv", str(VENV)])
    if stamp.exists() and stamp.read_text() == digest:
        return venv_python()
    say(f"installing Python dependencies ({', '.join(('core', *extras))}); the first time takes a few minutes")
    args = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for f in files:
        args += ["-r", str(f)]
    run(args)
    stamp.write_text(digest)
    return venv_python()


# --- app/.env ---------------------------------------------------------------------------------


def env_docs() -> list[tuple[str, str, str]]:
    """(name, default, comment) for every setting in app/.env.default."""
    out, comment = [], []
    for line in ENV_DEFAULT.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            text = stripped.lstrip("#").strip()
            if not text.startswith("---"):
                comment.append(text)
        elif "=" in stripped:
            name, _, default = stripped.partition("=")
            out.append((name.strip(), default.strip(), " ".join(comment)))
            comment = []
        else:
            comment = []
    return out


def read_env(path: Path) -> dict[str, str]:
    values = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                name, _, value = line.partition("=")
                values[name.strip()] = value.strip()
    return values


def write_env(values: dict[str, str]) -> None:
    """Write app/.env in the layout of .env.default (comments kept), readable by the owner only."""
    lines = []
    for line in ENV_DEFAULT.read_text().splitlines():
        name = line.partition("=")[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and name in values:
            lines.append(f"{name}={values[name]}")
        else:
            lines.append(line)
    known = {name for name, _, _ in env_docs()}
    lines += [f"{k}={v}" for k, v in values.items() if k not in known]
    fd = os.open(ENV_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def configure(no_input: bool) -> None:
    """Create or complete app/.env: environment variables win, then answers, then defaults."""
    existing = read_env(ENV_FILE)
    values = {name: default for name, default, _ in env_docs()}
    values.update(existing)
    for name in values:
        if os.environ.get(name):
            values[name] = os.environ[name]
    interactive = not no_input and sys.stdin.isatty()
    if not ENV_FILE.exists():
        say("creating app/.env from app/.env.default")
        for name, question, hidden in PROMPTED:
            if values.get(name) or not interactive:
                continue
            if name.endswith("TOKEN") and not values.get("CLOUD_VIDEO_GENERATION_URL"):
                continue
            answer = getpass.getpass(f"{question}: ") if hidden else input(f"{question}: ")
            values[name] = answer.strip()
    if not values.get("DJANGO_SECRET_KEY"):
        values["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    if values != existing:
        write_env(values)


def help_env() -> None:
    print("Settings live in app/.env (created from app/.env.default by `python3 run.py`).")
    print("The process environment overrides the file. Restart the studio after a change.\n")
    for name, default, comment in env_docs():
        shown = default if default else "(empty)"
        print(f"{name}  [default: {shown}]\n    {comment}\n")


# --- Web page ---------------------------------------------------------------------------------


def build_frontend(required: bool, api_from: Path | None = None) -> bool:
    """npm ci (when the lock changed) and build app/frontend into dist/.

    With `api_from` (the venv's python), the page's API types are first regenerated from the
    server's own OpenAPI document, so the page is built against the API it will talk to. The
    test run builds from the committed files instead, where a stale copy fails a test.
    """
    if not (FRONTEND / "package.json").exists():
        return False
    npm = shutil.which("npm")
    if npm is None:
        message = "npm is not installed; the web page cannot be built (the API still works). Install Node.js 20+."
        if required:
            raise SystemExit(message)
        say(message)
        return False
    lock = FRONTEND / "package-lock.json"
    stamp = FRONTEND / "node_modules" / ".studio-lock"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest() if lock.exists() else ""
    if not stamp.exists() or stamp.read_text() != digest:
        say("installing the web page's packages (npm ci)")
        run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND)
        stamp.write_text(digest)
    if api_from is not None:
        manage(api_from, "openapi", "--output", str(FRONTEND / "src" / "api" / "openapi.json"))
        run([npm, "run", "gen:api"], cwd=FRONTEND)
    say("building the web page")
    run([npm, "run", "build"], cwd=FRONTEND)
    return True


def ensure_chromium() -> None:
    """The browser tests drive Debian's chromium; install it when missing (CI runs as root)."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("The browser tests need /usr/bin/chromium: run `sudo apt-get install -y chromium`.")
    say("installing Debian's chromium for the browser tests")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-q"], env=env)
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "chromium"], env=env)


# --- Commands ---------------------------------------------------------------------------------


def manage(python: Path, *args: str, env: dict[str, str] | None = None) -> None:
    run([str(python), str(BACKEND / "manage.py"), *args], env=env)


def become_manage(python: Path, *args: str, cwd: Path | None = None) -> NoReturn:
    """Once setup is done, replace this process with `manage.py ARGS` (same PID, same terminal).

    A launcher waiting on a child would die of the SIGTERM that docker stop, systemd or a
    supervisor sends it and leave the server serving on its port; after exec that signal (and
    Ctrl+C) reaches the server itself, nothing is left behind, and its exit status is ours.
    """
    command = [str(python), str(BACKEND / "manage.py"), *args]
    if cwd is not None:
        os.chdir(cwd)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)


def cmd_run(args: argparse.Namespace) -> int:
    python = ensure_venv(scale_extras())
    configure(args.no_input)
    build_frontend(required=False, api_from=python)
    manage(python, "migrate", "--noinput", "-v", "0")
    extra = [*(["--host", args.host] if args.host else []), *(["--port", str(args.port)] if args.port else [])]
    become_manage(python, "runstudio", *extra)


def cmd_serve(args: argparse.Namespace) -> int:
    """The studio's engines behind the tt-media-server API, for other studios to use."""
    os.environ["VIDEO_SERVE_ENABLED"] = "true"
    if args.provider:
        os.environ["VIDEO_SERVE_PROVIDER"] = args.provider
    return cmd_run(args)


def cmd_generate(args: argparse.Namespace, rest: list[str]) -> int:
    python = ensure_venv(())
    configure(no_input=True)
    manage(python, "migrate", "--noinput", "-v", "0")
    become_manage(python, "generate", *rest)


def scale_extras() -> tuple[str, ...]:
    """The scale extra (Celery, psycopg, S3) when the settings select any of them."""
    values = {**read_env(ENV_FILE), **{k: v for k, v in os.environ.items() if v}}
    wanted = (
        values.get("VIDEO_JOB_BACKEND") == "celery"
        or values.get("DATABASE_URL", "").startswith("postgres")
        or bool(values.get("STUDIO_S3_BUCKET"))
    )
    return ("scale",) if wanted else ()


def cmd_worker(args: argparse.Namespace) -> int:
    """Celery workers for the studio's jobs: one per provider queue, sized to its capacity."""
    python = ensure_venv(("scale",))
    configure(args.no_input)
    options = []
    if args.provider:
        options += ["--provider", args.provider]
    if args.concurrency:
        options += ["--concurrency", str(args.concurrency)]
    become_manage(python, "runworker", *options, cwd=BACKEND)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def ensure_services() -> None:
    """Start this machine's PostgreSQL and Redis for the scale tests when they are down.

    Never fails: when a service cannot be started, the scale tests fail with a clear message.
    """
    pg_versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    services = [
        (
            "PostgreSQL",
            5432,
            ["pg_ctlcluster", "--skip-systemctl-redirect", pg_versions[-1], "main", "start"] if pg_versions else None,
        ),
        (
            "Redis",
            6379,
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "-::1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                "/var/lib/redis",
                "--logfile",
                "/var/log/redis/ci.log",
            ],
        ),
    ]
    for name, port, start in services:
        if _port_open(port):
            continue
        if start is None or not shutil.which(start[0]):
            say(f"{name} is not answering on 127.0.0.1:{port} and is not installed here; the scale tests will fail")
            continue
        say(f"{name} is not answering on 127.0.0.1:{port}; starting it")
        try:
            if name == "Redis":  # its --dir and --logfile folders must exist
                os.makedirs("/var/lib/redis", exist_ok=True)
                os.makedirs("/var/log/redis", exist_ok=True)
            subprocess.run(start, timeout=60, capture_output=True)
        except (OSError, subprocess.SubprocessError) as exc:
            say(f"could not start {name}: {exc}")
        for _ in range(30):
            if _port_open(port):
                break
            time.sleep(0.5)
        else:
            say(f"{name} still does not answer on 127.0.0.1:{port}; the scale tests will fail")


def cmd_adduser(rest: list[str]) -> int:
    python = ensure_venv(())
    configure(no_input=True)
    manage(python, "migrate", "--noinput", "-v", "0")
    become_manage(python, "adduser", *rest)


def test_env() -> dict[str, str]:
    """Tests never read the developer's app/.env, and use their own data folder."""
    env = dict(os.environ)
    env.update(
        STUDIO_ENV_FILE=os.devnull,
        DJANGO_SECRET_KEY="test-only-secret-key",
        STUDIO_DATA_DIR=tempfile.mkdtemp(prefix="studio-test-"),
        STUDIO_PYTHON=str(venv_python()),
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
        ("ruff check", [*tool, "ruff", "check", "."], ROOT),
        ("ruff format --check", [*tool, "ruff", "format", "--check", "."], ROOT),
        ("mypy", [*tool, "mypy"], ROOT),
    ]
    if frontend:
        npm = shutil.which("npm") or "npm"
        found += [
            ("eslint", [npm, "run", "lint"], FRONTEND),
            ("prettier --check", [npm, "run", "format:check"], FRONTEND),
            ("tsc", [npm, "run", "typecheck"], FRONTEND),
        ]
    return found


def run_suites(suites: list[tuple[str, list[str], Path]], env: dict[str, str]) -> list[str]:
    failures = []
    for name, cmd, cwd in suites:
        say(f"running {name}")
        if subprocess.run(cmd, cwd=cwd, env=env).returncode != 0:
            failures.append(name)
    return failures


def cmd_check(args: argparse.Namespace) -> int:
    python = ensure_venv(("dev", "local", "scale"))
    frontend = (FRONTEND / "package.json").exists() and build_frontend(required=True)
    failures = run_suites(checks(python, frontend), test_env())
    say("FAILED: " + ", ".join(failures) if failures else "all checks passed")
    return 1 if failures else 0


def cmd_test(args: argparse.Namespace) -> int:
    python = ensure_venv(("dev", "local", "scale"))
    ensure_services()
    env = test_env()
    frontend = (FRONTEND / "package.json").exists() and not args.backend_only
    if frontend:
        ensure_chromium()
        build_frontend(required=True)
    suites = [] if args.skip_checks else checks(python, frontend)
    suites.append(("backend (pytest)", [str(python), "-m", "pytest", *args.pytest_args], BACKEND))
    if frontend:
        npm = shutil.which("npm") or "npm"
        suites += [
            ("web page unit tests (vitest)", [npm, "test"], FRONTEND),
            ("browser end-to-end tests (chromium)", [npm, "run", "e2e"], FRONTEND),
        ]
    failures = run_suites(suites, env)
    if failures:
        say("FAILED: " + ", ".join(failures))
        return 1
    say("all checks and test suites passed")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="run.py", description="Set up and run Video Studio.", formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-input", action="store_true", help="never prompt; take settings from the environment")
    parser.add_argument("--help-env", action="store_true", help="explain every setting in app/.env and exit")
    parser.add_argument("--host", help="address to listen on (default STUDIO_HOST, 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default STUDIO_PORT, 8000)")
    sub = parser.add_subparsers(dest="command")
    test = sub.add_parser("test", help="run every test (backend, web page, browser)")
    test.add_argument("--backend-only", action="store_true", help="only the Python checks and tests")
    test.add_argument("--skip-checks", action="store_true", help="skip lint, format and type checks")
    sub.add_parser("check", help="run the code checks only (ruff, mypy, eslint, prettier, tsc)")
    test.add_argument("pytest_args", nargs="*", help="extra arguments for pytest")
    worker = sub.add_parser("worker", help="run Celery workers for VIDEO_JOB_BACKEND=celery (docs/scale.md)")
    worker.add_argument("--provider", help="only this provider's queue (default: one worker per ready provider)")
    worker.add_argument("--concurrency", type=int, help="jobs at once (default: the provider's capacity)")
    worker.add_argument("--no-input", action="store_true", default=argparse.SUPPRESS)
    serve = sub.add_parser("serve", help="serve the local/preview engines behind the tt-media-server video API")
    serve.add_argument("--provider", help="engine to serve (default: local when ready, else preview)")
    serve.add_argument("--no-input", action="store_true")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("generate", help='make one video: generate "prompt" [--steps --seed --out --provider --in-process]')
    sub.add_parser("adduser", help="create a login (needed to listen on an address other than 127.0.0.1)")
    if argv[:1] == ["generate"]:
        return cmd_generate(parser.parse_args([]), argv[1:])
    if argv[:1] == ["adduser"]:
        return cmd_adduser(argv[1:])
    args = parser.parse_args(argv)
    if args.help_env:
        help_env()
        return 0
    if args.command == "test":
        return cmd_test(args)
    if args.command == "check":
        return cmd_check(args)
    if args.command == "worker":
        return cmd_worker(args)
    if args.command == "serve":
        return cmd_serve(args)
    return cmd_run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
