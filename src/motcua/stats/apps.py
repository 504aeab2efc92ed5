from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

# Events that change nothing the statistics read.
_IGNORED_KINDS = frozenset({"personal_data_viewed"})


def _on_event(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    # Inside ``dossiers.tasks.muted()`` (a backdated demo history) the caller refreshes the statistics itself.
    from motcua.dossiers.tasks import is_muted

    if created and not raw and instance.kind not in _IGNORED_KINDS and not is_muted():
        from .rollups import schedule_refresh

        schedule_refresh(instance.dossier_id)


class StatsConfig(AppConfig):
    name = "motcua.stats"
    label = "stats"
    verbose_name = _("Statistics and indices")

    def ready(self) -> None:
        post_save.connect(_on_event, sender="dossiers.DossierEvent", dispatch_uid="stats.refresh_on_event")
