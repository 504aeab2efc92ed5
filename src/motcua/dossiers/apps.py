from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self) -> None:
        # The action registry fills the lifecycle's table of starting statuses that the services check.
        from . import actions  # noqa: F401
        from .follow import connect

        # A calendar change moves the open dossiers' dates (the calendar app below cannot import this one).
        connect()
