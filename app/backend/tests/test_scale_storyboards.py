"""A storyboard on Celery workers (docs/scale.md): the continue shot's job is made, and the board
joined, in the worker process that completed the shot before it, not in a studio."""

from __future__ import annotations

import uuid

import pytest

from tests.support.storyboards import create, frames_of, shot, wait_board
from tests.test_scale import (  # noqa: F401  (the cluster's fixtures, shared with test_scale.py)
    cloud,
    cluster_settings,
    queue_prefix,
    shared_dir,
    start_workers,
    studios,
)

pytestmark = pytest.mark.scale
pytest_plugins = ["tests.support.scale_services"]  # redis_url, postgres_url


def test_a_board_moves_on_and_joins_in_the_celery_workers(studios, start_workers):  # noqa: F811
    a, b = studios
    workers = start_workers(1, "preview", concurrency=1)
    tag = uuid.uuid4().hex[:6]
    with a.client() as ca, b.client() as cb:
        made = create(
            ca,
            [shot(f"{tag} one"), shot(f"{tag} two", "continue"), shot(f"{tag} three", "crossfade", crossfade_frames=4)],
        )
        board = wait_board(cb, made["id"])
        assert board["metadata"]["frames"] == 3 * 17 - 1 - 4
        assert len(frames_of(cb.get(board["content_url"]).content)) == 3 * 17 - 5
    log = workers[0].log_path.read_text()
    assert f"storyboard {made['id']} rendered" in log  # joined where the last shot completed
