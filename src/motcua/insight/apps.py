from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "motcua.insight"
    label = "insight"
    verbose_name = _("Integrity and lateness insight")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Lateness prediction: the work queues' "at risk" comes from the model where it has scored a dossier.
        from motcua.dossiers import panels, risk

        from .prediction.selectors import Provider
        from .prediction.views import prediction_panel

        risk.register_risk_provider(Provider())
        panels.register("insight.prediction", prediction_panel)
