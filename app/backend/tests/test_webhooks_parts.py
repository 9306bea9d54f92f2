"""The webhook parts without a studio: signatures both verifiers accept (rotation too), the retry
schedule and Retry-After, and which addresses count as private."""

from __future__ import annotations

import time

import openai
import pytest
from django.test import override_settings
from standardwebhooks import Webhook

from videos.webhooks import events, schedule, sender, signing


def test_signatures_verify_with_standardwebhooks_and_openai_for_each_secret_of_a_rotation():
    old, new = signing.new_secret(), signing.new_secret()
    body = '{"id":"evt_1","object":"event","type":"video.completed","created_at":1,"data":{"id":"video_1"}}'
    headers = signing.headers([new, old], "evt_1", int(time.time()), body)
    for secret in (old, new):
        assert Webhook(secret).verify(body, headers)["type"] == "video.completed"
        openai.OpenAI(api_key="unused", webhook_secret=secret).webhooks.verify_signature(body, headers)
    assert signing.is_valid_secret(new)
    assert not signing.is_valid_secret("whsec_short") and not signing.is_valid_secret("x!")


@override_settings(STUDIO_WEBHOOK_RETRY_SCALE=1.0)
def test_the_schedule_is_the_specs_with_jitter_and_honours_retry_after():
    for attempts, seconds in enumerate(schedule.SCHEDULE):
        wait = schedule.next_wait(attempts)
        assert wait is not None and seconds * 0.9 <= wait <= seconds * 1.1
    assert schedule.next_wait(len(schedule.SCHEDULE)) is None  # ten attempts, then failed
    assert schedule.next_wait(1, retry_after=120.0) == 120.0  # longer than 5 s: it wins
    assert (schedule.next_wait(2, retry_after=1.0) or 0) >= 270  # shorter: the schedule's wait stands
    assert schedule.next_wait(1, retry_after=10**9) == schedule.MAX_RETRY_AFTER
    assert schedule.parse_retry_after("30") == 30.0
    assert schedule.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("10.0.0.8", True),
        ("172.16.4.4", True),
        ("192.168.1.1", True),
        ("169.254.169.254", True),
        ("fe80::1", True),
        ("fd00::1", True),
        ("::ffff:127.0.0.1", True),
        ("0.0.0.0", True),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("224.0.0.1", True),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_private_addresses(address: str, private: bool):
    assert sender.is_private(address) is private


@override_settings(STUDIO_WEBHOOK_ALLOW_PRIVATE=False)
def test_a_url_to_a_private_address_is_refused_and_never_connected_to():
    for url in ("http://127.0.0.1:9/x", "http://[::1]:9/x", "http://localhost/x", "http://0x7f000001/x"):
        with pytest.raises(sender.RefusedAddress):
            sender.check_url(url)
        answer = sender.post(url, "{}", {})
        assert answer.status is None and "STUDIO_WEBHOOK_ALLOW_PRIVATE" in answer.error


def test_the_settings_events_take_the_storyboard_events():
    chosen = events.parse_events("storyboard.completed, video.failed,storyboard.failed")
    assert chosen == ["storyboard.completed", "storyboard.failed", "video.failed"]
    assert events.parse_events("storyboard.done") is None
    assert {"storyboard.completed", "storyboard.failed"} <= set(events.parse_events("") or [])  # empty: all
