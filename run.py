#!/usr/bin/env python3
"""Video Studio launcher and setup wizard. Standard library only.

python3 run.py              set up (venv, dependencies, app/.env, web page, database) and run
python3 run.py test         set up everything the tests need, run the code checks and every test
python3 run.py check        the code checks only: ruff, mypy, eslint, prettier, tsc
python3 run.py lock         compile app/backend/requirements*.txt into the hashed locks beside them
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
import difflib
import getpass
import hashlib
import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import NoReturn

ROOT = Path(__file__).resolve().parent
APP = ROOT / "app"
BACKEND = APP / "backend"
FRONTEND = APP / "frontend"
# Containers keep their own venv (STUDIO_VENV) apart from the host's .venv in the shared checkout.
VENV = Path(os.environ.get("STUDIO_VENV") or ROOT / ".venv")
ENV_FILE = APP / ".env"
ENV_DEFAULT = APP / ".env.default"
# Top-level pins, one input file per part; each install set is compiled (`python3 run.py lock`)
# into one lock beside them with every transitive package pinned and hashed, and only locks
# are installed. The smaller sets are compiled within the dev set, so every set installs the
# versions the tests ran on.
INPUTS = {
    "core": BACKEND / "requirements.txt",
    "scale": BACKEND / "requirements-scale.txt",
    "local": BACKEND / "requirements-local.txt",
    "dev": BACKEND / "requirements-dev.txt",
}
SETS = {
    "core": ("core",),
    "scale": ("core", "scale"),  # the studio and workers when the settings select Celery, PostgreSQL or S3
    "local": ("core", "local"),  # the local engine, on top of core (docs/local-engine.md)
    "dev": ("core", "scale", "local", "dev"),  # what `run.py test` and `run.py check` install
}
LOCKS = {name: BACKEND / f"requirements{'' if name == 'core' else '-' + name}.lock" for name in SETS}
# Installed by their exact pin from the inputs, never from a lock: torch 2.13.0 resolves to a CPU
# wheel that exists only in this project's machines' pip find-links (a hash of it would fail
# everywhere else), and a GPU host puts its own CUDA build of the same version in first.
UNLOCKED = ("torch",)
# Locks are for the platform the studio is built, tested and shipped on (the compose image too).
LOCK_TARGET = ("--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu")
CHROMIUM = Path("/usr/bin/chromium")
NGINX = Path("/usr/sbin/nginx")  # STUDIO_FRONT=nginx; its tests and bench/serve.py run the real one
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
        return f"{lock.relative_to(ROOT)} is missing: run `python3 run.py lock`"
    if f"# inputs-sha256: {inputs_digest(name)}" not in lock.read_text():
        return f"{lock.relative_to(ROOT)} is older than its inputs: run `python3 run.py lock`"
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
    if not venv_python().exists():
        say("creating the virtual environment in .venv")
        run([sys.executable, "-m", "venv", str(VENV)])

    def current(other: str) -> bool:
        stamp = VENV / f".installed-{other}"
        return stamp.exists() and stamp.read_text() == hashlib.sha256(LOCKS[other].read_bytes()).hexdigest()

    if any(set(SETS[name]) <= set(SETS[other]) and current(other) for other in SETS):
        return venv_python()
    say(f"installing Python dependencies ({', '.join(SETS[name])}); the first time takes a few minutes")
    pip = [str(venv_python()), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for pin in unlocked_pins(name):
        # Its dependencies are in the lock, hashed; first, so the lock's packages find it there.
        run([*pip, "--no-deps", pin])
    run([*pip, "--require-hashes", "-r", str(LOCKS[name])])
    (VENV / f".installed-{name}").write_text(hashlib.sha256(LOCKS[name].read_bytes()).hexdigest())
    return venv_python()


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
        run([*uv, *constraints, *inputs, "--output-file", lock], cwd=work, stdout=subprocess.DEVNULL)
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
    if not venv_python().exists():
        run([sys.executable, "-m", "venv", str(VENV)])
    python = venv_python()
    if subprocess.run([str(python), "-m", "uv", "--version"], capture_output=True).returncode != 0:
        uv = [line for line in requirement_lines(INPUTS["dev"]) if line.startswith("uv==")]
        run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", *uv])
    with tempfile.TemporaryDirectory(prefix="studio-lock-") as work:
        made = compile_locks(python, Path(work))
    stale = [LOCKS[n].name for n, text in made.items() if not LOCKS[n].exists() or LOCKS[n].read_text() != text]
    if args.check:
        if stale:
            for name, text in made.items():
                old = LOCKS[name].read_text().splitlines() if LOCKS[name].exists() else []
                diff = difflib.unified_diff(old, text.splitlines(), LOCKS[name].name, "compiled now", n=1, lineterm="")
                print("\n".join(list(diff)[:60]))
            say(f"not current with their inputs: {', '.join(stale)}; run `python3 run.py lock` and commit them")
            return 1
        say("every lock is current with its inputs")
        return 0
    for name, text in made.items():
        LOCKS[name].write_text(text)
    say(f"wrote {', '.join(stale)}" if stale else "every lock was already current")
    return 0


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
    """Create app/.env on the first run: .env.default's values, the answers to its prompts and
    a secret key of its own. Later runs leave it as it is.

    The environment is never written into it: settings.py reads both, the environment winning,
    so a value given through the environment applies to that process alone and never becomes
    the default of every later start from this checkout.
    """
    if ENV_FILE.exists():
        if not read_env(ENV_FILE).get("DJANGO_SECRET_KEY") and not os.environ.get("DJANGO_SECRET_KEY"):
            # A file made by hand without a key: the one line setup adds, appended as it is.
            say("app/.env has no DJANGO_SECRET_KEY; adding a new one")
            text = ENV_FILE.read_text()
            separator = "" if not text or text.endswith("\n") else "\n"
            with open(ENV_FILE, "a") as fh:
                fh.write(f"{separator}DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n")
        return
    values = {name: default for name, default, _ in env_docs()}
    interactive = not no_input and sys.stdin.isatty()
    say("creating app/.env from app/.env.default")
    for name, question, hidden in PROMPTED:
        if not interactive or os.environ.get(name):  # given for this process: neither asked nor stored
            continue
        if name.endswith("TOKEN") and not values.get("CLOUD_VIDEO_GENERATION_URL"):
            continue
        answer = getpass.getpass(f"{question}: ") if hidden else input(f"{question}: ")
        values[name] = answer.strip()
    values["DJANGO_SECRET_KEY"] = secrets.token_urlsafe(50)
    write_env(values)


def server_limits() -> ModuleType:
    """app/backend/studio/limits.py (standard library only), loaded before anything is installed."""
    spec = importlib.util.spec_from_file_location("studio_limits", BACKEND / "studio" / "limits.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses looks its module up while the class is made
    spec.loader.exec_module(module)
    return module


def help_env() -> None:
    print("Settings live in app/.env (created from app/.env.default by `python3 run.py`).")
    print("The process environment overrides the file for that process only and is never written into it.")
    print("Restart the studio after a change.\n")
    limits = server_limits()
    for name, default, comment in env_docs():
        if name not in limits.BY_NAME:
            shown = default if default else "(empty)"
            print(f"{name}  [default: {shown}]\n    {comment}\n")
    print("Server limits (app/backend/studio/limits.py; the fixed ones are no setting):\n")
    for line in limits.help_lines():
        print(line)


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


def ensure_debian_package(binary: Path, package: str, why: str) -> None:
    """Install a Debian package the tests or STUDIO_FRONT run for real when it is missing (as root)."""
    if binary.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"{binary} is missing, needed for {why}: run `sudo apt-get install -y {package}`.")
    say(f"installing Debian's {package}, needed for {why}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    if subprocess.run(install, env=env).returncode != 0:
        run(["apt-get", "update", "-q"], env=env)
        run(install, env=env)


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
    python = ensure_venv(install_set())
    configure(args.no_input)
    ensure_front()
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
    python = ensure_venv(install_set())
    configure(no_input=True)
    manage(python, "migrate", "--noinput", "-v", "0")
    become_manage(python, "generate", *rest)


def ensure_front() -> None:
    """STUDIO_FRONT=nginx with the default STUDIO_NGINX: Debian's nginx, installed when missing
    (as root: a container's first start); another path is the operator's own nginx."""
    values = {**read_env(ENV_FILE), **{k: v for k, v in os.environ.items() if v}}
    if values.get("STUDIO_FRONT") == "nginx" and Path(values.get("STUDIO_NGINX") or NGINX) == NGINX:
        ensure_debian_package(NGINX, "nginx", "STUDIO_FRONT=nginx")


def install_set() -> str:
    """'scale' (Celery, psycopg, S3) when the settings select any of them, else 'core'.

    Every command that reaches the database or the queue asks this, so `generate` and
    `adduser` with DATABASE_URL=postgres://... find psycopg as the studio does.
    """
    values = {**read_env(ENV_FILE), **{k: v for k, v in os.environ.items() if v}}
    wanted = (
        values.get("VIDEO_JOB_BACKEND") == "celery"
        or values.get("DATABASE_URL", "").startswith("postgres")
        or bool(values.get("STUDIO_S3_BUCKET"))
    )
    return "scale" if wanted else "core"


def cmd_worker(args: argparse.Namespace) -> int:
    """Celery workers for the studio's jobs: one per provider queue, sized to its capacity."""
    python = ensure_venv("scale")
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
    python = ensure_venv(install_set())
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
        # The layering docs/architecture.md states, as import-linter contracts (pyproject.toml).
        ("import-linter", [str(python.parent / "lint-imports"), "--config", str(ROOT / "pyproject.toml")], BACKEND),
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
    python = ensure_venv("dev")
    frontend = (FRONTEND / "package.json").exists() and build_frontend(required=True)
    failures = run_suites(checks(python, frontend), test_env())
    say("FAILED: " + ", ".join(failures) if failures else "all checks passed")
    return 1 if failures else 0


def cmd_test(args: argparse.Namespace) -> int:
    python = ensure_venv("dev")
    ensure_services()
    ensure_debian_package(NGINX, "nginx", "the tests of STUDIO_FRONT=nginx")
    env = test_env()
    frontend = (FRONTEND / "package.json").exists() and not args.backend_only
    if frontend:
        ensure_debian_package(CHROMIUM, "chromium", "the browser tests")
        build_frontend(required=True)
    suites = [] if args.skip_checks else checks(python, frontend)
    # A folder of this run's own: pytest prunes older numbered folders under one shared root, so
    # two runs at once (two checkouts on one machine) could delete each other's studios' files.
    basetemp = tempfile.mkdtemp(prefix="studio-pytest-")
    suites.append(
        ("backend (pytest)", [str(python), "-m", "pytest", f"--basetemp={basetemp}", *args.pytest_args], BACKEND)
    )
    if frontend:
        npm = shutil.which("npm") or "npm"
        suites += [
            ("web page unit tests (vitest)", [npm, "test"], FRONTEND),
            ("browser end-to-end tests (chromium)", [npm, "run", "e2e"], FRONTEND),
        ]
    failures = run_suites(suites, env)
    if failures:
        say("FAILED: " + ", ".join(failures) + f" (pytest's files: {basetemp})")
        return 1
    shutil.rmtree(basetemp, ignore_errors=True)
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
    lock = sub.add_parser("lock", help="compile the requirements files into the hashed locks beside them")
    lock.add_argument("--check", action="store_true", help="only check that every lock is current")
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
    if args.command == "lock":
        return cmd_lock(args)
    if args.command == "worker":
        return cmd_worker(args)
    if args.command == "serve":
        return cmd_serve(args)
    return cmd_run(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
