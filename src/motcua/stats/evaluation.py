"""The per-dossier evaluation of Circular 01/2018/TT-VPCP Arts. 12-15 (domain note indices.md §2) [law].

Nine indicators scored 0, 1 or 2. Indicators 1, 2, 3, 4, 6 and 7 are scored per dossier and averaged
over the dossiers (rounded to 1 decimal); 5, 6, 8 and 9 per agency (6 is taken once, from the dossiers).
Officers: indicators 1, 2, 3, 4, 7 (bands ≥ 5 / 3.5 to < 5 / < 3.5). Agency: all nine (bands ≥ 15
excellent, 12 good, 9 fair, 6 average, below weak). An indicator without data is left out of the total
(Art. 15) and shown with a note saying what the system lacks; ``max_points_computed`` says out of how many.

The dossiers evaluated are those whose processing ended (done or returned) in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.dossiers.timeliness import Outcome, judge
from motcua.dossiers.workflow.models import ProcessingStep

from . import kpi
from .models import DossierFact

PER_DOSSIER = ("1", "2", "3", "4", "6", "7")
OFFICER = ("1", "2", "3", "4", "7")
AGENCY_ONLY = ("5", "8", "9")


def names() -> dict[str, str]:
    return {
        "1": _("Total processing time against the legal limit"),
        "2": _("Time taken by each unit, coordinating units included"),
        "3": _("Contacts with the desk needed to complete the dossier"),
        "4": _("Agencies the applicant had to contact"),
        "5": _("Procedures handled end-to-end at the desk"),
        "6": _("Publication of the procedure"),
        "7": _("Staff attitude"),
        "8": _("Handling of complaints and petitions"),
        "9": _("Online service"),
    }


def notes() -> dict[str, str]:
    return {
        "3": _("Counted from the supplement requests; whether the applicant was at fault is not recorded."),
        "4": _("The system does not record which agencies the applicant contacted."),
        "5": _("Which procedures are received, appraised and approved at the desk is not recorded."),
        "6": _("Publication in the electronic catalogue is recorded; posting at the desk is not, so at most "
               "1 point."),
        "7": _("Complaints (PAKN) are not recorded yet: judged on timeliness only."),
        "8": _("Feedback and petitions (PAKN) are not recorded by the system yet."),
        "9": _("Levels 3 and 4 are read as procedures offered partly or fully online."),
        "2": _("Only dossiers with internal processing steps that have a due time."),
    }


SCORES = {Outcome.EARLY: 2, Outcome.ON_TIME: 1, Outcome.LATE: 0}


def _by_day(end: dt.datetime, due: dt.datetime) -> int:
    """By the one rule (``timeliness.judge``): early (before the due day) 2, on time 1, late 0."""
    return SCORES[judge(end, due)]


def score_time(fact: dict[str, Any]) -> int | None:
    if fact["end_class"] == "late":
        return 0
    due = fact["deadline_shifted"] or fact["promised_at"]
    if due is None or fact["end_at"] is None:
        return None
    return _by_day(fact["end_at"], due)


def score_steps(steps: list[dict[str, Any]]) -> int | None:
    timed = [s for s in steps if s["due_at"] is not None and s["ended_at"] is not None and s["outcome"] != "skipped"]
    if not timed:
        return None
    return min(_by_day(s["ended_at"], s["due_at"]) for s in timed)


def score_contacts(supplements: int) -> int:
    return 2 if supplements == 0 else 1 if supplements == 1 else 0


def score_attitude(fact: dict[str, Any]) -> int:
    return {"early": 2, "on_time": 1}.get(fact["end_class"], 0)


def band_officer(score: float | None) -> str:
    if score is None:
        return ""
    if score >= 5:
        return _("all duties completed")
    return _("70 to under 100 percent of duties") if score >= 3.5 else _("under 70 percent of duties")


def band_agency(score: float | None) -> str:
    if score is None:
        return ""
    for floor, label in ((15, _("excellent")), (12, _("good")), (9, _("fair")), (6, _("average"))):
        if score >= floor:
            return label
    return _("weak")


def _facts(scope: kpi.Scope, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    return [dict(r) for r in DossierFact.objects.filter(scope.q(), end_day__gte=first, end_day__lte=last,
                                           end_kind__in=("done", "returned"))
                .values("dossier_id", "procedure_id", "end_class", "end_at", "promised_at", "deadline_shifted",
                        "online", "dossier__intake_supplements", "dossier__processing_supplements",
                        "dossier__assigned_to")]


def _steps(ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for s in ProcessingStep.objects.filter(dossier_id__in=list(ids)).values("dossier_id", "due_at", "ended_at",
                                                                           "outcome"):
        out.setdefault(s["dossier_id"], []).append(dict(s))
    return out


def _published_ids() -> set[int]:
    return set(ProcedureVersion.objects.filter(status="published").values_list("procedure_id", flat=True))


def _average(values: list[int | None]) -> tuple[float | None, int]:
    known = [v for v in values if v is not None]
    return (round(sum(known) / len(known), 1) if known else None), len(known)


def _per_dossier(facts: list[dict[str, Any]]) -> dict[str, list[int | None]]:
    steps = _steps(f["dossier_id"] for f in facts)
    published = _published_ids()
    scores: dict[str, list[int | None]] = {k: [] for k in PER_DOSSIER}
    for f in facts:
        scores["1"].append(score_time(f))
        scores["2"].append(score_steps(steps.get(f["dossier_id"], [])))
        scores["3"].append(score_contacts((f["dossier__intake_supplements"] or 0)
                                          + (f["dossier__processing_supplements"] or 0)))
        scores["4"].append(None)
        scores["6"].append(1 if f["procedure_id"] in published else 0)
        scores["7"].append(score_attitude(f))
    return scores


def score_online(scope: kpi.Scope, first: dt.date, last: dt.date) -> tuple[int, dict[str, Any]]:
    """Indicator 9 for the agency: share of its procedures offered online, share of dossiers received online,
    online dossiers ended late in the period."""
    procedures = Procedure.objects.filter(versions__status="published").distinct()
    if scope.unit_ids is not None:
        procedures = procedures.filter(agency_id__in=scope.unit_ids)
    modes = list(procedures.values_list("online_mode", flat=True))
    offered = kpi.rate(sum(1 for m in modes if m in ("full", "partial")), len(modes)) or 0.0
    s = kpi.summary(scope, first, last)
    online = s["online_rate"] or 0.0
    late_online = DossierFact.objects.filter(scope.q(), Q(online=True), end_day__gte=first, end_day__lte=last,
                                             end_class="late").count()
    detail = {"procedures_online_rate": offered, "dossiers_online_rate": online, "late_online": late_online}
    if offered >= 0.2 and online >= 0.3 and late_online == 0:
        return 2, detail
    if offered > 0 and online >= 0.15 and late_online == 0:
        return 1, detail
    return 0, detail


def _indicator(ident: str, score: float | None, scope_kind: str, dossiers: int | None,
               note: str = "") -> dict[str, Any]:
    return {"id": ident, "name": names()[ident], "scope": scope_kind, "score": score, "max_points": 2,
            "dossiers": dossiers, "note": note if note or score is not None else _("No data for this period.")}


def _officers(facts: list[dict[str, Any]], scores: dict[str, list[int | None]]) -> list[dict[str, Any]]:
    groups: dict[int, list[int]] = {}
    for i, f in enumerate(facts):
        if f["dossier__assigned_to"] is not None:
            groups.setdefault(f["dossier__assigned_to"], []).append(i)
    users = {u.pk: u for u in User.objects.filter(pk__in=list(groups))}
    out = []
    for pk, rows in groups.items():
        parts = [_average([scores[k][i] for i in rows])[0] for k in OFFICER]
        known = [p for p in parts if p is not None]
        total = round(sum(known), 1) if known else None
        out.append({"username": users[pk].username, "name": users[pk].get_full_name(), "dossiers": len(rows),
                    "score": total, "max_points_computed": 2 * len(known), "band": band_officer(total)})
    return sorted(out, key=lambda o: o["name"])


def evaluate(scope: kpi.Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    facts = _facts(scope, first, last)
    scores = _per_dossier(facts)
    all_notes = notes()
    indicators = []
    for ident in ("1", "2", "3", "4", "5", "6", "7", "8", "9"):
        if ident in PER_DOSSIER:
            avg, n = _average(scores[ident])
            indicators.append(_indicator(ident, avg, "dossier", n, all_notes.get(ident, "")))
        elif ident == "9":
            points, detail = score_online(scope, first, last)
            indicators.append({**_indicator(ident, float(points), "agency", None, all_notes["9"]), **detail})
        else:
            indicators.append(_indicator(ident, None, "agency", None, all_notes[ident]))
    known = [i["score"] for i in indicators if i["score"] is not None]
    total = round(sum(known), 1) if known and facts else None
    return {"from": first.isoformat(), "to": last.isoformat(), "dossiers": len(facts), "indicators": indicators,
            "total": total, "max_points": 18, "max_points_computed": 2 * len(known) if facts else 0,
            "band": band_agency(total), "officers": _officers(facts, scores)}
