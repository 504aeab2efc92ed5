"""What the integrations app does when a dossier changes: registered with the dossier dispatcher
(``motcua.dossiers.dispatch``) in ``IntegrationsConfig.ready``."""

from __future__ import annotations


def register() -> None:
    """Register every handler of this app with the dossier dispatcher."""
