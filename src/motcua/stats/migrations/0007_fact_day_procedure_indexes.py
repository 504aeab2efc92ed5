"""The facts' day indexes carry the procedure too (issue 20, Growth; docs/operations.md): the rollups'
refresh after a change (``rollups._recount``: a few days × a few procedures) ANDed the day's bitmap with the
bitmap of every fact of those procedures, which grew with the table (at 500,000 dossiers: 27 ms of its 28 ms
of SQL); with ``(day, procedure)`` it is one index range. The day still leads, so the reports' day ranges
read them as before. On every database."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("stats", "0006_from_store")]

    operations = [
        migrations.RemoveIndex(model_name="dossierfact", name="stats_fact_received"),
        migrations.RemoveIndex(model_name="dossierfact", name="stats_fact_end_day"),
        migrations.AddIndex(model_name="dossierfact",
                            index=models.Index(fields=["received_day", "procedure"], name="stats_fact_received_proc")),
        migrations.AddIndex(model_name="dossierfact",
                            index=models.Index(fields=["end_day", "procedure"], name="stats_fact_end_day_proc")),
    ]
