"""Steering the queue over real HTTP (videos/queue/order.py, videos/jobs/steering.py): pause,
edit a queued job, move it, resume; round-robin between people; what each may do. The queue is
paused while jobs are set up, so every job is still queued when it is steered, however fast the
preview engine is; each job then waits at a gate of its own (tests/support/gate.py), so the order
they start in is seen one job at a time."""

from __future__ import annotations

import httpx
import pytest

ALICE, BOB = "alice-key-aaaaaaaaaaaa", "bob-key-bbbbbbbbbbbbbb"


def create(client: httpx.Client, prompt: str, **fields) -> dict:
    answer = client.post("/v1/videos", json={"prompt": prompt, "size": "64x64", "num_frames": 1, **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_pause_edit_move_resume_runs_the_edited_job_first(studio_factory):
    studio = studio_factory()
    with studio.client() as client:
        paused = client.post("/v1/queue", json={"paused": True})
        assert paused.status_code == 200, paused.text
        assert paused.json()["paused"] is True
        assert next(m for m in client.get("/v1/models").json()["data"] if m["id"] == "preview")["queue_paused"]
        assert 'studio_queue_paused{provider="preview"} 1.0' in client.get("/metrics").text
        jobs = [create(client, studio.gate.prompt(f"q{n}", f"shot {n}")) for n in range(4)]
        gates = {job["id"]: f"q{n}" for n, job in enumerate(jobs)}
        queue = client.get("/v1/queue").json()
        assert [job["id"] for job in queue["data"]] == [job["id"] for job in jobs]
        assert [job["queue_position"] for job in queue["data"]] == [0, 1, 2, 3]
        assert {job["status"] for job in queue["data"]} == {"queued"}

        third = jobs[2]["id"]
        fox = studio.gate.prompt("q2", "a fox in snow")
        enhanced = client.post(f"/v1/videos/{third}", json={"prompt": fox, "original_prompt": "fox"})
        assert enhanced.status_code == 200 and enhanced.json()["original_prompt"] == "fox", enhanced.text
        edited = client.post(f"/v1/videos/{third}", json={"prompt": fox, "seed": 42})
        assert edited.status_code == 200, edited.text
        assert edited.json()["prompt"] == fox and edited.json()["seed"] == 42
        assert edited.json()["original_prompt"] is None  # a prompt typed again is the person's own
        moved = client.post(f"/v1/videos/{third}", json={"queue_position": 1})
        assert moved.status_code == 200, moved.text
        assert moved.json()["queue_position"] == 0  # the answer counts the jobs ahead: none
        order = [job["id"] for job in client.get("/v1/queue").json()["data"]]
        assert order == [third, jobs[0]["id"], jobs[1]["id"], jobs[3]["id"]]
        last = client.post(f"/v1/videos/{jobs[0]['id']}", json={"queue_position": 99})
        assert last.status_code == 200 and last.json()["queue_position"] == 3
        before = client.post(f"/v1/videos/{jobs[3]['id']}", json={"before": jobs[1]["id"]})
        assert before.status_code == 200 and before.json()["queue_position"] == 1
        expected = [third, jobs[3]["id"], jobs[1]["id"], jobs[0]["id"]]
        assert [job["id"] for job in client.get("/v1/queue").json()["data"]] == expected

        # Still paused after a restart: nothing has started.
        studio.stop()
        studio.start()
    with studio.client() as client:
        assert client.get("/v1/queue").json()["paused"] is True
        assert client.get(f"/v1/videos/{third}").json()["status"] == "queued"
        resumed = client.post("/v1/queue", json={"paused": False})
        assert resumed.status_code == 200 and resumed.json()["paused"] is False
        assert studio.gate.start_order(gates) == expected
        done = studio.wait_for(third)
        assert done["status"] == "completed" and done["prompt"] == fox and done["seed"] == 42


def test_a_started_job_cannot_be_edited_and_bad_changes_are_clear(studio_factory):
    studio = studio_factory()
    gate = studio.gate
    with studio.client() as client:
        running = create(client, gate.prompt("edit-running"))
        gate.wait_until_held("edit-running")
        refused = client.post(f"/v1/videos/{running['id']}", json={"prompt": "too late"})
        assert refused.status_code == 409, refused.text
        assert refused.json()["error"]["code"] == "not_queued"
        assert "in progress" in refused.json()["error"]["message"]
        assert client.get(f"/v1/videos/{running['id']}").json()["prompt"] == running["prompt"]

        assert client.post("/v1/queue", json={"paused": True, "model": "preview"}).status_code == 200
        waiting = create(client, "waits")
        for body, param in (
            ({"num_inference_steps": 10_000}, "num_inference_steps"),
            ({"size": "nonsense"}, "size"),
            ({"queue_position": 0}, "queue_position"),
            ({"before": "video_" + "0" * 32}, "before"),
            ({"colour": "red"}, "colour"),
        ):
            answer = client.post(f"/v1/videos/{waiting['id']}", json=body)
            assert answer.status_code == 400, (body, answer.text)
            assert answer.json()["error"]["param"] == param, answer.text
        assert client.get(f"/v1/videos/{waiting['id']}").json()["prompt"] == "waits"  # nothing half-changed
        bad_model = client.post("/v1/queue", json={"paused": True, "model": "no-such-model"})
        assert bad_model.status_code == 400 and "no-such-model" in bad_model.json()["error"]["message"]
        gate.open("edit-running")
        assert studio.wait_for(running["id"])["status"] == "completed"
        assert client.post("/v1/queue", json={"paused": False, "model": "preview"}).status_code == 200
        assert studio.wait_for(waiting["id"])["status"] == "completed"


@pytest.mark.parametrize("fairness", ["owners", "arrival"])
def test_two_peoples_batches_interleave_and_each_steers_only_their_own(studio_factory, fairness):
    studio = studio_factory(
        STUDIO_API_KEYS=f"alice:{ALICE},bob:{BOB}", STUDIO_ADMINS="alice", VIDEO_QUEUE_FAIRNESS=fairness
    )
    alice = studio.client()
    bob = studio.client()
    alice.headers["Authorization"] = f"Bearer {ALICE}"
    bob.headers["Authorization"] = f"Bearer {BOB}"
    with alice, bob:
        refused = bob.post("/v1/queue", json={"paused": True})
        assert refused.status_code == 403 and "STUDIO_ADMINS" in refused.json()["error"]["message"]
        assert alice.post("/v1/queue", json={"paused": True}).status_code == 200
        a = [create(alice, studio.gate.prompt(f"a{n}"))["id"] for n in range(3)]
        b = [create(bob, studio.gate.prompt(f"b{n}"))["id"] for n in range(2)]
        gates = {**{job_id: f"a{n}" for n, job_id in enumerate(a)}, **{job_id: f"b{n}" for n, job_id in enumerate(b)}}
        interleaved = [a[0], b[0], a[1], b[1], a[2]] if fairness == "owners" else a + b
        assert [job["id"] for job in alice.get("/v1/queue").json()["data"]] == interleaved  # an admin sees all
        assert [job["id"] for job in bob.get("/v1/queue").json()["data"]] == b  # bob sees his own
        assert bob.get(f"/v1/videos/{b[1]}").json()["queue_position"] == interleaved.index(b[1])
        # bob cannot touch alice's jobs; he moves his own within his own line, never past hers
        assert bob.post(f"/v1/videos/{a[2]}", json={"queue_position": 1}).status_code == 404
        assert bob.post(f"/v1/videos/{b[1]}", json={"queue_position": 1}).status_code == 200
        b = [b[1], b[0]]
        interleaved = [a[0], b[0], a[1], b[1], a[2]] if fairness == "owners" else a + b
        assert [job["id"] for job in alice.get("/v1/queue").json()["data"]] == interleaved
        # an admin moves anyone's job: with arrival, past everyone; with owners, within its owner's line
        assert alice.post(f"/v1/videos/{b[1]}", json={"queue_position": 1}).status_code == 200
        b = [b[1], b[0]]
        interleaved = [a[0], b[0], a[1], b[1], a[2]] if fairness == "owners" else [b[0], *a, b[1]]
        assert [job["id"] for job in alice.get("/v1/queue").json()["data"]] == interleaved
        assert alice.post("/v1/queue", json={"paused": False}).status_code == 200
        assert studio.gate.start_order(gates) == interleaved
        assert all(studio.wait_for_as(alice, job_id)["status"] == "completed" for job_id in a)
