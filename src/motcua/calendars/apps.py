from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "motcua.calendars"
    label = "calendars"
    verbose_name = _("Working calendar")

    def ready(self) -> None:
        from motcua.core import health

        from . import selectors, signals  # noqa: F401

        # From 1 October the administrators are told while next year's official schedule is not confirmed.
        health.register("calendars.schedule", selectors.schedule_notices, audience=selectors.may_manage_calendar)
