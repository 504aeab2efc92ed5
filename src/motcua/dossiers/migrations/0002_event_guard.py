"""The database refuses to change dossier events (DESIGN.md: append-only audit).

PostgreSQL: row triggers refuse UPDATE and DELETE (TRUNCATE, used only by test flushes and a full
reset, is a table-level operation the row triggers do not see). SQLite: a trigger refuses UPDATE;
DELETE is left to the hash chain's head on the dossier row (``audit verify`` reports missing events),
because SQLite's flush deletes tables in no fixed order and a DELETE trigger would break it.
"""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION dossiers_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'dossier events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER dossiers_event_no_update BEFORE UPDATE OR DELETE ON dossiers_dossierevent
    FOR EACH ROW EXECUTE FUNCTION dossiers_event_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS dossiers_event_no_update ON dossiers_dossierevent;
DROP FUNCTION IF EXISTS dossiers_event_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER dossiers_event_no_update BEFORE UPDATE ON dossiers_dossierevent
BEGIN SELECT RAISE(ABORT, 'dossier events are append-only (UPDATE refused)'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS dossiers_event_no_update;"


def _run(apps, schema_editor, up: bool) -> None:  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP if up else PG_DOWN, None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP if up else SQLITE_DOWN, None)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(apps, schema_editor, True)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    _run(apps, schema_editor, False)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
