"""The real services the scale tests (tests/test_scale*.py) run against: this machine's Redis
and PostgreSQL (STUDIO_TEST_REDIS_URL, STUDIO_TEST_POSTGRES_URL). One that is down is a test
failure with a clear message, never a skip. A pytest plugin: those tests name it in
`pytest_plugins`, so one migrated database serves the whole session.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

from tests.support.studio import BACKEND

REDIS_URL = os.environ.get("STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
POSTGRES_ADMIN_URL = os.environ.get("STUDIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
START_HINT = "`python3 run.py test` starts it when it is down; or start it by hand (see docs/scale.md)."


@pytest.fixture(scope="session")
def redis_url() -> str:
    problem = None
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # failed outside the handler, so the report is one clear line
        problem = exc
    if problem is not None:
        pytest.fail(
            f"Redis at {REDIS_URL} cannot be reached ({problem}); the scale tests need it. {START_HINT}", pytrace=False
        )
    return REDIS_URL


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated database for this test session; dropped afterwards."""
    admin, problem = None, None
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except Exception as exc:
        problem = exc
    if admin is None:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} cannot be reached ({problem}); the scale tests need it. {START_HINT}",
            pytrace=False,
        )
    name = f"studio_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        env = {**os.environ, "DATABASE_URL": url}
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BACKEND, env=env, check=True
        )
        yield url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
