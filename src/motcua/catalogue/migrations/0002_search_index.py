"""The full-text index of the catalogue, one per database vendor.

SQLite: an FTS5 table keyed by the procedure id, filled by ``services.refresh_search`` (kept in
Python rather than by triggers because SQLite rebuilds a table on most ALTERs and drops its triggers).
PostgreSQL: a GIN index on the weighted tsvector of the folded columns (name = A, body = B); the
expression must stay identical to ``search.PG_VECTOR`` for the planner to use it.
"""

from django.db import migrations

PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, name_folded), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_body), 'B'))"
)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS catalogue_procedure_fts "
            "USING fts5(name, body, tokenize = 'unicode61', prefix = '2 3')"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS catalogue_procedure_search ON catalogue_procedure USING gin ({PG_VECTOR})"
        )


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS catalogue_procedure_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS catalogue_procedure_search")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
