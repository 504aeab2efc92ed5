"""Tamper evidence (issue 21, finding 3; docs/security.md §3).

- ``DossierEvent.key_id``: the audit key an event's HMAC was made with. Added nullable, without a default, so
  that PostgreSQL adds it to the partitioned table without a rewrite and SQLite with ``ALTER TABLE ADD COLUMN``
  (a default would make Django rebuild the SQLite table, which drops its triggers). The existing events keep a
  null ``key_id``: they stay chained with plain SHA-256 and are verified as they were made. They are not
  re-chained with the key: that would launder any tampering done before this migration.
- SQLite now refuses DELETE of events too, as PostgreSQL has since migration 0002: the trigger asks the
  per-connection function ``motcua_event_delete_allowed()`` (``events.register_sqlite_guard``), true only inside
  ``events.deletable`` (the test suite's flush, which on SQLite deletes every table's rows). A connection that
  never registered the function (the sqlite3 shell) cannot delete events at all. The UPDATE trigger is made
  again beside it, in case a table rebuild dropped it.
"""

from django.db import migrations, models

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS dossiers_event_no_update",
    "CREATE TRIGGER dossiers_event_no_update BEFORE UPDATE ON dossiers_dossierevent "
    "BEGIN SELECT RAISE(ABORT, 'dossier events are append-only (UPDATE refused)'); END",
    "DROP TRIGGER IF EXISTS dossiers_event_no_delete",
    "CREATE TRIGGER dossiers_event_no_delete BEFORE DELETE ON dossiers_dossierevent "
    "WHEN NOT motcua_event_delete_allowed() "
    "BEGIN SELECT RAISE(ABORT, 'dossier events are append-only (DELETE refused)'); END",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS dossiers_event_no_delete"]


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql, None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql, None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0025_search_indexes")]
    operations = [
        migrations.AddField(
            model_name="dossierevent", name="key_id",
            field=models.CharField(blank=True, editable=False, max_length=16, null=True)),
        migrations.AddIndex(
            model_name="dossierevent",
            index=models.Index(condition=models.Q(key_id__isnull=True), fields=["id"], name="dossierevent_unkeyed")),
        migrations.RunPython(forwards, backwards),
    ]
