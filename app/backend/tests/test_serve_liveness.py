"""Serve mode's /tt-liveness and /health, read as a tt-media-server client reads them
(tenstorrent/tt-inference-server, tt-media-server/open_ai_api/tt_maintenance_api.py and
model_services/base_service.py): the shape, the engine's runner, the real queue, 429 past
max_queue_size, 405 while the engine cannot work, 503 while its queue is paused; and a studio
whose tt-cloud upstream is another studio."""

from __future__ import annotations

import time

import httpx

from tests.support.studio import StudioServer
from videos import route_policy
from videos.route_policy import Admission, Auth

TOKEN = "serve-token-0c4d"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
# tt-media-server's check_is_model_ready() keys, with "status": "alive" in front.
LIVENESS_KEYS = {
    "status",
    "model_ready",
    "queue_size",
    "max_queue_size",
    "device_mesh_shape",
    "device",
    "worker_info",
    "runner_in_use",
    "canary_alive",
    "canary_state",
}


def serve(studio_factory, **settings: str) -> StudioServer:
    return studio_factory(
        **{"VIDEO_SERVE_ENABLED": "true", "VIDEO_SERVE_TOKEN": TOKEN, "VIDEO_SERVE_PROVIDER": "preview", **settings}
    )


def liveness(server: StudioServer) -> dict:
    """What a liveness probe reads: no token, as tt-media-server's needs none."""
    answer = httpx.get(server.url + "/tt-liveness", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def submit(server: StudioServer, prompt: str) -> httpx.Response:
    return httpx.post(server.url + "/v1/videos/generations", json={"prompt": prompt}, headers=AUTH, timeout=30)


def test_the_routes_are_open_probes() -> None:
    for path in ("/tt-liveness", "/health"):
        route = route_policy.route_for(path)
        assert (route.auth, route_policy.admission(path, "GET")) == (Auth.OPEN, Admission.PROBE)
    assert route_policy.route_for("/healthcheck").auth is Auth.OPEN  # the page's, not a probe
    assert route_policy.admission("/healthcheck", "GET") is Admission.SLOT


def test_liveness_answers_the_engine_and_its_queue(studio_factory) -> None:
    server = serve(studio_factory, VIDEO_SERVE_MAX_QUEUE_SIZE="3")
    idle = liveness(server)
    assert set(idle) == LIVENESS_KEYS
    assert idle["status"] == "alive" and idle["model_ready"] is True
    assert idle["runner_in_use"] == "studio-preview"
    assert (idle["queue_size"], idle["max_queue_size"]) == (0, 3)
    assert list(idle["worker_info"]) == ["0"]  # the preview engine runs one job at a time
    health = httpx.get(server.url + "/health", timeout=30)
    assert (health.status_code, health.json()) == (200, {})

    # The one slot held at the gate: a running job is not in the queue, the ones behind it are,
    # and so are the studio's own users' jobs for the same engine.
    held = submit(server, server.gate.prompt("first", "running"))
    assert held.status_code == 202, held.text
    server.gate.wait_until_held("first")
    assert liveness(server)["queue_size"] == 0
    waiting = [submit(server, f"waiting {i}").json()["id"] for i in range(2)]
    assert liveness(server)["queue_size"] == 2
    with server.client() as studio:
        own = studio.post("/v1/videos", json={"prompt": "the studio's own", "model": "preview"})
        assert own.status_code == 201, own.text
    assert liveness(server)["queue_size"] == 3

    # Full: tt-media-server's 429, and nothing more is queued.
    full = submit(server, "one too many")
    assert (full.status_code, full.json()) == (429, {"detail": "Task queue is full. Please try again later."})
    assert liveness(server)["queue_size"] == 3

    server.gate.open("first")
    for job_id in [held.json()["id"], *waiting, own.json()["id"]]:
        assert server.wait_for(job_id)["status"] == "completed"
    assert liveness(server)["queue_size"] == 0


def test_health_follows_readiness_and_pauses(studio_factory) -> None:
    # tt-cloud with no URL: the engine cannot take jobs, as tt-media-server's scheduler warming up.
    unready = serve(studio_factory, VIDEO_SERVE_PROVIDER="tt-cloud")
    for path in ("/tt-liveness", "/health"):
        answer = httpx.get(unready.url + path, timeout=30)
        assert (answer.status_code, answer.json()) == (405, {"detail": "Model is not ready"}), path

    server = serve(studio_factory)
    with server.client() as studio:
        assert studio.post("/v1/queue", json={"paused": True, "model": "preview"}).status_code == 200
        for path in ("/tt-liveness", "/health"):
            answer = httpx.get(server.url + path, timeout=30)
            assert answer.status_code == 503, path
            assert answer.json() == {"detail": "Service unavailable: No workers available."}
        assert studio.post("/v1/queue", json={"paused": False, "model": "preview"}).status_code == 200
    assert httpx.get(server.url + "/health", timeout=30).status_code == 200

    # Serve mode off: no tt-media-server here, and /health is no longer the page's HTML.
    off = studio_factory()
    for path in ("/tt-liveness", "/health"):
        answer = httpx.get(off.url + path, timeout=30)
        assert answer.status_code == 404 and "Serve mode is off" in answer.json()["detail"], path


def until(read, done, what: str):
    """read() until done(value), for at most 60 s (a state awaited, not a time measured)."""
    deadline = time.monotonic() + 60
    while not done(value := read()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return value


def test_a_studio_serving_another_studio_passes_its_runner_on_and_answers_its_own_queue(studio_factory) -> None:
    """B's tt-cloud upstream is A's serve mode. B reads A's /tt-liveness (videos/providers/
    tt_liveness.py) and answers A's runner on its own; B sends A up to two jobs at once (none
    ahead into A's queue), A's one slot holds the first at the gate, so A's queue holds the
    second and B's the third."""
    a = serve(studio_factory)
    b = serve(
        studio_factory,
        VIDEO_SERVE_PROVIDER="tt-cloud",
        CLOUD_VIDEO_GENERATION_URL=a.url + "/v1/videos/generations",
        CLOUD_VIDEO_GENERATION_AUTH_TOKEN=TOKEN,
        CLOUD_VIDEO_GENERATION_POLL_INTERVAL="0.05",
        CLOUD_VIDEO_GENERATION_CONCURRENCY="2",
        CLOUD_VIDEO_GENERATION_QUEUE_AHEAD="0",
    )
    seen_by_b = until(lambda: liveness(b), lambda v: v["runner_in_use"] != "studio-tt-cloud", "B never read A")
    assert seen_by_b["runner_in_use"] == "studio-preview"
    with b.client() as studio:
        models = {m["id"]: m for m in studio.get("/v1/models").json()["data"]}
    [upstream] = models["tt-cloud"]["upstreams"]
    assert (upstream["runner"], upstream["known"], upstream["state"]) == ("studio-preview", False, "ready")

    ids = [submit(b, a.gate.prompt("a-slot", "through b")).json()["id"]]
    a.gate.wait_until_held("a-slot")
    ids += [submit(b, f"behind {i}").json()["id"] for i in range(2)]
    until(lambda: liveness(a)["queue_size"], lambda n: n >= 1, "B never sent A its second job")
    assert liveness(a)["queue_size"] == 1
    assert liveness(b)["queue_size"] == 1
    a.gate.open("a-slot")
    for job_id in ids:
        assert b.wait_for(job_id)["status"] == "completed"
    assert liveness(a)["queue_size"] == 0 and liveness(b)["queue_size"] == 0
