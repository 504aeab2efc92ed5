# The anonymous rating moves from the portal app to dossiers (below both the portal, which writes it, and the
# statistics, which count it). Its table is kept as it is (``portal_rating``): only Django's state moves.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0007_pending_dispatch"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Rating",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ("agency_code", models.CharField(db_index=True, max_length=40, verbose_name="agency")),
                        ("procedure_code", models.CharField(db_index=True, max_length=60, verbose_name="procedure")),
                        ("month", models.DateField(verbose_name="month")),
                        ("time_score", models.PositiveSmallIntegerField(verbose_name="processing time")),
                        ("visits_score", models.PositiveSmallIntegerField(verbose_name="number of visits")),
                        ("attitude_score", models.PositiveSmallIntegerField(verbose_name="staff attitude")),
                        ("overall_score", models.PositiveSmallIntegerField(verbose_name="overall satisfaction")),
                        ("comment", models.TextField(blank=True, verbose_name="comment")),
                    ],
                    options={
                        "verbose_name": "rating",
                        "verbose_name_plural": "ratings",
                        "db_table": "portal_rating",
                        "constraints": [models.CheckConstraint(condition=models.Q(("time_score__gte", 1), ("time_score__lte", 5), ("visits_score__gte", 1), ("visits_score__lte", 5), ("attitude_score__gte", 1), ("attitude_score__lte", 5), ("overall_score__gte", 1), ("overall_score__lte", 5)), name="rating_scores_1_to_5")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
