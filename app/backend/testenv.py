"""A pytest plugin (loaded with -p from pytest.ini) that fixes test settings before Django
loads, so a developer's app/.env never leaks into the tests."""

from __future__ import annotations

import os
import tempfile

os.environ["STUDIO_ENV_FILE"] = os.devnull
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("STUDIO_DATA_DIR", tempfile.mkdtemp(prefix="studio-test-"))
os.environ.setdefault("VIDEO_WATERMARK", "false")  # as tests/support/studio.py's subprocesses
for name in (
    "CLOUD_VIDEO_GENERATION_URL",
    "CLOUD_VIDEO_GENERATION_AUTH_TOKEN",
    "DATABASE_URL",
    "VIDEO_JOB_BACKEND",
    "PROMPT_ENHANCER_URL",
    "PROMPT_ENHANCER_API_KEY",
):
    os.environ.pop(name, None)
