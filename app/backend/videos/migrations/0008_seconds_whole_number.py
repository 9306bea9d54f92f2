# A job's `seconds` becomes a whole number (it was text: "8", or "" where none was recorded).
# Added, filled and renamed column by column, so SQLite alters the table in place: remaking it
# would renumber the rows the prompt text index (0007) follows.

from django.db import migrations, models
from django.db.models.functions import Cast


def to_whole(apps, schema_editor):
    jobs = apps.get_model("videos", "VideoJob")
    jobs.objects.filter(seconds__regex=r"^[0-9]{1,8}$").update(seconds_whole=Cast("seconds", models.IntegerField()))


def to_text(apps, schema_editor):
    jobs = apps.get_model("videos", "VideoJob")
    jobs.objects.filter(seconds_whole__isnull=False).update(seconds=Cast("seconds_whole", models.CharField()))


class Migration(migrations.Migration):
    dependencies = [("videos", "0007_prompt_text_index")]

    operations = [
        migrations.AddField("videojob", "seconds_whole", models.IntegerField(null=True, blank=True)),
        migrations.RunPython(to_whole, to_text),
        migrations.RemoveField("videojob", "seconds"),
        migrations.RenameField("videojob", "seconds_whole", "seconds"),
    ]
