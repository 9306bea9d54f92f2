# Queue control: a queued job's place (queue_order), pauses (QueueState), and the person's own
# words beside an enhanced prompt (original_prompt). The two columns are added with ALTER TABLE
# ADD COLUMN and a constant default, so SQLite alters the table in place: Django would remake it
# for a field with a default, which renumbers the rows the prompt text index (0007) follows and
# drops its triggers.

import time

from django.db import migrations, models


def add_columns(apps, schema_editor):
    job = apps.get_model("videos", "VideoJob")
    table = schema_editor.quote_name(job._meta.db_table)
    for name, field, default in (
        ("original_prompt", models.TextField(), "''"),
        ("queue_order", models.FloatField(), "0"),
    ):
        column = schema_editor.quote_name(name)
        kind = field.db_type(schema_editor.connection)
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind} DEFAULT {default} NOT NULL")


def drop_columns(apps, schema_editor):
    job = apps.get_model("videos", "VideoJob")
    table = schema_editor.quote_name(job._meta.db_table)
    for name in ("original_prompt", "queue_order"):
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN {schema_editor.quote_name(name)}")


def order_by_arrival(apps, schema_editor):
    """Jobs already queued keep their first-come order."""
    VideoJob = apps.get_model("videos", "VideoJob")
    for job_id, created in VideoJob.objects.filter(status="queued").values_list("id", "created_at"):
        VideoJob.objects.filter(id=job_id).update(queue_order=created.timestamp())


class Migration(migrations.Migration):
    dependencies = [("videos", "0008_seconds_whole_number")]

    operations = [
        migrations.CreateModel(
            name="QueueState",
            fields=[
                ("model", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("paused", models.BooleanField(default=False)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
            state_operations=[
                migrations.AddField("videojob", "original_prompt", models.TextField(blank=True, default="")),
                migrations.AddField("videojob", "queue_order", models.FloatField(default=time.time)),
            ],
        ),
        migrations.RunPython(order_by_arrival, migrations.RunPython.noop),
        migrations.RemoveIndex("videojob", "videos_vide_provide_b978da_idx"),
        migrations.AddIndex(
            "videojob",
            models.Index(fields=["provider", "status", "queue_order", "created_at", "id"], name="videojob_queue_order"),
        ),
    ]
