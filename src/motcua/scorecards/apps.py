from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardsConfig(AppConfig):
    name = "motcua.scorecards"
    label = "scorecards"
    verbose_name = _("Reform scorecards")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from .models import Assessment, LegalDocument, Node, StaffDecision, Tree

        # The register of legal documents feeds a criterion of the index: each change is kept with who made it,
        # with django-auditlog like the other apps' records (accounts, dossiers, notifications).
        auditlog.register(LegalDocument, exclude_fields=["updated_at"])

        # A leader may change a yearly classification: every version is kept, with who and when.
        auditlog.register(StaffDecision, exclude_fields=["updated_at"])

        # A criteria tree is configuration: its edits while a draft (admin) are kept like every other's.
        auditlog.register(Tree, exclude_fields=["updated_at"])
        auditlog.register(Node)

        from motcua.notifications.selectors import register_subject_access

        from .services import may_view

        def reads_assessment(user: Any, subject_ref: str) -> bool:
            # The notices about an assessment name its agency and its scores: read by those who may see it.
            pk = subject_ref.split(":", 1)[1]
            a = Assessment.objects.select_related("agency").filter(pk=int(pk)).first() if pk.isdigit() else None
            return a is not None and may_view(user, a)

        register_subject_access("reform-assessment", reads_assessment)
