# A trigram index over the prompts for the list's `q=` search (videos/jobs/text_search.py): on
# SQLite, an FTS5 table kept in step with videos_videojob by triggers. PostgreSQL and SQLite
# builds without FTS5's trigram tokenizer (before 3.34) go on without it: `q=` then reads the
# prompts as before.

from django.db import migrations
from django.db.utils import OperationalError

TABLE = "videojob_prompt_text"
CREATE = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(prompt, content='videos_videojob', tokenize='trigram')",
    f"""CREATE TRIGGER {TABLE}_insert AFTER INSERT ON videos_videojob BEGIN
        INSERT INTO {TABLE}(rowid, prompt) VALUES (new.rowid, new.prompt);
    END""",
    f"""CREATE TRIGGER {TABLE}_delete AFTER DELETE ON videos_videojob BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, prompt) VALUES ('delete', old.rowid, old.prompt);
    END""",
    f"""CREATE TRIGGER {TABLE}_update AFTER UPDATE OF prompt ON videos_videojob BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, prompt) VALUES ('delete', old.rowid, old.prompt);
        INSERT INTO {TABLE}(rowid, prompt) VALUES (new.rowid, new.prompt);
    END""",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",  # the prompts already there
]
DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_{name}" for name in ("insert", "delete", "update")]
DROP.append(f"DROP TABLE IF EXISTS {TABLE}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram')")
            cursor.execute("DROP TABLE temp.trigram_probe")
        except OperationalError:
            return  # no FTS5 or no trigram tokenizer in this SQLite
        for statement in CREATE:
            cursor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in DROP:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("videos", "0006_list_filter_indexes")]

    operations = [migrations.RunPython(create, drop)]
