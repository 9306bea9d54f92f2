"""The storyboard tests' helpers: make a board, follow it, decode its files."""

from __future__ import annotations

import io
import time

import av
import httpx
import numpy as np

TINY = {"model": "preview", "size": "64x64"}


def shot(prompt: str, join: str = "cut", seed: int = 1, **more: object) -> dict:
    return {"prompt": prompt, "seconds": 1, "seed": seed, "join": join, **more}  # 1 s: 17 frames at 16 fps


def create(client: httpx.Client, shots: list[dict], **board: object) -> dict:
    answer = client.post("/v1/storyboards", json={**TINY, **board, "shots": shots})
    assert answer.status_code == 201, answer.text
    return answer.json()


def wait_board(
    client: httpx.Client, board_id: str, statuses: tuple[str, ...] = ("completed",), timeout: float = 60
) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        board = client.get(f"/v1/storyboards/{board_id}").json()
        if board["status"] in statuses:
            return board
        if board["status"] == "failed" or time.monotonic() > deadline:
            raise AssertionError(f"{board_id} is {board['status']}, not {statuses}: {board}")
        time.sleep(0.05)


def frames_of(data: bytes) -> np.ndarray:
    """Every frame, (F, H, W, 3) as float32, so differences do not wrap."""
    with av.open(io.BytesIO(data), "r") as container:
        return np.stack([frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]).astype(np.float32)


def video_frames(client: httpx.Client, video_id: str) -> np.ndarray:
    return frames_of(client.get(f"/v1/videos/{video_id}/content").content)


def mad(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two frames, in 0-255 levels."""
    return float(np.abs(a - b).mean())


def video_ids(client: httpx.Client) -> set[str]:
    return {video["id"] for video in client.get("/v1/videos", params={"limit": 100}).json()["data"]}
