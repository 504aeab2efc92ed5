# The issued legal form moves from the documents app to dossiers (dossiers decides and issues; documents
# renders). Its table is kept as it is (``documents_issuedform``): only Django's state moves.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("dossiers", "0008_rating_from_portal"),
        ("documents", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IssuedForm",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(max_length=30, verbose_name="form")),
                        ("form_set", models.CharField(max_length=10, verbose_name="form set")),
                        ("number", models.CharField(max_length=5, verbose_name="form number")),
                        ("version", models.PositiveSmallIntegerField(default=1)),
                        ("file", models.FileField(max_length=300, upload_to="")),
                        ("sha256", models.CharField(max_length=64)),
                        ("basis", models.CharField(blank=True, max_length=64)),
                        ("issued_at", models.DateTimeField()),
                        ("dossier", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="issued_forms", to="dossiers.dossier")),
                        ("issued_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "issued form",
                        "verbose_name_plural": "issued forms",
                        "ordering": ["dossier_id", "role", "-version"],
                        "db_table": "documents_issuedform",
                        "constraints": [models.UniqueConstraint(fields=("dossier", "role", "version"), name="issuedform_unique_version")],
                    },
                ),
                migrations.AlterField(
                    model_name="apology",
                    name="form",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="dossiers.issuedform"),
                ),
            ],
            database_operations=[],
        ),
    ]
