from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "motcua.stats"
    label = "stats"
    verbose_name = _("Statistics and indices")

    def ready(self) -> None:
        # The statistics follow the dossiers: a handler of the dossier events enqueues their refresh.
        from motcua.dossiers import dispatch

        from .tasks import HANDLER, KINDS, on_dossier_event

        dispatch.register(HANDLER, on_dossier_event, kinds=KINDS)

        # The report with a long register is written in the background (core.exports).
        from . import exports

        exports.register()

        # The integrity app's honest on-time rate corrects these figures: it reads them from here.
        from motcua.insight.integrity import selectors as integrity

        from .kpi import on_time_counts

        integrity.register_reported_counts(on_time_counts)
