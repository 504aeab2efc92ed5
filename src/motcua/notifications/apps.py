from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # Template edits are configuration changes: audited with django-auditlog like the other apps'.
        from auditlog.registry import auditlog

        from motcua.core import health
        from motcua.dossiers import dispatch

        from . import conf
        from .models import MessageTemplate
        from .staff import KEYS, notify_staff

        auditlog.register(MessageTemplate)
        # The officers' notices (late flag, reminder, escalation, late opinion): a handler of dossier events.
        dispatch.register("notifications.staff_notice", lambda event: notify_staff(event.id), kinds=KEYS)
        # Production without its public address or sender address: /healthz and the admin banner say so.
        health.register("notifications.deploy", conf.deploy_notices)
