# Sound: whether a job (and a storyboard, for every shot) asked for a soundtrack (what a clip has is
# measured into its metadata, no column). Added with ALTER TABLE ADD COLUMN and a constant default, as 0009 does, so SQLite
# alters the table in place: Django would remake it for a field with a default, which renumbers
# the rows the prompt text index (0007) follows and drops its triggers.

from django.db import migrations, models


MODELS = ("VideoJob", "Storyboard")


def add_column(apps, schema_editor):
    kind = models.BooleanField().db_type(schema_editor.connection)
    false = "false" if schema_editor.connection.vendor == "postgresql" else "0"
    for model in MODELS:
        table = schema_editor.quote_name(apps.get_model("videos", model)._meta.db_table)
        column = schema_editor.quote_name("sound")
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind} DEFAULT {false} NOT NULL")


def drop_column(apps, schema_editor):
    for model in MODELS:
        table = schema_editor.quote_name(apps.get_model("videos", model)._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {schema_editor.quote_name('sound')}")


class Migration(migrations.Migration):
    dependencies = [("videos", "0012_webhooks")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_column, drop_column)],
            state_operations=[
                migrations.AddField("videojob", "sound", models.BooleanField(default=False)),
                migrations.AddField("storyboard", "sound", models.BooleanField(default=False)),
            ],
        ),
    ]
