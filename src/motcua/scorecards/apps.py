from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardsConfig(AppConfig):
    name = "motcua.scorecards"
    label = "scorecards"
    verbose_name = _("Reform scorecards")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import LegalDocument, Node, StaffDecision, Tree

        # The register of legal documents feeds a criterion of the index: each change is kept with who made it,
        # with django-auditlog like the other apps' records (accounts, dossiers, notifications).
        auditlog.register(LegalDocument, exclude_fields=["updated_at"])

        # A leader may change a yearly classification: every version is kept, with who and when.
        auditlog.register(StaffDecision, exclude_fields=["updated_at"])

        # A criteria tree is configuration: its edits while a draft (admin) are kept like every other's.
        auditlog.register(Tree, exclude_fields=["updated_at"])
        auditlog.register(Node)
