"""The crash suite (bench/crash_suite.py) in short: 3 rounds of kill -9 mid-job, restarting
on the same data dir; nothing lost, nothing stuck, every completed video decodes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from tests.support.studio import StudioServer
from tests.support.upstream import FakeUpstream

BENCH = Path(__file__).resolve().parents[3] / "bench" / "crash_suite.py"


def load_suite():
    spec = importlib.util.spec_from_file_location("crash_suite", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_suite"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def hold_the_last_rounds_upstream_jobs(suite: Any, rounds: int) -> None:
    """The last round must end on a kill that finds its tt-cloud job running upstream (the suite
    kills once the studio polls it). The upstream's jobs take 1.5 s, which a slow kill could
    outlast: the jobs submitted in the last round run upstream until the studio that recovers
    them starts, however long the kill takes; then they finish as usual."""
    made: list[FakeUpstream] = []

    def upstream(**kwargs: Any) -> FakeUpstream:
        made.append(FakeUpstream(**kwargs))
        return made[-1]

    class Studio(StudioServer):
        starts = 0

        def start(self, timeout: float = 30, host: str = "127.0.0.1") -> StudioServer:
            Studio.starts += 1
            (cloud,) = made
            if Studio.starts == rounds:  # the last round: upstream jobs run until let go
                cloud.mode = "async_never"
            elif Studio.starts == rounds + 1:  # the last start, no studio running: let them go
                cloud.mode = "async"
                for job in list(cloud.jobs.values()):
                    if job.outcome == "never":
                        job.outcome = "completed"
            return super().start(timeout, host)

    suite.FakeUpstream, suite.StudioServer = upstream, Studio


def test_kill_9_mid_job_three_times_loses_nothing(tmp_path: Path) -> None:
    suite = load_suite()
    hold_the_last_rounds_upstream_jobs(suite, rounds=3)
    lines: list[str] = []
    result = suite.run_suite(
        rounds=3, seed=7, bound=120, jobs_per_round=3, data_dir=tmp_path / "data", log=lines.append
    )
    print("\n".join([*lines, result.summary()]))
    assert len(result.submitted) == 9 and len(lines) == 3
    assert result.lost == [] and result.stuck == []
    assert result.undecodable == [] and result.decoded == result.count("completed") >= 1
    assert result.stray_scratch == [] and result.orphan_media == []
    assert result.server_errors == []
    assert sum(result.count(s) for s in ("completed", "failed", "cancelled")) == 9
    # The last kill interrupted a running tt-cloud job: recovery resumed it at the upstream.
    assert result.pending_at_last_start >= 1 and result.recovered >= 1
    assert result.upstream_jobs_resumed >= 1
    # Nothing failed for a reason other than being interrupted too often.
    assert set(result.errors.values()) <= {"interrupted"}
    assert result.ok
