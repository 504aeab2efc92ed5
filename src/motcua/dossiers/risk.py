"""Who is at risk of missing the promised date: the fixed rule, or a provider registered by an app above.

The fixed rule (``Dossier.risk_at``): the working time left before the promised return is below what the
remaining steps are planned to take. An app above ``dossiers`` (``motcua.insight``: the lateness model) may
register, in its ``AppConfig.ready()``, a provider that says it instead for the dossiers it has a prediction
for; a dossier without one keeps the fixed rule, and so does every dossier while nothing is registered or no
model has scored yet. ``dossiers`` never imports the provider's app::

    from motcua.dossiers import risk
    risk.register_risk_provider(provider)

A provider gives filters (``Exists`` on its own table, correlated with the dossier id at ``id_field``: the
work queue's at-risk bucket), annotations for the rows shown (the probability, the flag, the expected finish
and the reasons, read with the page's own query) and the reasons in the reader's language.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.db.models import Model, Q, QuerySet


@dataclass(frozen=True)
class Risk:
    """A provider's word on one open dossier."""

    probability: float
    at_risk: bool
    expected_finish: dt.datetime | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.probability)


class RiskProvider(Protocol):
    def predicted(self, id_field: str) -> Any:
        """An ``Exists``: the dossier whose id is at ``id_field`` has a prediction."""

    def flagged(self, id_field: str) -> Any:
        """An ``Exists``: the dossier's prediction says it is at risk."""

    def annotations(self, id_field: str) -> dict[str, Any]:
        """``ANNOTATIONS`` as expressions (subqueries) on the dossier whose id is at ``id_field``."""

    def render(self, reasons: list[dict[str, Any]]) -> list[str]:
        """The reasons in the active language."""


# The names of the annotations a provider gives (``annotate``, read back by ``attach``).
ANNOTATIONS = ("risk_probability", "risk_flag", "risk_finish", "risk_reasons")
_provider: RiskProvider | None = None
M = TypeVar("M", bound=Model)


def register_risk_provider(provider: RiskProvider | None) -> None:
    """Set (or, with None, remove) the provider; the last registered wins."""
    global _provider
    _provider = provider


def provider() -> RiskProvider | None:
    return _provider


def at_risk_q(now: dt.datetime, id_field: str = "pk", prefix: str = "") -> Q:
    """The dossiers at risk: the provider's flag where it has a prediction, the fixed rule elsewhere."""
    rule = Q(**{f"{prefix}risk_at__lte": now})
    if _provider is None:
        return rule
    return Q(_provider.flagged(id_field)) | (~Q(_provider.predicted(id_field)) & rule)


def annotate(qs: QuerySet[M], id_field: str = "pk") -> QuerySet[M]:
    """``qs`` with the provider's prediction of each row's dossier (nothing while none is registered)."""
    if _provider is None:
        return qs
    return qs.annotate(**_provider.annotations(id_field))


def attach(row: Any, dossier: Any) -> None:
    """Set ``dossier.predicted_risk`` (a ``Risk`` or None) from the annotations of ``row`` (``annotate``)."""
    probability = getattr(row, "risk_probability", None)
    if _provider is None or probability is None:
        dossier.predicted_risk = None
        return
    dossier.predicted_risk = Risk(float(probability), bool(row.risk_flag), row.risk_finish,
                                  _provider.render(row.risk_reasons or []))


def flagged_by_rule(dossier: Any, now: dt.datetime) -> bool:
    """The fixed rule on one dossier (``risk_at`` reached, the promised date not yet)."""
    return (dossier.risk_at is not None and dossier.risk_at <= now and dossier.due_at is not None
            and dossier.due_at > now)


def is_at_risk(dossier: Any, now: dt.datetime) -> bool:
    """``at_risk_q`` on one dossier: its prediction when ``attach`` found one, else the fixed rule."""
    predicted: Risk | None = getattr(dossier, "predicted_risk", None)
    if predicted is not None:
        return predicted.at_risk and dossier.due_at is not None and dossier.due_at > now
    return flagged_by_rule(dossier, now)
