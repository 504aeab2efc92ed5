"""The measures an automatic leaf can be scored on, read from motcua's own data, and the rules that turn a
rate into points.

Every measure is a rate between 0 and 1 with the numbers behind it; a measure with nothing to count (no
dossier in the period, no answer, no document) is ``no data`` — the leaf then shows "no data", never 0, and
a person may score it with evidence. The 766 measures come from ``stats.index766.compute_many``: one reading
of the period's rollups for every agency at once, so the ranking of a province costs a dozen queries, not a
dozen per agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.stats import charts, index766
from motcua.surveys import selectors as survey_selectors

from .choices import Method, ReviewStatus, Rule
from .models import LegalDocument

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Reading:
    """A measure for one agency: ``value`` = ``numerator`` ÷ ``denominator`` (None: no data), a note saying
    what was counted, and where the items behind it are listed."""

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    note: str = ""
    link: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "numerator": self.numerator, "denominator": self.denominator,
                "note": self.note, "link": self.link, **self.extra}


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any
    method: str
    source: str  # "766", "survey" or "register": what must be read for it
    read: Callable[[Any], Reading]


def _indicator(index: dict[str, Any], ident: str) -> dict[str, Any]:
    for group in index["groups"]:
        for ind in group["indicators"]:
            if ind["id"] == ident:
                return ind
    raise KeyError(ident)


def _from_766(ident: str, behind: str = "processed") -> Callable[[Any], Reading]:
    """An indicator of the 766 index; ``behind`` says where its items are listed: the dossiers counted by a
    measure of the statistics, "catalogue" (procedures), "feedback" or "dashboard" (the agency's figures)."""
    def read(ctx: Any) -> Reading:
        ind = _indicator(ctx.index, ident)
        return Reading(ind["value"], ind.get("numerator"), ind.get("denominator"), str(ind.get("note") or ""),
                       ctx.link(behind))
    return read


def _from_summary(numerator: str, denominator: str, measure: str) -> Callable[[Any], Reading]:
    def read(ctx: Any) -> Reading:
        n, d = ctx.summary[numerator], ctx.summary[denominator]
        return Reading(n / d if d else None, n, d, "", ctx.link(measure))
    return read


def _index_total(ctx: Any) -> Reading:
    computed = ctx.index["max_points_computed"]
    if not computed:
        return Reading(None)
    return Reading(ctx.index["total"] / 100, ctx.index["total"], 100,
                   _("Points of Bộ chỉ số 766 computed from motcua's data (%(computed)s of 100 points computable).")
                   % {"computed": computed}, ctx.link("dashboard"))


def _survey(ctx: Any) -> Reading:
    s = ctx.survey
    if s is None or s["index"] is None:
        return Reading(None, None, s["responses"] if s else 0,
                       _("No answer to the satisfaction questionnaire in the period."))
    return Reading(s["index"], None, s["responses"],
                   _("Satisfaction index of the questionnaire's answers (%(n)s answers; 95%% interval "
                     "%(low)s–%(high)s).") % {"n": s["responses"], "low": _pct(s["low"]), "high": _pct(s["high"])},
                   reverse("surveys:results"))


def _pct(value: float | None) -> str:
    return charts.fmt(value, "rate")


def _register(ctx: Any) -> Reading:
    total, lawful = ctx.register
    if not total:
        return Reading(None, 0, 0, _("No legal document of the agency issued in the period is in the register."),
                       reverse("scorecards:register"))
    return Reading(lawful / total, lawful, total,
                   _("Legal documents issued in the period found lawful on review, or whose findings were "
                     "corrected, of all documents issued in the period (not reviewed yet counts as not lawful)."),
                   reverse("scorecards:register"))


def _no_sync(ctx: Any) -> Reading:
    return Reading(None, note=_("The system keeps no log of what was synced to the national portal yet."))


METRICS: dict[str, Metric] = {m.key: m for m in [
    Metric("on_time_rate", gettext_lazy("Dossiers handled early or on time (766 indicator 2.1)"), Method.FORMULA,
           "766", _from_766("2.1")),
    Metric("early_rate", gettext_lazy("Dossiers handled early"), Method.FORMULA, "766",
           _from_summary("early", "processed", "early")),
    Metric("online_rate", gettext_lazy("Dossiers received online"), Method.FORMULA, "766",
           _from_summary("online", "received", "online")),
    Metric("fully_online_rate", gettext_lazy("Fully-online dossiers of eligible procedures (766 group 3)"),
           Method.FORMULA, "766", _from_766("3", "dashboard")),
    Metric("online_procedures", gettext_lazy("Procedures offered partly or fully online (766 indicator 3.1)"),
           Method.FORMULA, "766", _from_766("3.1", "catalogue")),
    Metric("paid_online_rate", gettext_lazy("Dossiers paid online (766 indicator 3.6)"), Method.FORMULA, "766",
           _from_766("3.6", "dashboard")),
    Metric("e_result_rate", gettext_lazy("Dossiers with an electronic result (766 indicator 4.1)"), Method.FORMULA,
           "766", _from_766("4.1", "done")),
    Metric("digitised_rate", gettext_lazy("Digitised dossiers (766 indicator 4.2)"), Method.FORMULA, "766",
           _from_766("4.2", "done")),
    Metric("reused_data_rate", gettext_lazy("Dossiers reusing digitised data (766 indicator 4.3)"),
           Method.FORMULA, "766", _from_766("4.3", "received")),
    Metric("catalogue_complete", gettext_lazy("Procedures published with all required parts (766 indicator 1.3)"),
           Method.FORMULA, "766", _from_766("1.3", "catalogue")),
    Metric("synced_rate", gettext_lazy("Dossiers synced to the national portal (766 indicator 1.4)"),
           Method.FORMULA, "none", _no_sync),
    Metric("index766", gettext_lazy("Bộ chỉ số 766 total, out of 100"), Method.FORMULA, "766", _index_total),
    Metric("feedback_on_time", gettext_lazy("Feedback handled on time (766 indicator 5.2)"), Method.FEEDBACK,
           "766", _from_766("5.2", "dashboard")),
    Metric("feedback_satisfaction", gettext_lazy("Satisfaction with feedback handling (766 indicator 5.3)"),
           Method.FEEDBACK, "766", _from_766("5.3", "dashboard")),
    Metric("dossier_satisfaction", gettext_lazy("Satisfaction with dossier handling (766 indicator 5.4)"),
           Method.FORMULA, "766", _from_766("5.4", "dashboard")),
    Metric("survey_index", gettext_lazy("Satisfaction index of the survey (SIPAS method)"), Method.SURVEY,
           "survey", _survey),
    Metric("legal_lawful", gettext_lazy("Legal documents found lawful (register)"), Method.REGISTER, "register",
           _register),
]}


def choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in METRICS.values()]


