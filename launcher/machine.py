"""What the machine must provide: Debian packages (nginx, chromium), PostgreSQL and Redis for the
scale tests, and the web page's build with npm."""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from launcher import envfile, paths


def build_frontend(required: bool, api_from: Path | None = None) -> bool:
    """npm ci (when the lock changed) and build app/frontend into dist/.

    With `api_from` (the venv's python), the page's API types are first regenerated from the
    server's own OpenAPI document, so the page is built against the API it will talk to. The
    test run builds from the committed files instead, where a stale copy fails a test.
    """
    if not (paths.FRONTEND / "package.json").exists():
        return False
    npm = shutil.which("npm")
    if npm is None:
        message = "npm is not installed; the web page cannot be built (the API still works). Install Node.js 20+."
        if required:
            raise SystemExit(message)
        paths.say(message)
        return False
    lock = paths.FRONTEND / "package-lock.json"
    stamp = paths.FRONTEND / "node_modules" / ".studio-lock"
    digest = hashlib.sha256(lock.read_bytes()).hexdigest() if lock.exists() else ""
    if not stamp.exists() or stamp.read_text() != digest:
        paths.say("installing the web page's packages (npm ci)")
        paths.run([npm, "ci", "--no-audit", "--no-fund"], cwd=paths.FRONTEND)
        stamp.write_text(digest)
    if api_from is not None:
        paths.manage(api_from, "openapi", "--output", str(paths.FRONTEND / "src" / "api" / "openapi.json"))
        paths.run([npm, "run", "gen:api"], cwd=paths.FRONTEND)
    paths.say("building the web page")
    paths.run([npm, "run", "build"], cwd=paths.FRONTEND)
    return True


def ensure_debian_package(binary: Path, package: str, why: str) -> None:
    """Install a Debian package the tests or STUDIO_FRONT run for real when it is missing (as root)."""
    if binary.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"{binary} is missing, needed for {why}: run `sudo apt-get install -y {package}`.")
    paths.say(f"installing Debian's {package}, needed for {why}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    if subprocess.run(install, env=env).returncode != 0:
        paths.run(["apt-get", "update", "-q"], env=env)


def ensure_front() -> None:
    """STUDIO_FRONT=nginx with the default STUDIO_NGINX: Debian's nginx, installed when missing
    (as root: a container's first start); another path is the operator's own nginx."""
    values = {**envfile.read_env(paths.ENV_FILE), **{k: v for k, v in os.environ.items() if v}}
    if values.get("STUDIO_FRONT") == "nginx" and Path(values.get("STUDIO_NGINX") or paths.NGINX) == paths.NGINX:
        ensure_debian_package(paths.NGINX, "nginx", "STUDIO_FRONT=nginx")
        if paths.NJS.exists():
            return
        if os.geteuid() == 0 and shutil.which("apt-get"):  # optional: without it links go through the studio
            ensure_debian_package(paths.NJS, "libnginx-mod-http-js", "nginx to check signed links itself")
        else:
            paths.say("note: `sudo apt-get install -y libnginx-mod-http-js` lets nginx send signed links by itself")


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
            paths.say(
                f"{name} is not answering on 127.0.0.1:{port} and is not installed here; the scale tests will fail"
            )
            continue
        paths.say(f"{name} is not answering on 127.0.0.1:{port}; starting it")
        try:
            if name == "Redis":  # its --dir and --logfile folders must exist
                os.makedirs("/var/lib/redis", exist_ok=True)
                os.makedirs("/var/log/redis", exist_ok=True)
            subprocess.run(start, timeout=60, capture_output=True)
        except (OSError, subprocess.SubprocessError) as exc:
            paths.say(f"could not start {name}: {exc}")
        for _ in range(30):
            if _port_open(port):
                break
            time.sleep(0.5)
        else:
            paths.say(f"{name} still does not answer on 127.0.0.1:{port}; the scale tests will fail")
