"""Signed webhooks through real studios (subprocesses on the preview engine and a fake tt-cloud
upstream) and a real loopback receiver, each delivery verified with the standardwebhooks
package and the openai client: one per job end of the right type, retries after a 500, 410
stops them, a killed studio's delivery is sent once after the restart."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.support.cluster import create
from tests.support.upstream import FakeUpstream
from tests.support.webhook_receiver import Answer, Receiver, verify

PRIVATE_OK = dict(STUDIO_WEBHOOK_ALLOW_PRIVATE="true", VIDEO_RATE_LIMIT_PER_MINUTE=0)
FAST_RETRIES = dict(PRIVATE_OK, STUDIO_WEBHOOK_RETRY_SCALE=0.001)
PREVIEW = {"model": "preview", "size": "64x64", "num_frames": 1}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def add_endpoint(client, url: str, events: list[str] | None = None) -> dict:
    answer = client.post("/v1/webhooks", json={"url": url, **({"events": events} if events else {})})
    assert answer.status_code == 201, answer.text
    assert answer.json()["secret"].startswith("whsec_")
    return answer.json()


def deliveries(client, webhook_id: str) -> list[dict]:
    answer = client.get(f"/v1/webhooks/{webhook_id}/deliveries")
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def test_completed_failed_and_cancelled_jobs_each_get_one_verified_event(studio_factory, receiver, tmp_path):
    upstream = FakeUpstream(mode="status:400")  # tt-cloud refuses the job: it fails
    try:
        studio = studio_factory(
            CLOUD_VIDEO_GENERATION_URL=upstream.url,
            CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
            VIDEO_MAX_ATTEMPTS=1,
            **PRIVATE_OK,
        )
        with studio.client() as client:
            endpoint = add_endpoint(client, receiver.url)
            done = create(client, prompt="a lighthouse", **PREVIEW)
            failed = create(client, prompt="a refused job", model="tt-cloud")
            held = create(client, prompt=studio.gate.prompt("wh-cancel"), **PREVIEW)
            studio.gate.wait_until_held("wh-cancel")
            assert client.post(f"/v1/videos/{held['id']}/cancel").status_code == 200
            queued_then_cancelled = create(client, prompt=studio.gate.prompt("wh-never"), **PREVIEW)
            client.post(f"/v1/videos/{queued_then_cancelled['id']}/cancel")
            expected = {
                done["id"]: "video.completed",
                failed["id"]: "video.failed",
                held["id"]: "video.cancelled",
                queued_then_cancelled["id"]: "video.cancelled",
            }
            for video_id, status in expected.items():
                assert studio.wait_for(video_id)["status"] == status.removeprefix("video.")
            got = receiver.wait_until(lambda seen: len(seen) >= 4)
            events = [verify(r, endpoint["secret"]) for r in got]
            assert {e["data"]["id"]: e["type"] for e in events} == expected
            assert all(e["object"] == "event" and e["id"].startswith("evt_") for e in events)
            assert {r.webhook_id for r in got} == {e["id"] for e in events}
            log = deliveries(client, endpoint["id"])
            assert sorted(d["status"] for d in log) == ["delivered"] * 4
            assert all(d["attempts"] == 1 and d["last_status_code"] == 200 for d in log)
        assert len(receiver.received) == 4  # nothing more came meanwhile
        logs = (studio.log_path).read_text()
        assert endpoint["secret"] not in logs and endpoint["secret"].removeprefix("whsec_") not in logs
    finally:
        upstream.close()


def test_a_500_is_retried_and_410_stops_the_retries(studio_factory, receiver):
    studio = studio_factory(**FAST_RETRIES)
    # A redirect is an answer like any other: not followed (had it been, attempt 2 would be delivered).
    receiver.script = [Answer(500), Answer(302, {"Location": receiver.url}), Answer(200)]
    with studio.client() as client:
        endpoint = add_endpoint(client, receiver.url, ["video.completed"])
        job = create(client, prompt="retried", **PREVIEW)
        got = receiver.wait_until(lambda seen: len(seen) == 3 and seen[-1].answered == 200)
        assert {r.webhook_id for r in got} == {got[0].webhook_id}  # one event, three attempts
        assert verify(got[-1], endpoint["secret"])["data"]["id"] == job["id"]
        log = deliveries(client, endpoint["id"])
        assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [("delivered", 3, 200)]

        receiver.script = [Answer(410)]
        create(client, prompt="gone", **PREVIEW)
        receiver.wait_until(lambda seen: len(seen) == 4 and seen[-1].answered == 410)
        # The 410 is written after its answer: the log says stopped once the studio read it.
        stopped = _wait_for_log(client, endpoint["id"], lambda log: log[0]["status"] != "pending")
        assert (stopped[0]["status"], stopped[0]["attempts"]) == ("stopped", 1)
        test = client.post(f"/v1/webhooks/{endpoint['id']}/test")  # the receiver answers 200 again
        assert test.status_code == 202
        got = receiver.wait_until(lambda seen: len(seen) == 5)
        assert len(receiver.received) == 5  # the stopped delivery was not tried again
        assert verify(got[-1], endpoint["secret"])["type"] == "webhook.test"


def _wait_for_log(client, webhook_id: str, done, timeout: float = 30) -> list[dict]:
    import time

    deadline = time.monotonic() + timeout
    while True:
        log = deliveries(client, webhook_id)
        if done(log):
            return log
        assert time.monotonic() < deadline, log
        time.sleep(0.05)  # polling the studio's state, not timing it


def test_a_killed_studio_sends_its_delivery_once_after_the_restart(studio_factory, receiver, tmp_path):
    studio = studio_factory(**PRIVATE_OK)
    release = threading.Event()
    receiver.script = [Answer(500, hold=release)]  # the first attempt is in flight when the studio dies
    with studio.client() as client:
        endpoint = add_endpoint(client, receiver.url, ["video.completed"])
        job = create(client, prompt="survives a crash", **PREVIEW)
        receiver.wait_until(lambda seen: len(seen) == 1)
    studio.proc.kill()  # SIGKILL: the delivery stays leased to a dead process
    studio.proc.wait()
    release.set()
    restarted = studio_factory(studio.data_dir, **PRIVATE_OK)
    with restarted.client() as client:
        got = receiver.wait_until(lambda seen: any(r.answered == 200 for r in seen))
        log = _wait_for_log(client, endpoint["id"], lambda log: log[0]["status"] == "delivered")
    assert log[0]["attempts"] == 2
    assert Counter(r.webhook_id for r in receiver.delivered()) == {got[0].webhook_id: 1}
    assert verify(receiver.delivered()[0], endpoint["secret"])["data"]["id"] == job["id"]


def test_a_delivery_pending_a_retry_outlives_a_killed_studio(studio_factory, receiver):
    # Waits doubled (the first retry 9-11 s after the 500): the kill, made as soon as the studio
    # has recorded the retry, comes long before it; the restarted studio sends it when it is due.
    settings = dict(PRIVATE_OK, STUDIO_WEBHOOK_RETRY_SCALE=2)
    studio = studio_factory(**settings)
    receiver.script = [Answer(500)]
    with studio.client() as client:
        endpoint = add_endpoint(client, receiver.url, ["video.completed"])
        job = create(client, prompt="retried after a crash", **PREVIEW)
        pending = _wait_for_log(client, endpoint["id"], lambda log: log and log[0]["last_status_code"] == 500)
    studio.proc.kill()
    studio.proc.wait()
    assert (pending[0]["status"], pending[0]["attempts"]) == ("pending", 1)
    assert len(receiver.received) == 1
    restarted = studio_factory(studio.data_dir, **settings)
    got = receiver.wait_until(lambda seen: any(r.answered == 200 for r in seen), timeout=60)
    with restarted.client() as client:
        log = _wait_for_log(client, endpoint["id"], lambda log: log[0]["status"] == "delivered")
    assert log[0]["attempts"] == 2 and len(got) == 2
    assert Counter(r.webhook_id for r in receiver.delivered()) == {got[0].webhook_id: 1}
    assert verify(receiver.delivered()[0], endpoint["secret"])["data"]["id"] == job["id"]


def test_a_finished_sweep_is_announced_once(studio_factory, receiver):
    studio = studio_factory(**PRIVATE_OK)
    with studio.client() as client:
        endpoint = add_endpoint(client, receiver.url, ["sweep.completed"])
        answer = client.post(
            "/v1/videos/sweeps",
            json={"base": {"prompt": "a sweep", **PREVIEW}, "axes": [{"param": "seed", "values": [1, 2, 3]}]},
        )
        assert answer.status_code == 201, answer.text
        sweep = answer.json()
        for cell in sweep["cells"]:
            assert studio.wait_for(cell["video_id"])["status"] == "completed"
        # Written with the last cell's end: the log holds it now, and only it.
        assert [d["type"] for d in deliveries(client, endpoint["id"])] == ["sweep.completed"]
        (got,) = receiver.wait_until(lambda seen: len(seen) == 1)
        assert verify(got, endpoint["secret"])["data"]["id"] == sweep["id"]
