"""What the benches that start a studio share. Imported before anything of the backend's: it
puts app/backend on sys.path (its test support starts studios and loopback upstreams) and sets
the environment the studio's settings read.

crash_suite.py keeps its own copy of the first part: a test loads it by file path, without
bench/ on sys.path.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1] / "app" / "backend"
sys.path.insert(0, str(BACKEND))
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-key")
os.environ["STUDIO_ENV_FILE"] = os.devnull

from tests.support.studio import StudioServer  # noqa: E402
from tests.support.upstream import FakeUpstream  # noqa: E402


def cloud_studio(upstream: FakeUpstream, data_dir: Path, **settings: str | int | float) -> StudioServer:
    """A studio (not started) on `data_dir` whose tt-cloud model is the loopback `upstream`,
    logging only warnings (a bench prints its own results); `settings` add to these."""
    return StudioServer(
        data_dir,
        None,
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        STUDIO_LOG_LEVEL="WARNING",
        **settings,
    )


def held_job(studio: StudioServer, prompt: str) -> str:
    """Create a tt-cloud job on a studio whose upstream never finishes one (`async_never`); its id
    once the studio has seen it running."""
    with studio.client() as client:
        video = client.post("/v1/videos", json={"prompt": prompt}).json()
    studio.wait_for(video["id"], ("in_progress",), timeout=30)
    return video["id"]
