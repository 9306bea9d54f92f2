"""The list's `q=` (text in the prompt) through a trigram index, where the database has one.

`q=` is a substring match, which no b-tree serves: without help, a word found in one prompt
reads every prompt (38 ms at 100,000 jobs). On SQLite, migration 0007 keeps an FTS5 trigram
index of the prompts; the jobs it names are narrowed to with their rowids, and the exact
`icontains` filter still decides (the index may name more: it folds case beyond ASCII). A text
the index cannot narrow (shorter than a trigram, or found in more than MAX_CANDIDATES prompts)
is left to the list's index walk, which finds a page of a common text soon.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import QuerySet

from videos.models import VideoJob

TABLE = "videojob_prompt_text"
MAX_CANDIDATES = 200  # found in more: the index walk finds a page soon (and the probe stays cheap)
MIN_LENGTH = 3


def narrowed(jobs: QuerySet[VideoJob], text: str) -> tuple[QuerySet[VideoJob], bool]:
    """`jobs` whose prompt contains `text` (any case), and whether the index narrowed them to
    rowids: then read them by rowid alone (lookup.read_page's `by_rowid`), and sort at most
    MAX_CANDIDATES, rather than walk an owner's or the list's index past every other row."""
    jobs = jobs.filter(prompt__icontains=text)
    rowids = _candidates(jobs.db, text)
    if rowids is None:
        return jobs, False
    if not rowids:
        return jobs.none(), False
    table = VideoJob._meta.db_table
    return jobs.extra(where=[f'"{table}".rowid IN ({", ".join(["%s"] * len(rowids))})'], params=rowids), True


def _candidates(alias: str, text: str) -> list[int] | None:
    if len(text) < MIN_LENGTH or not _has_index(alias):
        return None
    phrase = '"' + text.replace('"', '""') + '"'  # one literal phrase: no query syntax
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s", [phrase, MAX_CANDIDATES + 1])
        rowids = [row[0] for row in cursor.fetchall()]
    return rowids if len(rowids) <= MAX_CANDIDATES else None


def _has_index(alias: str) -> bool:
    connection = connections[alias]
    if connection.vendor != "sqlite":
        return False
    known = connection.__dict__.get("_studio_prompt_index")
    if known is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [TABLE])
            known = cursor.fetchone() is not None
        connection.__dict__["_studio_prompt_index"] = known
    return bool(known)