# --- rules ---------------------------------------------------------------------------------------------


def parse_rate(raw: Any) -> Decimal:
    """A rate from what a person types: "90%", "90", "0.9" and "0,9" all mean 0.9. Raises ValueError unless it
    is between 0 and 1 (the tree's targets and steps, and the simulator's inputs, read rates this one way)."""
    text = str(raw).strip().replace(",", ".")
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise ValueError(raw) from None
    if not value.is_finite():
        raise ValueError(raw)
    if text.endswith("%") or value > 1:
        value /= 100
    if value < 0 or value > 1:
        raise ValueError(raw)
    return value


def points(value: float | None, max_points: Decimal, rule: str, target: Decimal | None = None,
           steps: Iterable[Iterable[Any]] = ()) -> Decimal | None:
    """The points a rate earns out of ``max_points``, never more, never less than 0; None without data.

    ``proportional`` (the 766 rule, indices.md §1.1): P at the target, rate × P ÷ target below it;
    ``threshold``: P at the target, 0 below; ``linear``: rate × P; ``steps``: the points of the highest step
    [rate, points] the rate reaches."""
    if value is None:
        return None
    rate = Decimal(str(value))
    if rule == Rule.STEPS:
        earned = Decimal(0)
        for at, pts in sorted(((Decimal(str(a)), Decimal(str(p))) for a, p in steps), reverse=True):
            if rate >= at:
                earned = pts
                break
    elif rule == Rule.LINEAR or target is None or target <= 0:
        earned = rate * max_points
    elif rule == Rule.THRESHOLD:
        earned = max_points if rate >= target else Decimal(0)
    else:
        earned = max_points if rate >= target else rate * max_points / target
    return min(max(earned, Decimal(0)), max_points).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_for(points_wanted: Decimal, max_points: Decimal, rule: str, target: Decimal | None = None,
             steps: Iterable[Iterable[Any]] = ()) -> float | None:
    """The lowest rate that earns ``points_wanted`` under the rule (None: unreachable) — what the simulator
    says it would take."""
    if points_wanted <= 0:
        return 0.0
    if points_wanted > max_points:
        return None
    if rule == Rule.STEPS:
        reach = [Decimal(str(a)) for a, p in steps if Decimal(str(p)) >= points_wanted]
        return float(min(reach)) if reach else None
    if rule == Rule.LINEAR or target is None or target <= 0:
        return float(points_wanted / max_points) if max_points else None
    if rule == Rule.THRESHOLD:
        return float(target)
    return float(min(target, points_wanted * target / max_points))


