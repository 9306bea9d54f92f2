"""Installs match what was tested, and settings given through the environment stay there.

- (The locks themselves: tests/test_locks.py.)
- The commands README.md and docs/scale.md give an operator start from the venv that
  `python3 run.py` builds for the scale set (its lock, no dev packages): the studio until
  /healthz answers, `run.py worker` until Celery is ready on the real Redis, a one-queue worker,
  `generate` through them and in-process, `serve`, `adduser`. A package the lock misses fails
  here, not on an operator's machine (the test venv has everything, so only this venv can tell).
- No start that passes settings through the environment changes app/.env.

The launcher runs from a scratch checkout (run.py and app/backend copied, app/.env.default
linked, no app/frontend so no page is built) with STUDIO_VENV pointing at a new folder, as in
test_launcher_signals.py, so the shared .venv and the developer's app/.env are never touched.
pip's own cache is shared with the machine's, so only the first run on a machine downloads.
Redis and PostgreSQL are this machine's (see docs/scale.md, Tests): down is a failure, never a skip.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av
import httpx
import psycopg
import pytest
import redis
from packaging.markers import Marker

from tests.support.locks import canonical, launcher, lock_pins
from tests.support.studio import free_port

BACKEND = Path(__file__).resolve().parents[1]
ROOT = BACKEND.parents[1]
REDIS_URL = os.environ.get("STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_ADMIN_URL = os.environ.get("STUDIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
# The first start installs the scale set: minutes on a cold pip cache, seconds on a warm one.
INSTALL_TIMEOUT = 900


# --- the documented commands, from the install `python3 run.py` makes -------------------------


@dataclass
class Checkout:
    """A scratch checkout, its own venv, and the settings every command gets from the environment."""

    root: Path
    venv: Path
    env: dict[str, str]
    port: int
    prefix: str
    env_file_bytes: bytes | None = None
    started: list[subprocess.Popen] = field(default_factory=list)

    @property
    def env_file(self) -> Path:
        return self.root / "app" / ".env"

    def command(self, *args: str) -> list[str]:
        # `python3 run.py`: the machine's interpreter, not the test venv's.
        return [getattr(sys, "_base_executable", sys.executable), str(self.root / "run.py"), *args]

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"

    def launch(self, name: str, *args: str, **extra: str) -> subprocess.Popen:
        with open(self.log(name), "ab") as log:
            proc = subprocess.Popen(
                self.command(*args),
                cwd=self.root,
                env={**self.env, **extra},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group, so whatever it leaves can be cleaned up
            )
        self.started.append(proc)
        return proc

    def run(self, *args: str, stdin: str = "", timeout: float = 180, **extra: str) -> str:
        done = subprocess.run(
            self.command(*args),
            cwd=self.root,
            env={**self.env, **extra},
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"run.py {' '.join(args)} failed ({done.returncode}):\n{output}"
        return output

    def wait_for(self, proc: subprocess.Popen, name: str, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log(name).read_text(errors="replace"):
            assert proc.poll() is None, f"{name} exited ({proc.returncode}):\n{self.log(name).read_text()}"
            assert time.monotonic() < deadline, (
                f"{name}: no {text!r} after {timeout:g} s:\n{self.log(name).read_text()}"
            )
            time.sleep(0.2)

    def wait_healthy(self, proc: subprocess.Popen, name: str, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert proc.poll() is None, f"{name} exited ({proc.returncode}):\n{self.log(name).read_text()}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, f"{name} did not answer /healthz:\n{self.log(name).read_text()}"
            time.sleep(0.3)

    def stop(self, proc: subprocess.Popen, name: str) -> None:
        """SIGTERM, as docker stop and systemd do; it must end by itself within 30 s."""
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill(proc)
                pytest.fail(f"{name} still running 30 s after SIGTERM:\n{self.log(name).read_text()}")

    def kill(self, proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # only that command's own process group
        except ProcessLookupError:
            pass
        proc.wait(10)

    def assert_env_file_unchanged(self, after: str) -> None:
        assert self.env_file_bytes is not None
        assert self.env_file.read_bytes() == self.env_file_bytes, f"app/.env was rewritten by {after}"


def redis_client() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {REDIS_URL} cannot be reached ({exc}); see docs/scale.md, Tests.", pytrace=False)
    return client


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Checkout]:
    """run.py and app/backend copied (the server then reads this checkout's app/.env, as on a
    real clone), a fresh PostgreSQL database, queues of its own on the real Redis."""
    tmp = tmp_path_factory.mktemp("install")
    root = tmp / "checkout"
    (root / "app").mkdir(parents=True)
    shutil.copy(ROOT / "run.py", root / "run.py")
    shutil.copytree(ROOT / "launcher", root / "launcher", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "app" / ".env.default").symlink_to(ROOT / "app" / ".env.default")
    shutil.copytree(BACKEND, root / "app" / "backend", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    client = redis_client()
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        pytest.fail(f"PostgreSQL at {POSTGRES_ADMIN_URL} cannot be reached ({exc}).", pytrace=False)
    database = f"studio_install_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{database}"')
    prefix = f"studio-install-{uuid.uuid4().hex[:8]}"
    port = free_port()
    # Nothing of the test run's own settings leaks in: the scale settings of docs/scale.md's
    # "Running it", all given through the environment, as a supervisor or a shell would.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CLOUD_VIDEO", "VIDEO_", "CELERY_", "STUDIO_", "DJANGO_", "OPENAI_", "LOCAL_WAN"))
        and k not in ("DATABASE_URL", "VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    env.update(
        STUDIO_VENV=str(tmp / "venv"),
        STUDIO_DATA_DIR=str(tmp / "data"),
        STUDIO_PORT=str(port),
        VIDEO_JOB_BACKEND="celery",
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_QUEUE_PREFIX=prefix,
        DATABASE_URL=POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + database,
        PYTHONUNBUFFERED="1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    made = Checkout(root=root, venv=tmp / "venv", env=env, port=port, prefix=prefix)
    try:
        yield made
    finally:
        for proc in made.started:
            if proc.poll() is None:
                made.kill(proc)
        for key in client.scan_iter(f"{prefix}.*"):
            client.delete(key)
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def studio(checkout: Checkout) -> Iterator[subprocess.Popen]:
    """`python3 run.py --no-input` on a fresh clone: venv, the scale set, app/.env, migrate, serve."""
    proc = checkout.launch("studio", "--no-input")
    checkout.wait_healthy(proc, "studio", checkout.port, INSTALL_TIMEOUT)
    checkout.env_file_bytes = checkout.env_file.read_bytes()
    yield proc
    checkout.stop(proc, "studio")


@pytest.mark.timeout(INSTALL_TIMEOUT + 120)
def test_first_start_installs_the_scale_lock_and_nothing_else(checkout: Checkout, studio: subprocess.Popen) -> None:
    python = str(checkout.venv / "bin" / "python")
    frozen = subprocess.run([python, "-m", "pip", "freeze", "--all"], capture_output=True, text=True, check=True)
    installed = {canonical(n): v for n, _, v in (line.partition("==") for line in frozen.stdout.split())}
    wanted = {
        name: pin.version
        for name, pin in lock_pins(checkout.root / "app" / "backend" / "requirements-scale.lock").items()
        if not pin.marker or Marker(pin.marker).evaluate()
    }
    for tool in ("pip", "setuptools", "wheel"):  # what `python -m venv` itself put there
        if tool not in wanted:
            installed.pop(tool, None)
    assert installed == wanted, f"installed {set(installed.items()) ^ set(wanted.items())}"
    check = subprocess.run([python, "-m", "pip", "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.timeout(INSTALL_TIMEOUT + 240)
def test_worker_is_ready_on_redis_and_generate_goes_through_it(
    checkout: Checkout, studio: subprocess.Popen, tmp_path: Path
) -> None:
    """docs/scale.md: `python3 run.py worker`; README: `python3 run.py generate "..." --out fox.mp4`."""
    worker = checkout.launch("worker", "worker")
    checkout.wait_for(worker, "worker", " ready.", 180)  # Celery: "<name>@<host> ready." once it consumes
    out = tmp_path / "fox.mp4"
    checkout.run("generate", "A red fox in snow", "--out", str(out), timeout=180)
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) > 0
    assert f"{checkout.prefix}.preview" in checkout.log("worker").read_text()
    checkout.stop(worker, "worker")
    assert worker.returncode == 0, checkout.log("worker").read_text()
    checkout.assert_env_file_unchanged("`run.py worker`")


@pytest.mark.timeout(INSTALL_TIMEOUT + 120)
def test_one_queue_worker_of_explicit_size(checkout: Checkout, studio: subprocess.Popen) -> None:
    """docs/scale.md: `python3 run.py worker --provider tt-cloud --concurrency 2`."""
    worker = checkout.launch("worker-tt-cloud", "worker", "--provider", "tt-cloud", "--concurrency", "2")
    checkout.wait_for(worker, "worker-tt-cloud", " ready.", 180)
    banner = checkout.log("worker-tt-cloud").read_text()
    assert f"{checkout.prefix}.tt-cloud" in banner and re.search(r"concurrency:\s*2\b", banner), banner
    checkout.stop(worker, "worker-tt-cloud")
    checkout.assert_env_file_unchanged("`run.py worker --provider tt-cloud`")


@pytest.mark.timeout(INSTALL_TIMEOUT + 120)
def test_generate_in_process_serve_and_adduser(checkout: Checkout, studio: subprocess.Popen, tmp_path: Path) -> None:
    """README: `generate --in-process`, `serve`, `adduser NAME`, `--help-env`."""
    out = tmp_path / "in-process.mp4"
    checkout.run("generate", "A red fox in snow", "--out", str(out), "--in-process")
    with av.open(str(out)) as container:
        assert sum(1 for _ in container.decode(video=0)) > 0
    checkout.run("adduser", "ada", "--password-stdin", stdin="a long enough passphrase 71\n")
    assert "DJANGO_SECRET_KEY" in checkout.run("--help-env")
    port = free_port()
    serve = checkout.launch("serve", "serve", "--no-input", "--port", str(port))
    checkout.wait_healthy(serve, "serve", port, 120)
    checkout.stop(serve, "serve")
    checkout.assert_env_file_unchanged("`run.py generate`, `adduser`, `--help-env` or `serve`")


@pytest.mark.timeout(INSTALL_TIMEOUT + 120)
def test_environment_overrides_are_never_written_to_app_env(checkout: Checkout, studio: subprocess.Popen) -> None:
    """app/.env holds .env.default's values and a secret key of its own (no prompt answered with
    --no-input): none of the settings this checkout's every start got from the environment."""
    values = launcher("envfile").read_env(checkout.env_file)
    defaults = {name: default for name, default, _ in launcher("envfile").env_docs()}
    assert values.pop("DJANGO_SECRET_KEY")
    defaults.pop("DJANGO_SECRET_KEY")
    assert values == defaults, {k: v for k, v in values.items() if defaults.get(k) != v}
    # A start with an override, then stopped: the file is byte-identical.
    port = free_port()
    proc = checkout.launch(
        "override",
        "--no-input",
        "--port",
        str(port),
        CLOUD_VIDEO_GENERATION_URL="http://127.0.0.1:9/v1/override",
        STUDIO_LOG_LEVEL="DEBUG",
    )
    checkout.wait_healthy(proc, "override", port, 120)
    checkout.stop(proc, "override")
    checkout.assert_env_file_unchanged("a start with CLOUD_VIDEO_GENERATION_URL in the environment")
