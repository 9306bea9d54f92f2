"""The storyboard events through a real studio (preview engine) and a loopback receiver verifying
with the standardwebhooks package: storyboard.completed once the board's joined MP4 exists,
storyboard.failed once a cancelled shot leaves nothing of the board to run, each once, and a
re-rolled board announced again when it completes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tests.support.gate import Gate
from tests.support.storyboards import create, shot, wait_board
from tests.support.webhook_receiver import Receiver, verify
from tests.test_webhooks import PRIVATE_OK, add_endpoint, deliveries

BOARD_EVENTS = ["storyboard.completed", "storyboard.failed"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def test_a_rendered_board_is_announced_when_its_file_exists_and_a_failed_one_once(studio_factory, receiver):
    studio = studio_factory(**PRIVATE_OK)
    with studio.client() as client:
        endpoint = add_endpoint(client, receiver.url, BOARD_EVENTS)
        made = create(client, [shot("a red sky", seed=1), shot("a blue sea", "continue", seed=2)])
        (got,) = receiver.wait_until(lambda seen: len(seen) == 1)
        event = verify(got, endpoint["secret"])
        assert (event["type"], event["data"]["id"], event["object"]) == ("storyboard.completed", made["id"], "event")
        # Written with the board's file: whoever hears the event can fetch the joined MP4 at once.
        board = client.get(f"/v1/storyboards/{made['id']}").json()
        assert board["status"] == "completed", board
        content = client.get(board["content_url"])
        assert content.status_code == 200 and content.content[4:8] == b"ftyp"

        # Two cuts (no shot left blocked): only the end of the last one can announce the failure.
        failing = create(client, [shot(Gate.prompt("wh-board")), shot(Gate.prompt("wh-last"))])
        studio.gate.wait_until_held("wh-board")
        cancelled = failing["shots"][0]["video_id"]
        assert client.post(f"/v1/videos/{cancelled}/cancel").status_code == 200
        assert studio.wait_for(cancelled)["status"] == "cancelled"
        # Its last shot still runs: the board has not failed yet (the event goes with the end
        # that settles it, so the log would hold it now).
        assert [d["type"] for d in deliveries(client, endpoint["id"])] == ["storyboard.completed"]
        studio.gate.wait_until_held("wh-last")
        studio.gate.open("wh-last")  # it completes, and with it the board has failed
        wait_board(client, failing["id"], ("failed",))
        got = receiver.wait_until(lambda seen: len(seen) == 2)
        event = verify(got[1], endpoint["secret"])
        assert (event["type"], event["data"]["id"]) == ("storyboard.failed", failing["id"])

        # Re-rolled, the board runs again and is announced again (a new event: new videos).
        answer = client.post(f"/v1/storyboards/{failing['id']}/shots/0/regenerate", json={"prompt": "a", "seed": 9})
        assert answer.status_code in (200, 201, 202), answer.text
        wait_board(client, failing["id"])
        got = receiver.wait_until(lambda seen: len(seen) == 3)
        event = verify(got[2], endpoint["secret"])
        assert (event["type"], event["data"]["id"]) == ("storyboard.completed", failing["id"])
        log = deliveries(client, endpoint["id"])
        assert Counter(d["type"] for d in log) == {"storyboard.completed": 2, "storyboard.failed": 1}
        assert all(d["status"] == "delivered" and d["attempts"] == 1 for d in log)
    assert len({r.webhook_id for r in receiver.received}) == len(receiver.received) == 3  # none twice


def test_a_video_endpoint_hears_of_the_shots_and_not_of_the_board(studio_factory, receiver):
    studio = studio_factory(**PRIVATE_OK)
    with studio.client() as client:
        endpoint = add_endpoint(client, receiver.url, ["video.completed"])
        made = create(client, [shot("one"), shot("two")])
        wait_board(client, made["id"])
        got = receiver.wait_until(lambda seen: len(seen) == 2)
        assert sorted(verify(r, endpoint["secret"])["data"]["id"] for r in got) == sorted(
            s["video_id"] for s in made["shots"]
        )
        assert {d["type"] for d in deliveries(client, endpoint["id"])} == {"video.completed"}
