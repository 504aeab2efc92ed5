# The anonymous rating is now a channel of the surveys app, which copied every rating (surveys 0002).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0017_draft_returned"),
        ("surveys", "0002_seed_and_ratings"),
    ]

    operations = [migrations.DeleteModel(name="Rating")]
