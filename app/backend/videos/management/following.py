"""Making something through the studio's API from the shell and following it to its end: a
video (`generate`) or a storyboard (`generate --storyboard`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
from django.core.management.base import CommandError

from videos.management.prompt_file import api_error

RUNNING = ("queued", "in_progress")


def create_and_follow(
    client: httpx.Client,
    path: str,
    body: dict[str, Any],
    show: Callable[[dict[str, Any]], None],
    timeout: float,
    gave_up: str,
    interval: float = 1.0,
    refused: Callable[[httpx.Response], str] = api_error,
) -> dict[str, Any]:
    """POST `body` to `path`, then read `path/{id}` every `interval` seconds, calling `show`
    with each answer, until it is no longer queued or running; its last answer. `gave_up`:
    the message after `timeout` seconds ({id} and {timeout} filled in); `refused` words a 4xx."""
    response = client.post(path, json=body)
    if response.status_code != 201:
        raise CommandError(refused(response))
    made: dict[str, Any] = response.json()
    deadline = time.monotonic() + timeout
    while made["status"] in RUNNING:
        show(made)
        if time.monotonic() > deadline:
            raise CommandError(gave_up.format(id=made["id"], timeout=f"{timeout:g}"))
        time.sleep(interval)
        made = client.get(f"{path}/{made['id']}").json()
    show(made)
    return made
