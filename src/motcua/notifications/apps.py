from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Template edits are configuration changes: audited with django-auditlog like the other apps'.
        from auditlog.registry import auditlog

        from .models import MessageTemplate

        auditlog.register(MessageTemplate)
