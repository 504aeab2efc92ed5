# The anonymous rating now belongs to the dossiers app (its migration 0008); the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0001_initial"),
        ("dossiers", "0008_rating_from_portal"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Rating")],
            database_operations=[],
        ),
    ]
