"""The statistics of the demo: rebuilt once from the dossiers the earlier demo steps wrote (their
backdated history is written without dispatching its events, so nothing refreshed them)."""

from typing import Any

from motcua.dossiers.models import Dossier

from .models import DossierFact
from .rollups import rebuild


def seed(stdout: Any) -> None:
    if Dossier.objects.exists() and not DossierFact.objects.exists():
        rebuild()
