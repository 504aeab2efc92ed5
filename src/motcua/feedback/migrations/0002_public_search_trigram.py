"""A trigram index for the public answer search (``selectors.public_answers``: one ``LIKE '%word%'`` on the
folded text per word) on PostgreSQL, where a B-tree cannot serve a pattern that starts with ``%``: at 100,000
published answers a selective search went from a scan of the table (p95 ~240 ms) to an index lookup
(bench/bench_feedback.py, docs/stats.md). Partial: only what the public search reads. SQLite has no such
index and keeps its scan (the embedded default serves one small agency). ``django.contrib.postgres`` is not
installed, so the extension and the index are created by SQL, on PostgreSQL only."""

from django.db import migrations

INDEX = "feedback_public_folded_trgm"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON feedback_feedbackitem USING gin (public_folded gin_trgm_ops) "
        "WHERE status = 'published' AND hidden = false AND topic = 'regulation'")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
