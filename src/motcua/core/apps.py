from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import checks, engines, health  # noqa: F401  (checks: registers the system checks)

        # The admin banner shows these to the system administrators; /healthz lists them for the monitoring.
        health.register("core.task_queue", engines.task_queue_notices, audience=engines.is_operator)
        health.register("core.storage", engines.storage_notices, audience=engines.is_operator)
