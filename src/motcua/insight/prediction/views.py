"""The lateness prediction on the staff dossier page (a section through ``dossiers.panels``)."""

from __future__ import annotations

from motcua.accounts.models import User
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.models import Dossier
from motcua.dossiers.panels import Panel

from ..models import Prediction
from . import reasons


def prediction_panel(user: User, dossier: Dossier) -> Panel | None:
    """The dossier's prediction for the staff who see its page (the page has checked that they may); nothing
    for a citizen, or without a prediction."""
    if not dossier_selectors.is_staff(user):
        return None
    prediction = Prediction.objects.filter(dossier=dossier).select_related("model").defer("model__artefact").first()
    if prediction is None:
        return None
    return Panel("insight/prediction/_dossier_panel.html", {
        "prediction": prediction, "percent": round(100 * prediction.probability),
        "reasons": reasons.render_all(prediction.reasons)})
