"""Steering the queue with Celery workers (docs/scale.md): the order is the database's, not the
broker's. A paused model's queue gets four jobs through two studios; one is edited and moved to
the front through the other; after resuming, one worker slot runs them in the steered order."""

from __future__ import annotations

import uuid

import pytest

from tests.support.cluster import create

pytestmark = pytest.mark.scale
pytest_plugins = ["tests.support.scale_services", "tests.support.scale_cluster"]  # services, the cluster


def test_a_paused_queue_edited_and_reordered_runs_in_the_databases_order(studios, start_workers):
    a, b = studios
    start_workers(1, "preview", concurrency=1)
    gate, tag = a.gate, uuid.uuid4().hex[:6]
    with a.client() as ca, b.client() as cb:
        assert ca.post("/v1/queue", json={"paused": True, "model": "preview"}).status_code == 200
        try:
            fields = {"model": "preview", "size": "64x64", "num_frames": 1}
            jobs = [create(ca if n % 2 else cb, prompt=gate.prompt(f"cq{tag}{n}"), **fields) for n in range(4)]
            gates = {job["id"]: f"cq{tag}{n}" for n, job in enumerate(jobs)}
            third = jobs[2]["id"]
            fox = gate.prompt(f"cq{tag}2", "a fox in snow")
            assert cb.post(f"/v1/videos/{third}", json={"prompt": fox}).status_code == 200
            assert ca.post(f"/v1/videos/{third}", json={"queue_position": 1}).status_code == 200
            queued = cb.get("/v1/queue").json()
            expected = [third, jobs[0]["id"], jobs[1]["id"], jobs[3]["id"]]
            assert [job["id"] for job in queued["data"]] == expected
            assert {job["status"] for job in queued["data"]} == {"queued"}  # the worker started none while paused
        finally:
            assert ca.post("/v1/queue", json={"paused": False, "model": "preview"}).status_code == 200
    assert gate.start_order(gates) == expected
    done = a.wait_for(third, timeout=30)
    assert done["status"] == "completed" and done["prompt"] == fox
