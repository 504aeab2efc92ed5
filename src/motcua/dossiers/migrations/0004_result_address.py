from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dossiers', '0003_processing'),
    ]

    operations = [
        migrations.AddField(
            model_name='dossier',
            name='result_address',
            field=models.CharField(blank=True, max_length=500, verbose_name='postal address for the result'),
        ),
    ]
