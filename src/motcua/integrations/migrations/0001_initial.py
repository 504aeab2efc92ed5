from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration; its models come in the migrations that follow."""

    initial = True
    dependencies: list[tuple[str, str]] = []
    operations: list[migrations.operations.base.Operation] = []
