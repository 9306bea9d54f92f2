"""The commands of run.py and their arguments."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from launcher import envfile, locks, machine, paths, testing


def become_manage(python: Path, *args: str, cwd: Path | None = None) -> NoReturn:
    """Once setup is done, replace this process with `manage.py ARGS` (same PID, same terminal).

    A launcher waiting on a child would die of the SIGTERM that docker stop, systemd or a
    supervisor sends it and leave the server serving on its port; after exec that signal (and
    Ctrl+C) reaches the server itself, nothing is left behind, and its exit status is ours.
    """
    command = [str(python), str(paths.BACKEND / "manage.py"), *args]
    if cwd is not None:
        os.chdir(cwd)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)


def cmd_run(args: argparse.Namespace) -> int:
    python = locks.ensure_venv(envfile.install_set())
    envfile.configure(args.no_input)
    machine.ensure_front()
    machine.build_frontend(required=False, api_from=python)
    paths.manage(python, "migrate", "--noinput", "-v", "0")
    extra = [*(["--host", args.host] if args.host else []), *(["--port", str(args.port)] if args.port else [])]
    become_manage(python, "runstudio", *extra)


def cmd_serve(args: argparse.Namespace) -> int:
    """The studio's engines behind the tt-media-server API, for other studios to use."""
    os.environ["VIDEO_SERVE_ENABLED"] = "true"
    if args.provider:
        os.environ["VIDEO_SERVE_PROVIDER"] = args.provider
    return cmd_run(args)


def cmd_generate(args: argparse.Namespace, rest: list[str]) -> int:
    python = locks.ensure_venv(envfile.install_set())
    envfile.configure(no_input=True)
    paths.manage(python, "migrate", "--noinput", "-v", "0")
    become_manage(python, "generate", *rest)


def cmd_worker(args: argparse.Namespace) -> int:
    """Celery workers for the studio's jobs: one per provider queue, sized to its capacity."""
    python = locks.ensure_venv("scale")
    envfile.configure(args.no_input)
    options = []
    if args.provider:
        options += ["--provider", args.provider]
    if args.concurrency:
        options += ["--concurrency", str(args.concurrency)]
    become_manage(python, "runworker", *options, cwd=paths.BACKEND)


def cmd_adduser(rest: list[str]) -> int:
    python = locks.ensure_venv(envfile.install_set())
    envfile.configure(no_input=True)
    paths.manage(python, "migrate", "--noinput", "-v", "0")
    become_manage(python, "adduser", *rest)


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
    sub.add_parser(
        "generate",
        help='make one video: generate "prompt" [--steps --seed --out --provider --in-process]; '
        "one per line of a file: --from FILE [--out-dir DIR]",
    )
    sub.add_parser("adduser", help="create a login (needed to listen on an address other than 127.0.0.1)")
    if argv[:1] == ["generate"]:
        return cmd_generate(parser.parse_args([]), argv[1:])
    if argv[:1] == ["adduser"]:
        return cmd_adduser(argv[1:])
    args = parser.parse_args(argv)
    if args.help_env:
        envfile.help_env()
        return 0
    if args.command == "test":
        return testing.cmd_test(args)
    if args.command == "check":
        return testing.cmd_check(args)
    if args.command == "lock":
        return locks.cmd_lock(args)
    if args.command == "worker":
        return cmd_worker(args)
    if args.command == "serve":
        return cmd_serve(args)
    return cmd_run(args)
