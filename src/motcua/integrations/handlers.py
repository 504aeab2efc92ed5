"""What the integrations app does when a dossier changes: registered with the dossier dispatcher
(``motcua.dossiers.dispatch``) and the dossier page's panels in ``IntegrationsConfig.ready``."""

from __future__ import annotations

from motcua.dossiers import dispatch, panels

from .dvcqg import services as dvcqg
from .views import payments_panel, sync_panel


def register() -> None:
    """Register every handler of this app with the dossier dispatcher."""
    # The DVCQG outbox is written in the transaction of the change (dispatch's writers), not after it.
    dispatch.register_writer("integrations.dvcqg", dvcqg.write, kinds=dvcqg.KINDS)
    panels.register("integrations.payments", payments_panel)
    panels.register("integrations.sync", sync_panel)
