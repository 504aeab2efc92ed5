from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = _("Legal forms")

    def ready(self) -> None:
        # The dossiers app decides which legal form applies and issues it; this app renders it.
        from motcua.dossiers import issuing, signatures

        from . import services, signing

        issuing.register_renderer(services)
        # Papers signed in the agency's name where it has a key (``signing``); the dossiers app asks through its hook.
        signatures.register(signing.Signer())
