"""A storyboard on Celery workers (docs/scale.md): the continue shot's job is made, and the board
joined, in the worker process that completed the shot before it, not in a studio."""

from __future__ import annotations

import uuid

import pytest

from tests.support.storyboards import create, frames_of, shot, wait_board

pytestmark = pytest.mark.scale
pytest_plugins = ["tests.support.scale_services", "tests.support.scale_cluster"]  # services, the cluster


def test_a_board_moves_on_and_joins_in_the_celery_workers(studios, start_workers):
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
