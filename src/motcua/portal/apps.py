from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "motcua.portal"
    label = "portal"
    verbose_name = _("Citizen portal")

    def ready(self) -> None:
        # The applicant's notices: a handler of the dossier events, run after the officer's commit.
        from motcua.dossiers import dispatch
        from motcua.dossiers.choices import EventKind

        from .services import APPLICANT_NOTICES, forget_dossier_notices, notify_applicant

        dispatch.register("portal.applicant_notice", lambda event: notify_applicant(event.id),
                          kinds=APPLICANT_NOTICES)
        # A dossier anonymised at the end of its retention period: its notices lose their text and addresses.
        dispatch.register("portal.forget_dossier_notices", lambda event: forget_dossier_notices(event.id),
                          kinds={EventKind.APPLICANT_ANONYMISED})
