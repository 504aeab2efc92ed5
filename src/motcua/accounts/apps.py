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
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from .models import ApiToken, OrgUnit, RecoveryCodeDevice, RoleAssignment, SecurityKeyDevice, User

        auditlog.register(OrgUnit, exclude_fields=["path", "updated_at"])
        auditlog.register(RoleAssignment)
        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(ApiToken, exclude_fields=["digest", "last_used_at"])
        # The second factor: enrolling, confirming and resetting (a delete, with the administrator as actor) are
        # logged; the secret key, the counters of each sign-in and the throttling are not.
        auditlog.register(TOTPDevice, include_fields=["name", "confirmed"])
        auditlog.register(RecoveryCodeDevice, include_fields=["name", "confirmed"])
        # A security key enrolled, removed or reset: its name is logged; its public key and counter are not.
        auditlog.register(SecurityKeyDevice, include_fields=["name", "confirmed"])
