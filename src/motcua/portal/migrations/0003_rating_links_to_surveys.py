# The one-time rating links are now the surveys app's invitations, which copied them (surveys 0002).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0002_rating_to_dossiers"),
        ("surveys", "0002_seed_and_ratings"),
    ]

    operations = [migrations.DeleteModel(name="RatingInvitation")]
