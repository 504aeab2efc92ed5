from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # The action registry fills the lifecycle's table of starting statuses that the services check.
        from . import actions  # noqa: F401
        from .models import RuleSet

        # The rule sets are configuration that decides dossiers' clocks: audited with django-auditlog like
        # the other apps' configuration (accounts, notifications).
        auditlog.register(RuleSet, exclude_fields=["updated_at"])

        # The register of a long range is built in the background (core.exports).
        from . import exports
        from .follow import connect

        exports.register()

        # A calendar change moves the open dossiers' dates (the calendar app below cannot import this one).
        connect()

        # SQLite's guard against deleting events asks each connection (migration 0026).
        from django.db.backends.signals import connection_created

        from .events import register_sqlite_guard

        connection_created.connect(register_sqlite_guard, dispatch_uid="motcua.dossiers.events.sqlite_guard")
