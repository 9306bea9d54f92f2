"""The issue's run: twenty jobs (completed, failed on a refusing upstream, cancelled at a preview
gate) through a studio that is SIGKILLed with retries in flight and started again, and a
receiver that verifies every request with the standardwebhooks package (and the openai client):
each job's event is accepted exactly once, none lost, none accepted twice, and every attempt the
studio counted reached the receiver.

Nothing is timed: the receiver holds answers on Events the test sets. Every first attempt waits
until all twenty jobs have ended (so the four sender threads are busy and the other deliveries
pile up); first and second attempts are answered 500; third attempts are held until the studio
is dead, so when the four sender threads all hold one, the kill lands mid-retry. The retry
schedule is the spec's, shortened by STUDIO_WEBHOOK_RETRY_SCALE."""

from __future__ import annotations

import threading
from collections import Counter

from tests.support.cluster import create
from tests.support.gate import Gate
from tests.support.upstream import FakeUpstream
from tests.support.webhook_receiver import Answer, Received, Receiver, verify
from tests.test_webhooks import PRIVATE_OK, add_endpoint, deliveries

SENDERS = 4  # videos/webhooks/worker.py SENDERS: attempts one studio has in flight at most
PREVIEW = {"model": "preview", "size": "64x64", "num_frames": 1}


class Script:
    """The receiver's answers by attempt, in two phases: before and after the kill."""

    def __init__(self) -> None:
        self.jobs_ended = threading.Event()
        self.killed = threading.Event()
        self.held_third = 0  # third attempts received before the kill: each holds a sender thread

    def __call__(self, got: Received, attempt: int) -> Answer:
        if self.killed.is_set():  # the restarted studio: a third attempt (or later) is accepted
            return Answer(200) if attempt >= 3 else Answer(500)
        if attempt == 1:
            return Answer(500, hold=None if self.jobs_ended.is_set() else self.jobs_ended)
        if attempt == 2:
            return Answer(500)
        self.held_third += 1
        return Answer(500, hold=self.killed)  # in flight when the studio dies


def test_twenty_jobs_events_survive_500s_and_a_kill_mid_retry_each_accepted_once(studio_factory):
    upstream = FakeUpstream(mode="status:400")  # tt-cloud refuses every job: they fail
    script = Script()
    receiver = Receiver(policy=script)
    settings = dict(
        PRIVATE_OK,
        STUDIO_WEBHOOK_RETRY_SCALE=0.001,  # 5 s, 5 min, 30 min -> 5 ms, 0.3 s, 1.8 s
        CLOUD_VIDEO_GENERATION_URL=upstream.url,
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=upstream.token,
        VIDEO_MAX_ATTEMPTS=1,
    )
    try:
        studio = studio_factory(**settings)
        expected: dict[str, str] = {}
        with studio.client() as client:
            endpoint = add_endpoint(client, receiver.url, ["video.completed", "video.failed", "video.cancelled"])
            for number in range(20):
                if number % 10 < 4:
                    job = create(client, prompt=f"made {number}", **PREVIEW)
                    expected[job["id"]] = "video.completed"
                elif number % 10 < 7:
                    job = create(client, prompt=f"refused {number}", model="tt-cloud")
                    expected[job["id"]] = "video.failed"
                else:  # held at its gate (or still queued) when cancelled
                    job = create(client, prompt=Gate.prompt(f"run-{number}"), **PREVIEW)
                    assert client.post(f"/v1/videos/{job['id']}/cancel").status_code == 200
                    expected[job["id"]] = "video.cancelled"
            for video_id, kind in expected.items():
                assert studio.wait_for(video_id)["status"] == kind.removeprefix("video.")
            assert Counter(expected.values()) == {"video.completed": 8, "video.failed": 6, "video.cancelled": 6}
            script.jobs_ended.set()
            # Each sender thread ends up holding a third attempt: the studio is mid-retry.
            receiver.wait_until(lambda seen: script.held_third == SENDERS)
            before_kill = deliveries(client, endpoint["id"])
        studio.proc.kill()  # SIGKILL: four attempts leased to a dead process, the rest pending
        studio.proc.wait()
        assert len(before_kill) == 20 and {d["status"] for d in before_kill} == {"pending"}
        assert not receiver.delivered()
        script.killed.set()  # the held attempts are answered (500) to a dead sender

        restarted = studio_factory(studio.data_dir, **settings)
        receiver.wait_until(lambda seen: len({r.webhook_id for r in receiver.delivered()}) == 20)
        with restarted.client() as client:
            log = _wait_for_all_delivered(client, endpoint["id"])
    finally:
        upstream.close()
        receiver.close()

    # Every request the receiver got verifies; each event was accepted exactly once.
    events = [verify(r, endpoint["secret"]) for r in receiver.received]
    assert all(e["id"] == r.webhook_id for e, r in zip(events, receiver.received, strict=True))
    accepted = receiver.delivered()
    assert Counter(r.webhook_id for r in accepted) == {r.webhook_id: 1 for r in accepted}
    assert {r.event["data"]["id"]: r.event["type"] for r in accepted} == expected
    # The studio's count of attempts is the receiver's: none lost in the kill, none sent twice.
    sent = Counter(r.webhook_id for r in receiver.received)
    assert {d["event_id"]: d["attempts"] for d in log} == dict(sent)
    assert Counter(d["attempts"] for d in log)[4] == SENDERS  # the ones in flight at the kill
    assert all(d["attempts"] >= 3 and d["last_status_code"] == 200 for d in log)


def _wait_for_all_delivered(client, webhook_id: str) -> list[dict]:
    import time

    deadline = time.monotonic() + 60
    while True:
        log = deliveries(client, webhook_id)
        if len(log) == 20 and all(d["status"] == "delivered" for d in log):
            return log
        assert time.monotonic() < deadline, log
        time.sleep(0.05)  # polling the studio's state, not timing it
