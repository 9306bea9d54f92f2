"""Webhooks with Celery workers (docs/scale.md): the worker that ends a job writes its delivery
in that transaction and its sender loop posts it; a queued job cancelled in a studio (which runs
no sender with the Celery backend) is announced by a worker too. Verified as a receiver would."""

from __future__ import annotations

import pytest

from tests.support.cluster import create
from tests.support.webhook_receiver import Receiver, verify
from tests.test_webhooks import PREVIEW, _wait_for_log, add_endpoint

pytestmark = pytest.mark.scale
pytest_plugins = ["tests.support.scale_services", "tests.support.scale_cluster"]  # services, the cluster


@pytest.fixture(scope="module")
def cluster_extra() -> dict[str, str]:
    return {"STUDIO_WEBHOOK_ALLOW_PRIVATE": "true"}  # the receiver is on loopback


def test_a_celery_worker_delivers_completed_and_cancelled_events(studios, start_workers):
    a, _ = studios
    receiver = Receiver()
    try:
        start_workers(1, "preview", concurrency=1)
        with a.client() as client:
            endpoint = add_endpoint(client, receiver.url)
            done = create(client, prompt="made by a worker", **PREVIEW)
            assert a.wait_for(done["id"])["status"] == "completed"
            assert client.post("/v1/queue", json={"paused": True, "model": "preview"}).status_code == 200
            try:
                waiting = create(client, prompt="cancelled in the studio", **PREVIEW)
                assert client.post(f"/v1/videos/{waiting['id']}/cancel").json()["status"] == "cancelled"
            finally:
                assert client.post("/v1/queue", json={"paused": False, "model": "preview"}).status_code == 200
            got = receiver.wait_until(lambda seen: len(seen) == 2)
            events = {verify(r, endpoint["secret"])["data"]["id"]: r.event["type"] for r in got}
            assert events == {done["id"]: "video.completed", waiting["id"]: "video.cancelled"}
            log = _wait_for_log(client, endpoint["id"], lambda log: {d["status"] for d in log} == {"delivered"})
            assert [d["attempts"] for d in log] == [1, 1]
    finally:
        receiver.close()
