"""Where the next points are: for each leaf, the points still available and what it would take, and the rank an
agency would reach with a chosen set of improvements, against the other agencies' current totals.

An automatic leaf is improved by its rate (the points follow the leaf's rule, capped at its maximum: "early
rate 72% → 90% gains 1.8 points"); a manual leaf by its points (capped at its maximum).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from motcua.stats import charts

from .. import metrics
from ..models import Assessment, Node, Score
from .ranking import competition_ranks, finals, sum_known


@dataclass(frozen=True)
class Opportunity:
    node: Node
    score: Score
    current: Decimal | None  # the final points now (None: nothing known)
    available: Decimal  # max − current
    value: float | None  # the rate now, for an automatic leaf with data
    full_at: float | None  # the rate that earns the maximum
    gain_at_full: Decimal

    @property
    def automatic(self) -> bool:
        return self.node.automatic

    def explain(self) -> str:
        if self.available <= 0:
            return _("Full points already.")
        if not self.node.automatic:
            return _("%(gain)s points if the criterion is fully met, with its evidence.") % {
                "gain": points(self.available)}
        if self.value is None:
            return _("No data yet: %(gain)s points available once the data shows the criterion met.") % {
                "gain": points(self.available)}
        if self.full_at is None:
            return _("The maximum cannot be reached by this measure's rule.")
        return _("%(measure)s %(now)s → %(then)s gains %(gain)s points.") % {
            "measure": metrics.METRICS[self.node.metric].label if self.node.metric in metrics.METRICS else "",
            "now": pct(self.value), "then": pct(self.full_at), "gain": points(self.gain_at_full)}


def pct(value: float | None) -> str:
    """A rate as the statistics write it, in the page's language ("86,8 %")."""
    return charts.fmt(value, "rate")


def points(value: Decimal) -> str:
    return number_format(value, 2)


def opportunities(assessment: Assessment) -> list[Opportunity]:
    """Every leaf with the points still available, most first."""
    out = []
    for s in assessment.scores.select_related("node"):
        node = s.node
        current = s.final_points
        available = max(node.max_points - (current or Decimal(0)), Decimal(0))
        value = s.auto_detail.get("value") if node.automatic else None
        full_at = (metrics.rate_for(node.max_points, node.max_points, node.rule, node.target, node.steps)
                   if node.automatic else None)
        out.append(Opportunity(node, s, current, available, value, full_at, available))
    out.sort(key=lambda o: (-o.available, o.node.position))
    return out


def simulate(assessment: Assessment, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The totals and rank with ``changes`` (leaf code → a rate for an automatic leaf, points for a manual one;
    "90%", "0.9" and "90" all mean 90%). Unknown codes and unreadable values are reported, not guessed."""
    tree = assessment.tree
    scores = {s.node.code: s for s in assessment.scores.select_related("node")}
    current = {s.node_id: s.final_points for s in scores.values()}
    gains, errors = [], {}
    after = dict(current)
    for code, raw in changes.items():
        s = scores.get(code)
        if s is None:
            errors[code] = _("No scored criterion has this code.")
            continue
        if raw in (None, ""):
            continue
        node = s.node
        try:
            if node.automatic:
                value = float(metrics.parse_rate(raw))
                new = metrics.points(value, node.max_points, node.rule, node.target, node.steps) or Decimal(0)
            else:
                value = None
                new = min(max(Decimal(str(raw).strip().replace(",", ".")), Decimal(0)), node.max_points)
                if not new.is_finite():
                    raise ValueError(raw)
        except (ValueError, InvalidOperation):
            errors[code] = _("Enter a rate (e.g. 90%) or points.")
            continue
        old = current.get(node.pk) or Decimal(0)
        if new <= old:
            continue  # an improvement never lowers a score
        after[node.pk] = new.quantize(Decimal("0.01"))
        gains.append({"code": code, "node": node, "from": current.get(node.pk), "to": after[node.pk],
                      "gain": after[node.pk] - old, "value": value,
                      "value_now": s.auto_detail.get("value") if node.automatic else None})
    totals = {pk: sum_known(list(v.values())) for pk, v in finals(tree).items()}
    now_total = sum_known(list(current.values()))
    new_total = sum_known(list(after.values()))
    totals[assessment.pk] = now_total
    rank_now = competition_ranks(totals)[assessment.pk]
    totals[assessment.pk] = new_total
    rank_after = competition_ranks(totals)[assessment.pk]
    others = sorted(((a, t) for a, t in totals.items() if a != assessment.pk and t is not None),
                    key=lambda x: -x[1])
    names = dict(tree.assessments.values_list("pk", "agency__name"))
    return {"total_now": now_total, "total_after": new_total, "rank_now": rank_now, "rank_after": rank_after,
            "count": len(totals), "gains": gains, "errors": errors,
            "others": [{"agency": names.get(a, ""), "total": t} for a, t in others]}
