from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = _("Citizen portal")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the applicant's notices)
