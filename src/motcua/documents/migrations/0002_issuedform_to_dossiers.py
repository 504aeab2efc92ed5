# The issued legal form now belongs to the dossiers app (its migration 0009); the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("documents", "0001_initial"),
        ("dossiers", "0009_issuedform_from_documents"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IssuedForm")],
            database_operations=[],
        ),
    ]
