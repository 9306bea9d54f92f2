"""app/.env: made on the first run from app/.env.default, read by every command, explained by
--help-env."""

from __future__ import annotations

import getpass
import importlib.util
import os
import secrets
import sys
from pathlib import Path
from types import ModuleType

from launcher import paths

# Asked for on first setup (the seed's configuration prompts); everything else keeps its default.
PROMPTED = (
    ("CLOUD_VIDEO_GENERATION_URL", "Cloud video generation URL (Enter to skip and use the preview engine)", False),
    ("CLOUD_VIDEO_GENERATION_AUTH_TOKEN", "Cloud video generation auth token (input hidden)", True),
)


def env_docs() -> list[tuple[str, str, str]]:
    """(name, default, comment) for every setting in app/.env.default."""
    out, comment = [], []
    for line in paths.ENV_DEFAULT.read_text().splitlines():
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
    for line in paths.ENV_DEFAULT.read_text().splitlines():
        name = line.partition("=")[0].strip()
        if "=" in line and not line.lstrip().startswith("#") and name in values:
            lines.append(f"{name}={values[name]}")
        else:
            lines.append(line)
    known = {name for name, _, _ in env_docs()}
    lines += [f"{k}={v}" for k, v in values.items() if k not in known]
    fd = os.open(paths.ENV_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def configure(no_input: bool) -> None:
    """Create app/.env on the first run: .env.default's values, the answers to its prompts and
    a secret key of its own. Later runs leave it as it is.

    The environment is never written into it: settings.py reads both, the environment winning,
    so a value given through the environment applies to that process alone and never becomes
    the default of every later start from this checkout.
    """
    if paths.ENV_FILE.exists():
        if not read_env(paths.ENV_FILE).get("DJANGO_SECRET_KEY") and not os.environ.get("DJANGO_SECRET_KEY"):
            # A file made by hand without a key: the one line setup adds, appended as it is.
            paths.say("app/.env has no DJANGO_SECRET_KEY; adding a new one")
            text = paths.ENV_FILE.read_text()
            separator = "" if not text or text.endswith("\n") else "\n"
            with open(paths.ENV_FILE, "a") as fh:
                fh.write(f"{separator}DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n")
        return
    values = {name: default for name, default, _ in env_docs()}
    interactive = not no_input and sys.stdin.isatty()
    paths.say("creating app/.env from app/.env.default")
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
    """app/backend/serving/limits.py (standard library only), loaded before anything is installed."""
    spec = importlib.util.spec_from_file_location("studio_limits", paths.BACKEND / "serving" / "limits.py")
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
    print("Server limits (app/backend/serving/limits.py; the fixed ones are no setting):\n")
    for line in limits.help_lines():
        print(line)


def install_set() -> str:
    """'scale' (Celery, psycopg, S3) when the settings select any of them, else 'core'.

    Every command that reaches the database or the queue asks this, so `generate` and
    `adduser` with DATABASE_URL=postgres://... find psycopg as the studio does.
    """
    values = {**read_env(paths.ENV_FILE), **{k: v for k, v in os.environ.items() if v}}
    wanted = (
        values.get("VIDEO_JOB_BACKEND") == "celery"
        or values.get("DATABASE_URL", "").startswith("postgres")
        or bool(values.get("STUDIO_S3_BUCKET"))
    )
    return "scale" if wanted else "core"