# --- reading the data for many agencies ----------------------------------------------------------------


@dataclass
class Context:
    agency_code: str
    first: dt.date
    last: dt.date
    index: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    survey: dict[str, Any] | None = None
    register: tuple[int, int] = (0, 0)

    def link(self, measure: str) -> str:
        if measure == "catalogue":
            return reverse("catalogue:index")
        if measure == "dashboard":
            return reverse("stats:unit", args=[self.agency_code])
        return (reverse("stats:dossiers") + f"?unit={self.agency_code}&measure={measure}&period=custom"
                f"&from={self.first.isoformat()}&to={self.last.isoformat()}")


def register_counts(agency_ids: Iterable[int], first: dt.date, last: dt.date) -> dict[int, tuple[int, int]]:
    """(documents issued in the period, of which lawful or corrected) per agency; repealed ones left out."""
    lawful = Q(review_status__in=(ReviewStatus.LAWFUL, ReviewStatus.CORRECTED))
    rows = (LegalDocument.objects.filter(agency_id__in=list(agency_ids), issued_on__gte=first, issued_on__lte=last)
            .exclude(review_status=ReviewStatus.REPEALED)
            .values("agency_id").annotate(n=Count("pk"), ok=Count("pk", filter=lawful)))
    return {r["agency_id"]: (r["n"], r["ok"]) for r in rows}


def read_many(agencies: dict[int, tuple[str, frozenset[int]]], keys: Iterable[str], first: dt.date,
              last: dt.date) -> dict[int, dict[str, Reading]]:
    """The readings of the measures ``keys`` for each agency (id → (code, subtree unit ids)) over a period."""
    wanted = [METRICS[k] for k in set(keys) if k in METRICS]
    sources = {m.source for m in wanted}
    contexts = {pk: Context(code, first, last) for pk, (code, _ids) in agencies.items()}
    if "766" in sources:
        computed = index766.compute_many({pk: ids for pk, (_c, ids) in agencies.items()}, first, last)
        for pk, (index, summary) in computed.items():
            contexts[pk].index, contexts[pk].summary = index, summary
    if "survey" in sources:
        for pk, (_code, ids) in agencies.items():
            contexts[pk].survey = survey_selectors.department_score(ids, first, last)
    if "register" in sources:
        counts = register_counts(agencies, first, last)
        for pk in agencies:
            contexts[pk].register = counts.get(pk, (0, 0))
    return {pk: {m.key: m.read(ctx) for m in wanted} for pk, ctx in contexts.items()}
