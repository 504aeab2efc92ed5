from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Organisation and accounts")

    def ready(self) -> None:
        # Configuration changes (units, people, roles, tokens) are audited with django-auditlog;
        # secrets and hashes are never copied into the log.
        from auditlog.registry import auditlog

        from .models import ApiToken, OrgUnit, RoleAssignment, User

        auditlog.register(OrgUnit, exclude_fields=["path", "updated_at"])
        auditlog.register(RoleAssignment)
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(ApiToken, exclude_fields=["digest", "last_used_at"])
