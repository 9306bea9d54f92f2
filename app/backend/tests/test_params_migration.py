"""Migration 0008: a job's `seconds`, stored as text, becomes a whole number in place, and the
prompt text index (0007) still follows the rows it indexed (SQLite must not remake the table)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.support.studio import BACKEND


def insert_job(db: sqlite3.Connection, video_id: str, prompt: str, seconds: str) -> None:
    """A row as 0007 stored it: the given values, and a plain one for every other NOT NULL column."""
    given = {"id": video_id, "prompt": prompt, "seconds": seconds, "provider": "preview", "status": "completed"}
    values: dict[str, object] = {}
    for _, name, kind, notnull, _, _ in db.execute("PRAGMA table_info('videos_videojob')"):
        if name in given:
            values[name] = given[name]
        elif notnull:
            kind = kind.lower()
            plain = "2026-01-01 00:00:00" if "datetime" in kind else "" if "char" in kind or "text" in kind else 0
            values[name] = "{}" if kind == "text" and name == "metadata" else plain
    names = ", ".join(values)
    db.execute(f"INSERT INTO videos_videojob ({names}) VALUES ({', '.join('?' * len(values))})", list(values.values()))


def migrate(data_dir: Path, *target: str) -> None:
    env = {**os.environ, "STUDIO_DATA_DIR": str(data_dir)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0", *target], cwd=BACKEND, env=env, check=True
    )


def test_seconds_text_becomes_a_whole_number_and_the_text_index_still_follows(tmp_path: Path) -> None:
    migrate(tmp_path, "videos", "0007")
    db = sqlite3.connect(tmp_path / "studio.sqlite3")
    try:
        insert_job(db, "video_a", "a red fox", "8")
        insert_job(db, "video_b", "a blue whale", "")
        db.commit()
    finally:
        db.close()
    migrate(tmp_path)
    db = sqlite3.connect(tmp_path / "studio.sqlite3")
    try:
        seconds = dict(db.execute("SELECT id, seconds FROM videos_videojob ORDER BY id"))
        assert seconds == {"video_a": 8, "video_b": None}
        kind = db.execute("SELECT typeof(seconds) FROM videos_videojob WHERE id = 'video_a'").fetchone()
        assert kind == ("integer",)
        found = db.execute(
            "SELECT v.id FROM videojob_prompt_text t JOIN videos_videojob v ON v.rowid = t.rowid "
            "WHERE videojob_prompt_text MATCH '\"whale\"'"
        ).fetchall()
        assert found == [("video_b",)]  # the index's rowids still name the same rows
        triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert {"videojob_prompt_text_insert", "videojob_prompt_text_update"} <= triggers
    finally:
        db.close()
