from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "motcua.catalogue"
    label = "catalogue"
    verbose_name = _("Procedure catalogue")

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from . import search, signals
        from .models import Procedure

        def _unindex(sender: type, instance: Procedure, **kwargs: object) -> None:
            # Deletions that bypass services (cascades, the admin's bulk delete) leave no stale FTS row.
            search.unindex_procedure(instance.pk)

        post_delete.connect(_unindex, sender=Procedure, dispatch_uid="catalogue_unindex_procedure")
        signals.connect()
