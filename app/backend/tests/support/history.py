"""A long job history for the database tests (tests/test_history_*.py): bulk-made jobs a second
apart, and one API call through Django's test client with the SQL it ran.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from videos.models import VideoJob

Status = VideoJob.Status
KEY = "history-scale-test-key"
AUTH = {"STUDIO_API_KEYS": f"alice:{KEY}", "STUDIO_AUTH_REQUIRED": True}
T0 = datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())


def add_history(count: int, *, start: int = 0, queued: int = 0) -> list[VideoJob]:
    """`count` completed jobs (alice's and bob's, a second apart, 20 s runs), then `queued` on top."""
    jobs = []
    for i in range(start, start + count + queued):
        created = T0 + timedelta(seconds=i)
        done = i < start + count
        jobs.append(
            VideoJob(
                owner=("alice", "bob")[i % 2],
                provider="preview",
                prompt=f"history {i}",
                num_inference_steps=12,
                seed=i,
                width=64,
                height=64,
                num_frames=17,
                preview=True,
                status=Status.COMPLETED if done else Status.QUEUED,
                progress=100.0 if done else 0.0,
                started_at=created if done else None,
                completed_at=created + timedelta(seconds=20) if done else None,
            )
        )
    made = VideoJob.objects.bulk_create(jobs)
    for job in made:  # auto_now_add overrides the field on insert: set the spread-out times afterwards
        job.created_at = T0 + timedelta(seconds=job.seed)
    VideoJob.objects.bulk_update(made, ["created_at"], batch_size=500)
    return list(VideoJob.objects.filter(id__in=[j.id for j in made]).order_by("created_at"))


def call(client: Client, method: str, path: str, owned: bool, **body: Any) -> tuple[dict, list[str]]:
    headers = {"Authorization": f"Bearer {KEY}"} if owned else {}
    with CaptureQueriesContext(connection) as queries:
        if method == "POST":
            response = client.post(path, body, content_type="application/json", headers=headers)
        else:
            response = client.get(path, headers=headers)
    assert response.status_code in (200, 201), response.content
    return response.json(), [q["sql"] for q in queries.captured_queries]
