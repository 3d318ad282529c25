"""QueueStats counts succeeded and cancelled jobs per queue (issue 18's state tabs).

From here on the counts move with the transitions; this fills them once from the rows
already there, with one grouped count (the only time a migration reads every job).
"""

from django.db import migrations, models
from django.db.models import Count

COUNTED = ("succeeded", "cancelled")


def fill_counts(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    QueueStats = apps.get_model("jobs", "QueueStats")
    db = schema_editor.connection.alias
    counts = {}
    rows = (
        Job.objects.using(db)
        .filter(status__in=COUNTED)
        .order_by()
        .values_list("queue", "status")
        .annotate(n=Count("pk"))
    )
    for queue, status, n in rows:
        counts.setdefault(queue, {})[status] = n
    for queue, figures in counts.items():
        stats, _ = QueueStats.objects.using(db).get_or_create(name=queue)
        QueueStats.objects.using(db).filter(pk=stats.pk).update(**figures)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0010_fleet"),
    ]

    operations = [
        migrations.AddField(
            model_name="queuestats",
            name="cancelled",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="queuestats",
            name="succeeded",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunPython(fill_counts, migrations.RunPython.noop, elidable=True),
    ]
