from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "motcua.calendars"
    label = "calendars"
    verbose_name = _("Working calendar")

    def ready(self) -> None:
        from . import signals  # noqa: F401
