"""The open dossiers in due order (``dossier_open_due``, a partial index, on every database), for the staff's
listing of what is open and its counts (``pages.queue_page``), found with EXPLAIN (ANALYZE, BUFFERS) on
generated databases (docs/operations.md, Growth): the listing walked the ``due_at`` index of every dossier,
closed ones included, and the counts read the whole scope, so both grew with the history rather than with
the open work. Building it reads the table once and blocks writes to it meanwhile (see the docs for the
time measured and for building it concurrently beforehand on a large database)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0026_event_key_and_delete_guard")]

    operations = [
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(condition=models.Q(("status__in", [1, 2, 4, 5, 6, 7, 9])), fields=["due_at"],
                               name="dossier_open_due"),
        ),
    ]
