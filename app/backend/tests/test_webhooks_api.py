"""The /v1/webhooks API through real studios: private addresses refused at registration and at
send time, the secret shown once and never logged or listed, rotation (old and new secrets
both verify during the overlap), and people's endpoints kept apart with sign-in on."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from tests.support.cluster import create
from tests.support.webhook_receiver import Receiver, verify
from tests.test_webhooks import FAST_RETRIES, PREVIEW, PRIVATE_OK, _wait_for_log, add_endpoint, deliveries

ALICE, BOB = "alice-key-6c1d2e9f", "bob-key-93ab7710"
SETTINGS_SECRET = "whsec_" + base64.b64encode(b"settings-endpoint-secret-32byte!").decode()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


def test_private_addresses_are_refused_at_registration_and_at_send_time(studio_factory, receiver):
    # The settings endpoint is not checked when the studio starts: its sends are refused instead.
    studio = studio_factory(
        STUDIO_WEBHOOK_URL=receiver.url, STUDIO_WEBHOOK_SECRET=SETTINGS_SECRET, STUDIO_WEBHOOK_RETRY_SCALE=0.001
    )
    with studio.client() as client:
        for url in (receiver.url, "http://localhost:9/x", "http://10.1.2.3/x", "http://169.254.169.254/latest"):
            refused = client.post("/v1/webhooks", json={"url": url})
            assert refused.status_code == 400, refused.text
            assert refused.json()["error"]["code"] == "invalid_url"
            assert "STUDIO_WEBHOOK_ALLOW_PRIVATE" in refused.json()["error"]["message"]
        for url in ("ftp://example.com/x", "http://user:pw@example.com/x", "not a url"):
            assert client.post("/v1/webhooks", json={"url": url}).status_code == 400
        bad_events = client.post("/v1/webhooks", json={"url": "https://example.com/x", "events": ["video.exploded"]})
        assert bad_events.status_code == 400 and bad_events.json()["error"]["code"] == "invalid_events"
        create(client, prompt="never announced", **PREVIEW)
        # Every attempt is refused before connecting, and retried on the (scaled-down) schedule.
        log = _wait_for_log(client, "wh_settings", lambda log: log and log[0]["attempts"] >= 3)
        assert log[0]["status"] == "pending" and log[0]["last_status_code"] is None
        assert "STUDIO_WEBHOOK_ALLOW_PRIVATE" in log[0]["last_error"]
        assert [e["id"] for e in client.get("/v1/webhooks").json()["data"]] == ["wh_settings"]
        assert client.post("/v1/webhooks/wh_settings/rotate").status_code == 409
    assert receiver.received == []
    assert SETTINGS_SECRET.removeprefix("whsec_") not in studio.log_path.read_text()


def test_the_secret_is_shown_once_and_rotation_keeps_the_old_one_for_the_overlap(studio_factory, receiver):
    studio = studio_factory(**FAST_RETRIES)
    with studio.client() as client:
        endpoint = add_endpoint(client, receiver.url, ["video.completed"])
        secret = endpoint["secret"]
        listed = client.get("/v1/webhooks").json()["data"]
        assert [e["id"] for e in listed] == [endpoint["id"]] and listed[0]["secret"] is None
        assert secret.removeprefix("whsec_") not in client.get("/v1/webhooks").text
        got = client.get(f"/v1/webhooks/{endpoint['id']}").json()
        assert got["secret"] is None and got["events"] == ["video.completed"]
        changed = client.post(f"/v1/webhooks/{endpoint['id']}", json={"events": ["video.failed", "video.completed"]})
        assert changed.status_code == 200 and changed.json()["secret"] is None
        assert client.post(f"/v1/webhooks/{endpoint['id']}", json={"secret": "x"}).status_code == 400

        rotated = client.post(f"/v1/webhooks/{endpoint['id']}/rotate").json()
        new_secret = rotated["secret"]
        assert new_secret.startswith("whsec_") and new_secret != secret
        assert client.post(f"/v1/webhooks/{endpoint['id']}/test").status_code == 202
        (test,) = receiver.wait_until(lambda seen: len(seen) == 1)
        assert verify(test, secret)["type"] == "webhook.test"  # the old secret, within 24 hours
        assert verify(test, new_secret)["data"]["id"] == endpoint["id"]
        assert len(test.headers["webhook-signature"].split(" ")) == 2
        with pytest.raises(WebhookVerificationError):
            Webhook("whsec_" + base64.b64encode(b"someone-else's-secret-32-bytes!!").decode()).verify(
                test.body, test.headers
            )

        first = deliveries(client, endpoint["id"])[0]["id"]
        resent = client.post(f"/v1/webhooks/{endpoint['id']}/deliveries/{first}/resend")
        assert resent.status_code == 202
        again = receiver.wait_until(lambda seen: len(seen) == 2)[1]
        assert again.webhook_id == test.webhook_id  # a receiver drops it as a duplicate
        assert client.delete(f"/v1/webhooks/{endpoint['id']}").status_code == 200
        assert client.get(f"/v1/webhooks/{endpoint['id']}").status_code == 404
    logs = studio.log_path.read_text()
    for value in (secret, new_secret):
        assert value.removeprefix("whsec_") not in logs


def test_each_person_sees_only_their_own_endpoints_deliveries_and_videos(studio_factory, receiver):
    studio = studio_factory(STUDIO_AUTH_REQUIRED="true", STUDIO_API_KEYS=f"alice:{ALICE},bob:{BOB}", **PRIVATE_OK)
    alice, bob = studio.client(), studio.client()
    alice.headers["Authorization"] = f"Bearer {ALICE}"
    bob.headers["Authorization"] = f"Bearer {BOB}"
    other = Receiver()
    try:
        with alice, bob:
            mine = add_endpoint(alice, receiver.url)
            his = add_endpoint(bob, other.url)
            job = create(alice, prompt="alice's video", **PREVIEW)
            (got,) = receiver.wait_until(lambda seen: len(seen) == 1)
            assert verify(got, mine["secret"])["data"]["id"] == job["id"]
            # Written in the transaction that ended the job: had bob's endpoint heard of it, its
            # delivery would be in his log already.
            assert deliveries(bob, his["id"]) == []
            delivery = deliveries(alice, mine["id"])[0]["id"]
            for path in ("", "/deliveries", "/test", "/rotate", f"/deliveries/{delivery}/resend"):
                method = bob.get if path in ("", "/deliveries") else bob.post
                assert method(f"/v1/webhooks/{mine['id']}{path}").status_code == 404, path
            assert bob.delete(f"/v1/webhooks/{mine['id']}").status_code == 404
            assert [e["id"] for e in bob.get("/v1/webhooks").json()["data"]] == [his["id"]]
        assert other.received == []
    finally:
        other.close()
