from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """The system's joints with the nation: the National Public Service Portal (DVCQG) synchronisation outbox,
    login with VNeID, online payment and the national procedures database (docs/integrations.md)."""

    name = "motcua.integrations"
    label = "integrations"
    verbose_name = _("National integrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import handlers

        handlers.register()
