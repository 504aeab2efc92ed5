"""PostgreSQL: store the weighted tsvector in a generated column, so that ranking does not re-parse the text.

The expression index of 0002 filtered well but ``ts_rank`` still rebuilt the tsvector of every hit; a
stored generated column is computed once per write. SQLite is unchanged (its FTS5 table stores tokens).
"""

from django.db import migrations

PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, name_folded), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, search_body), 'B'))"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalogue_procedure_search")
    schema_editor.execute(
        f"ALTER TABLE catalogue_procedure ADD COLUMN IF NOT EXISTS search_vector tsvector "
        f"GENERATED ALWAYS AS {PG_VECTOR} STORED"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS catalogue_procedure_search_vector ON catalogue_procedure USING gin (search_vector)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalogue_procedure_search_vector")
    schema_editor.execute("ALTER TABLE catalogue_procedure DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS catalogue_procedure_search ON catalogue_procedure USING gin ({PG_VECTOR})")


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_search_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
