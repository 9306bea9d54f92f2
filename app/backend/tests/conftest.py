from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.openai_strict import StrictOpenAI
from tests.support.studio import StudioServer, migrated_template
from tests.support.upstream import FakeUpstream


@pytest.fixture(autouse=True)
def fresh_estimates() -> None:
    """In-process tests change the database under one process (bulk inserts send no signals):
    each starts without the estimates another test left in the shared ETA cache."""
    from serving.replay import forget_all

    forget_all()


@pytest.fixture(scope="session")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream()
    yield fake
    fake.close()


@pytest.fixture
def strict() -> Iterator[StrictOpenAI]:
    """A server that implements OpenAI's Videos API strictly (tests/test_openai_provider*.py)."""
    server = StrictOpenAI(run_seconds=0.2)
    yield server
    server.close()


@pytest.fixture
def studio_factory(tmp_path: Path, db_template: Path) -> Iterator:
    """start(**settings) -> a running studio subprocess; all are stopped after the test."""
    started: list[StudioServer] = []

    def start(data_dir: Path | None = None, **settings: str | int | float) -> StudioServer:
        server = StudioServer(data_dir or tmp_path / f"studio{len(started)}", db_template, **settings)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
