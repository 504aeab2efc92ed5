from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "motcua.insight"
    label = "insight"
    verbose_name = _("Integrity and lateness insight")
    default_auto_field = "django.db.models.BigAutoField"
