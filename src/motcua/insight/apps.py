from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "motcua.insight"
    label = "insight"
    verbose_name = _("Integrity and lateness insight")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Lateness prediction: the work queues' "at risk" comes from the model where it has scored a dossier.
        from motcua.dossiers import risk

        from .prediction.selectors import Provider

        risk.register_risk_provider(Provider())
