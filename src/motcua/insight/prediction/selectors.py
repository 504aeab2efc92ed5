"""Reads of the lateness predictions: the provider the work queues ask (``dossiers.risk``), the dossiers most
likely late in a viewer's scope (the director's dashboard, the API)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Subquery
from django.db.models.fields.json import JSONField

from motcua.accounts.models import User
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.models import Dossier
from motcua.dossiers.timeliness import PROCESSING_STATUSES

from ..models import LatenessModel, Prediction
from . import reasons


class Provider:
    """The lateness model's word for the work queues (registered in ``InsightConfig.ready``)."""

    def predicted(self, id_field: str) -> Exists:
        return Exists(Prediction.objects.filter(dossier_id=OuterRef(id_field)))

    def flagged(self, id_field: str) -> Exists:
        return Exists(Prediction.objects.filter(dossier_id=OuterRef(id_field), at_risk=True))

    def annotations(self, id_field: str) -> dict[str, Any]:
        one = Prediction.objects.filter(dossier_id=OuterRef(id_field))
        return {"risk_probability": Subquery(one.values("probability")[:1]),
                "risk_flag": Subquery(one.values("at_risk")[:1]),
                "risk_finish": Subquery(one.values("expected_finish")[:1]),
                "risk_reasons": Subquery(one.values("reasons")[:1], output_field=JSONField())}

    def render(self, data: list[dict[str, Any]]) -> list[str]:
        return reasons.render_all(data)


def active_model() -> LatenessModel | None:
    return LatenessModel.objects.filter(active=True).defer("artefact").first()


@dataclass(frozen=True)
class LikelyLate:
    """One open dossier and its prediction, with nothing personal: the code, the procedure, the step it waits
    on, its promised date, the probability, the expected finish and the reasons in the reader's language."""

    code: str
    procedure: str
    due_at: dt.datetime | None
    probability: float
    at_risk: bool
    expected_finish: dt.datetime | None
    reasons: list[str]
    reasons_data: list[dict[str, Any]]

    @property
    def percent(self) -> int:
        return round(100 * self.probability)


def most_likely_late(user: User, *, unit_ids: frozenset[int] | set[int] | None = None, limit: int = 10,
                     offset: int = 0) -> tuple[int, list[LikelyLate]]:
    """The open dossiers ``user`` may see (``dossiers.selectors.visible``), processed in ``unit_ids`` when
    given, most likely late first: their count and a page. Nothing for one who may see no dossier."""
    q = dossier_selectors.visible_q(user)
    if q is None or not user.is_authenticated:
        return 0, []
    dossiers = Dossier.objects.filter(q, status__in=PROCESSING_STATUSES)
    if unit_ids is not None:
        dossiers = dossiers.filter(processing_unit_id__in=unit_ids)
    qs = Prediction.objects.filter(dossier__in=dossiers.values("pk"))
    count = qs.count()
    if not count:
        return 0, []
    rows = (qs.select_related("dossier", "dossier__procedure")
            .only("probability", "at_risk", "expected_finish", "reasons", "dossier__code", "dossier__reference",
                  "dossier__due_at", "dossier__procedure__name")
            .order_by("-probability", "dossier_id")[max(0, offset):max(0, offset) + max(1, min(limit, 200))])
    return count, [LikelyLate(p.dossier.code or p.dossier.reference, p.dossier.procedure.name, p.dossier.due_at,
                              p.probability, p.at_risk, p.expected_finish, reasons.render_all(p.reasons), p.reasons)
                   for p in rows]


def for_dossier(user: User, code: str) -> tuple[Dossier, Prediction | None]:
    """The dossier ``user`` may see (``NotFound`` otherwise, as everywhere) and its prediction, if any."""
    dossier = dossier_selectors.get_visible(user, code)
    return dossier, Prediction.objects.filter(dossier=dossier).first()
