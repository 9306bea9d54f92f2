"""Several tt-media-servers' settings (CLOUD_VIDEO_GENERATION_URL, _AUTH_TOKEN, _CONCURRENCY) are
checked when the studio starts, by the same parser the provider uses (fleet/config.py): a list the
provider would refuse stops the start with the reason, instead of failing every request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BACKEND = Path(__file__).resolve().parents[1]


def start_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`manage.py check`: the settings module loads as it does when the studio starts."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CLOUD_VIDEO_GENERATION_")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BACKEND,
        env={
            **clean,
            "STUDIO_ENV_FILE": os.devnull,
            "DJANGO_SECRET_KEY": "test",
            "STUDIO_DATA_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        (
            {"CLOUD_VIDEO_GENERATION_URL": "http://a,http://b", "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": "s1,s2,s3"},
            "CLOUD_VIDEO_GENERATION_AUTH_TOKEN lists 3 values for 2 URLs",
        ),
        # A trailing comma names no upstream: two URLs, so three tokens are one too many.
        (
            {"CLOUD_VIDEO_GENERATION_URL": "http://a,http://b,", "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": "s1,s2,s3"},
            "CLOUD_VIDEO_GENERATION_AUTH_TOKEN lists 3 values for 2 URLs",
        ),
        (
            {"CLOUD_VIDEO_GENERATION_URL": "http://a,http://b", "CLOUD_VIDEO_GENERATION_CONCURRENCY": "1,2,3"},
            "CLOUD_VIDEO_GENERATION_CONCURRENCY lists 3 values for 2 URLs",
        ),
        (
            {"CLOUD_VIDEO_GENERATION_URL": "http://a,http://b", "CLOUD_VIDEO_GENERATION_CONCURRENCY": "1,two"},
            "CLOUD_VIDEO_GENERATION_CONCURRENCY must be whole numbers",
        ),
    ],
)
def test_a_list_the_provider_would_refuse_stops_the_start(tmp_path: Path, env: dict[str, str], reason: str) -> None:
    done = start_check(tmp_path, **env)
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and reason in done.stderr
    assert "s1" not in done.stderr and "s2" not in done.stderr  # the tokens stay out of the message


@pytest.mark.parametrize(
    "env",
    [
        {"CLOUD_VIDEO_GENERATION_URL": "http://a,http://b", "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": "s1,s2"},
        {"CLOUD_VIDEO_GENERATION_URL": "http://a,http://b,", "CLOUD_VIDEO_GENERATION_AUTH_TOKEN": "s1,s2"},
        {"CLOUD_VIDEO_GENERATION_URL": "http://a,http://b", "CLOUD_VIDEO_GENERATION_CONCURRENCY": "2"},
    ],
)
def test_one_for_all_or_one_each_starts(tmp_path: Path, env: dict[str, str]) -> None:
    done = start_check(tmp_path, **env)
    assert done.returncode == 0, done.stderr[-2000:]
