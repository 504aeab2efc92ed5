"""PostgreSQL only: indexes for the staff search (``selectors.search``), found with EXPLAIN (ANALYZE) on
20,000 generated dossiers (docs/operations.md, Growth). Its ``q`` is one OR of a code or reference matched
without case (``UPPER(col) = UPPER(q)``), an ID number, and a substring of the folded name or of the e-form's
searchable fields (``LIKE '%q%'``). No B-tree serves a substring and none served ``UPPER(code)``, so every
search read all the dossiers of the officer's scope (91 ms for a code, 107 ms for a name at 20,000 dossiers,
growing with the table). With expression indexes on ``UPPER(code)`` and ``UPPER(reference)`` and trigram
GIN indexes (pg_trgm, shipped with PostgreSQL) on the two search columns, the planner ORs the indexes
(0.2 ms and 0.14 ms). SQLite is unchanged (a department's database is small). Creating the extension needs
a role allowed to (the database owner on PostgreSQL 13+, pg_trgm being a trusted extension).
"""

from django.db import migrations

UP = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS dossier_code_upper ON dossiers_dossier (UPPER(code));
CREATE INDEX IF NOT EXISTS dossier_reference_upper ON dossiers_dossier (UPPER(reference));
CREATE INDEX IF NOT EXISTS dossier_search_folded_trgm ON dossiers_dossier USING gin (search_folded gin_trgm_ops);
CREATE INDEX IF NOT EXISTS dossier_form_search_trgm ON dossiers_dossier USING gin (form_search gin_trgm_ops);
"""
DOWN = """
DROP INDEX IF EXISTS dossier_code_upper;
DROP INDEX IF EXISTS dossier_reference_upper;
DROP INDEX IF EXISTS dossier_search_folded_trgm;
DROP INDEX IF EXISTS dossier_form_search_trgm;
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UP, None)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOWN, None)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0024_event_partitions")]
    operations = [migrations.RunPython(forwards, backwards)]
