"""The predictions API, mounted at ``/api/v1/insight/predictions``: the open dossiers most likely late among
those the caller may see, and the prediction of one dossier. Staff only; a dossier outside the caller's scope
is not found, as everywhere; nothing personal is returned (no applicant, no ID number)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import User
from motcua.core.api_schemas import ErrorOut, Offset, limit_field
from motcua.core.errors import NotFound, PermissionDenied
from motcua.dossiers import selectors as dossier_selectors

from . import reasons, selectors

router = Router(tags=["Insight"], auth=STAFF_OR_CITIZEN)
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class ReasonOut(Schema):
    code: str = Field(description="step_wait, officer_load, unit_load, agency_load, time_used, supplements, "
                                  "consultations, procedure, month or officer")
    weight: float = Field(description="how much the probability drops when this is put back to a typical value")
    text: str = Field(description="the reason in the request's language")


class PredictionOut(Schema):
    code: str
    procedure: str
    due_at: dt.datetime | None
    probability: float = Field(description="of ending late (0-1, calibrated)")
    at_risk: bool = Field(description="probability at or above MOTCUA_INSIGHT_RISK_THRESHOLD")
    expected_finish: dt.datetime | None
    reasons: list[ReasonOut]


class ModelOut(Schema):
    version: int
    trained_at: dt.datetime
    library: str
    examples: int
    auc: float | None
    brier: float | None


class PredictionListOut(Schema):
    count: int
    model: ModelOut | None
    items: list[PredictionOut]


class ListQuery(Schema):
    limit: int = limit_field(20, 200)
    offset: Offset = 0


def _staff(request: HttpRequest) -> User:
    user: User = request.auth  # type: ignore[attr-defined]
    if not dossier_selectors.is_staff(user):
        raise PermissionDenied(_("Only staff see the lateness predictions."), code="forbidden")
    return user


def _out(item: selectors.LikelyLate) -> dict[str, Any]:
    return {"code": item.code, "procedure": item.procedure, "due_at": item.due_at,
            "probability": round(item.probability, 4), "at_risk": item.at_risk,
            "expected_finish": item.expected_finish,
            "reasons": [{"code": r.get("code", ""), "weight": r.get("weight", 0.0), "text": reasons.render(r)}
                        for r in item.reasons_data]}


def _model() -> dict[str, Any] | None:
    m = selectors.active_model()
    if m is None:
        return None
    figures = (m.metrics or {}).get("model") or {}
    return {"version": m.pk, "trained_at": m.created_at, "library": m.library, "examples": m.examples,
            "auc": figures.get("auc"), "brier": figures.get("brier")}


@router.get("", response={200: PredictionListOut, **ERRORS}, summary="Open dossiers most likely late")
def list_predictions(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    """The open dossiers I may see that the lateness model has scored, most likely late first, with the
    reasons in my language; the model in use (null: none yet, the queues keep the fixed rule)."""
    user = _staff(request)
    count, items = selectors.most_likely_late(user, limit=query.limit, offset=query.offset)
    return {"count": count, "model": _model(), "items": [_out(i) for i in items]}


@router.get("/{code}", response={200: PredictionOut, **ERRORS}, summary="The prediction of one open dossier")
def get_prediction(request: HttpRequest, code: str) -> dict[str, Any]:
    """404 when the dossier is not mine to see, or has no prediction (closed, waiting for a supplement, or no
    model yet)."""
    user = _staff(request)
    dossier, prediction = selectors.for_dossier(user, code)
    if prediction is None:
        raise NotFound(_("This dossier has no lateness prediction."), code="no_prediction")
    return _out(selectors.LikelyLate(dossier.code or dossier.reference, dossier.procedure.name, dossier.due_at,
                                     prediction.probability, prediction.at_risk, prediction.expected_finish,
                                     reasons.render_all(prediction.reasons), prediction.reasons))
