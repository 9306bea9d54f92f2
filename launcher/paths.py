"""Where the launcher finds things. Other parts read these as `paths.NAME` (never a copy), so a
test can point one elsewhere."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app"
BACKEND = APP / "backend"
FRONTEND = APP / "frontend"
# Containers keep their own venv (STUDIO_VENV) apart from the host's .venv in the shared checkout.
VENV = Path(os.environ.get("STUDIO_VENV") or ROOT / ".venv")
ENV_FILE = APP / ".env"
ENV_DEFAULT = APP / ".env.default"
CHROMIUM = Path("/usr/bin/chromium")
NGINX = Path("/usr/sbin/nginx")  # STUDIO_FRONT=nginx; its tests and bench/serve.py run the real one
NJS = Path("/usr/lib/nginx/modules/ngx_http_js_module.so")  # with it, nginx checks signed links itself


def say(message: str) -> None:
    print(f"[video-studio] {message}", flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def venv_python() -> Path:
    return VENV / "bin" / "python"


def manage(python: Path, *args: str, env: dict[str, str] | None = None) -> None:
    run([str(python), str(BACKEND / "manage.py"), *args], env=env)
