"""Errors nobody handled still answer in the API's JSON shape: a database another program holds
locked past its timeout (a backup, a sqlite3 shell) is a 503 to retry; anything else under /v1
is a JSON 500 that names nothing of the error (it goes to the log). The lock itself takes the
database's 30 s timeout to surface, so the view's call raises what SQLite raises then."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError
from django.test import Client

from videos.api import routes

pytestmark = pytest.mark.django_db

BODY = {"prompt": "x", "size": "64x64", "num_frames": 1}


def test_a_locked_database_is_a_503_to_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(routes, "create_jobs", locked)
    answer = Client().post("/v1/videos", BODY, content_type="application/json")
    assert answer.status_code == 503 and answer["Retry-After"] == "5"
    assert answer.json()["error"]["code"] == "database_locked"


def test_an_unhandled_error_is_a_json_500_that_names_nothing(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("detail for the log only")

    monkeypatch.setattr(routes, "create_jobs", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        answer = Client().post("/v1/videos", BODY, content_type="application/json")
    assert answer.status_code == 500 and answer["Content-Type"].startswith("application/json")
    assert answer.json()["error"]["code"] == "server_error" and "for the log" not in answer.content.decode()
    assert "detail for the log only" in caplog.text  # the traceback is logged
