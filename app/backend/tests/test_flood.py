"""Never down under a flood (bench/flood.py in short): 1,500 connections of each kind, more than
select() can watch (1,024 descriptors), each flood against a fresh studio process.

The studio has a finished 2 MiB MP4 and a tt-cloud job the loopback upstream keeps running.
Every flood connection comes from its own source address 127.0.x.y, from client processes
(tests/support/flood.py): idle connections, slowloris (a header line a second), event streams
on the running job, downloads of the MP4 that never read the body. While the flood is held,
/healthz is asked every 100 ms on a new connection from 127.0.0.1. Asserted per flood: the
studio process is still alive; every /healthz answered 200 within 1 s; streams and downloads
were answered 200 or a JSON 429/503, nothing else; and after the clients close, /healthz,
GET /v1/videos and the MP4 download (byte for byte) answer 200 within 1 s.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.flood import ASKING, KINDS
from tests.support.flood_runner import FloodClients, FloodResult
from tests.support.flood_studio import (
    after_checks,
    after_problems,
    flood_settings,
    flood_upstream,
    last_error,
    padded_mp4,
    prepare_jobs,
)
from tests.support.probes import HealthSampler, bad_samples
from tests.support.studio import StudioServer

FLOOD = 1500  # connections per flood: past the 1,024 descriptors select() can watch
WITHIN = 1.0  # seconds: /healthz during the flood, and every call after it
HELD_SAMPLES = 40  # /healthz samples after the last flood connection was attempted (about 4 s)
HELD_AT_MOST = 6.0  # seconds to wait for them (each sample gives up after WITHIN)
MP4_BYTES = 2 * 1024 * 1024


@pytest.fixture(scope="module")
def mp4() -> bytes:
    return padded_mp4(MP4_BYTES)


def describe(result: FloodResult) -> str:
    refused = ", ".join(f"{n} {why}" for why, n in sorted(result.connect.items())) or "none refused"
    answers = ", ".join(f"{code}: {n}" for code, n in sorted(result.statuses.items())) or "none"
    return (
        f"{result.opened} of {result.attempted} opened ({refused}); closed by the server: {result.closed}; "
        f"answers {answers}, JSON 429/503 {result.json_refusals}, no answer {result.no_answer}"
    )


@pytest.mark.parametrize("front", ["", "nginx"], ids=["studio", "nginx-front"])
@pytest.mark.parametrize("kind", KINDS)
def test_studio_stays_up_under_a_flood(
    kind: str, front: str, studio_factory: Callable[..., StudioServer], mp4: bytes
) -> None:
    """With STUDIO_FRONT=nginx the flood meets nginx first; the same must hold."""
    upstream = flood_upstream(mp4)
    try:
        studio = studio_factory(**flood_settings(upstream), STUDIO_FRONT=front)
        jobs = prepare_jobs(studio)
        assert studio.proc is not None
        sampler = HealthSampler(studio.port, interval=0.1, timeout=WITHIN).start()
        with FloodClients(
            studio.port, kind, FLOOD, path=jobs.path_for(kind), per_process=750, connect_timeout=5
        ) as flood:
            flood.start()
            ready = flood.t0 + flood.wait_ready(timeout=60)
            sampler.wait_samples(HELD_SAMPLES, after=ready, timeout=HELD_AT_MOST)
            alive_during = studio.proc.poll() is None
            result = flood.stop()
        samples = sampler.stop()
        alive_after = studio.proc.poll() is None
        print(f"{kind}: {describe(result)}")

        assert result.attempted == FLOOD and result.opened + result.not_opened == FLOOD
        assert alive_during and alive_after, (
            f"the studio process died during the {kind} flood ({describe(result)}): "
            f"{last_error(studio.logs()) or 'no exception in its log'}"
        )
        bad = bad_samples(samples, WITHIN)
        assert not bad, (
            f"/healthz was not 200 within {WITHIN:g} s in {len(bad)} of {len(samples)} samples during the "
            f"{kind} flood ({describe(result)}); first: "
            f"{bad[0].error or bad[0].status} after {bad[0].seconds * 1000:.0f} ms"
        )
        if kind in ASKING:
            assert result.unclear_answers == 0, f"answers other than 200 or a JSON 429/503: {describe(result)}"
        problems = after_problems(after_checks(studio.port, jobs, timeout=WITHIN), jobs, WITHIN)
        assert not problems, f"after the {kind} flood: {problems}"
    finally:
        upstream.close()
