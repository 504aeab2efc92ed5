"""The per-dossier evaluation of Circular 01/2018/TT-VPCP Arts. 12-15 (domain note indices.md §2) [law].

Nine indicators scored 0, 1 or 2 (Art. 13). Indicators 1, 2, 3, 4, 6 and 7 are scored per dossier and
averaged over the dossiers (rounded to 1 decimal, Art. 14); 5, 6, 8 and 9 per agency (6 is taken once, from
the dossiers). An indicator without data is left out of the total and shown with a note saying what the
system lacks; ``max_points_computed`` says out of how many points the total is.

- **Agency** (all nine, Art. 15): the bands ≥ 15 excellent, 12 good, 9 fair, 6 average, below weak are
  given only when all nine indicators have data; otherwise the total is also shown rescaled to 18
  (``score_18``) with the indicators that are missing (``missing``), and no band.
- **Officers** (indicators 1, 2, 3, 4, 7, at most 10; Art. 14): every officer who held a step of a dossier
  (``ProcessingStep.actor``: the officer who held the step when it ended, or holds it now) is credited with
  that dossier's indicators 1, 3, 4 and 7, once per dossier, and with indicator 2 for each step they held
  (their own time against the step's budget). Bands ≥ 5 all duties completed, 3.5 to < 5 from 70 to under
  100 %, < 3.5 under 70 %; on the indicators that have data (indicator 4 has none: at most 8 points).

"Early" (2 points) is the rule of the control sheet's *trước hạn* (``dossiers.workflow.classification``)
and of docs/stats.md: ended on a day before the day of the due instant (the promised date moved by the
supplement time, or the step's due time); 1 point by the due instant; 0 after it (``_by_day``).

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
from motcua.dossiers.workflow.models import AgencyPart, Consultation, ProcessingStep
from motcua.dossiers.workflow.services import DESK_ROLES

from . import kpi, pakn
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
        "2": _("Each step with a due time, against its budget, each opinion asked of a coordinating unit and "
               "each part of an agency taking part in an inter-agency dossier, against its deadline: the slowest "
               "counts. The return of the result is left out: the time the applicant takes to collect it is not "
               "the agency's."),
        "3": _("Counted from the supplement requests; whether the applicant was at fault is not recorded."),
        "4": _("The system does not record which agencies the applicant contacted."),
        "5": _("Which procedures are received, appraised and approved at the desk is not recorded."),
        "6": _("Publication in the electronic catalogue is recorded; posting at the desk is not, so at most "
               "1 point."),
        "7": _("Early and no complaint: 2; otherwise 1; 0 when the leader found a complaint about an officer's "
               "conduct in handling the dossier substantiated (for the officers it names, or all of the "
               "dossier's officers when it names none)."),
        "8": _("Feedback and petitions handled in the period, spam and merged items left out: 2 when none, or "
               "all on time and none prolonged; 1 when at least 90 percent on time and none prolonged; 0 "
               "otherwise."),
        "9": _("Levels 3 and 4 are read as procedures offered partly or fully online."),
    }


SCORES = {Outcome.EARLY: 2, Outcome.ON_TIME: 1, Outcome.LATE: 0}


def _by_day(end: dt.datetime, due: dt.datetime) -> int:
    """By the one rule (``timeliness.judge``): early (before the due day) 2, on time 1, late 0."""
    return SCORES[judge(end, due)]


def score_time(fact: dict[str, Any]) -> int | None:
    """Indicator 1: the dossier's processing time against the promised date moved by the supplement time."""
    if fact["end_class"] == "late":
        return 0
    due = fact["deadline_shifted"] or fact["promised_at"]
    if due is None or fact["end_at"] is None:
        return None
    return _by_day(fact["end_at"], due)


def is_return_step(step: dict[str, Any], first_order: int, last_order: int) -> bool:
    """The desk's last step, returning the result: it lasts until the applicant collects the result."""
    return step["role"] in DESK_ROLES and step["order"] == last_order != first_order


def score_step(step: dict[str, Any]) -> int | None:
    """A step's time against its own budget (its due instant), for indicator 2; None when it has no budget,
    did not run or did not end."""
    if step["outcome"] == "skipped" or step["due_at"] is None or step["ended_at"] is None:
        return None
    return _by_day(step["ended_at"], step["due_at"])


def score_opinion(c: dict[str, Any]) -> int | None:
    """A coordinating unit's opinion against its deadline. Deemed given at the deadline when the law takes
    silence as agreement (Decree 217/2026 Art. 54): 1. None while it is awaited."""
    if c["answered_at"] is not None:
        return _by_day(c["answered_at"], c["due_at"])
    return 1 if c["deemed_agreed_at"] is not None else None


def score_steps(steps: list[dict[str, Any]], opinions: Iterable[dict[str, Any]] = ()) -> int | None:
    """Indicator 2 of a dossier: the slowest of its units' steps (the return of the result left out) and of
    the opinions of coordinating units."""
    scores = [score_step(s) for s in steps if not s["return_step"]] + [score_opinion(c) for c in opinions]
    known = [v for v in scores if v is not None]
    return min(known) if known else None


def score_contacts(supplements: int) -> int:
    return 2 if supplements == 0 else 1 if supplements == 1 else 0


def score_attitude(fact: dict[str, Any], complained: bool = False) -> int:
    """Indicator 7 (Circular 01/2018 Art. 13, staff attitude): 2 when the result came early and no complaint,
    1 when on time and no complaint; 0 when there is a complaint, unless it was found false. Lateness is
    indicator 1's, not a complaint, so a late dossier without complaint scores 1. A complaint is a feedback item
    about how the dossier was handled (topic conduct) that the leader found substantiated
    (``pakn.substantiated``); one not yet decided or found unsubstantiated does not count."""
    if complained:
        return 0
    return 2 if score_time(fact) == 2 else 1


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
                        "online", "dossier__intake_supplements", "dossier__processing_supplements")]


def _steps(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The steps of each dossier, in order, each marked whether it is the return of the result."""
    out: dict[int, list[dict[str, Any]]] = {}
    for s in ProcessingStep.objects.filter(dossier_id__in=ids).order_by("dossier_id", "order", "id").values(
            "dossier_id", "order", "role", "actor_id", "due_at", "ended_at", "outcome", "part_id"):
        out.setdefault(s["dossier_id"], []).append(dict(s))
    for rows in out.values():
        # The desk's first and last steps are the lead agency's process (a participating agency's own steps,
        # ``part_id``, neither receive nor return).
        own = [r["order"] for r in rows if r["part_id"] is None] or [r["order"] for r in rows]
        first, last = min(own), max(own)
        for r in rows:
            r["return_step"] = is_return_step(r, first, last)
    return out


def _opinions(ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for c in Consultation.objects.filter(dossier_id__in=ids).values("dossier_id", "due_at", "answered_at",
                                                                    "deemed_agreed_at"):
        out.setdefault(c["dossier_id"], []).append(dict(c))
    # Each participating agency's part of an inter-agency dossier, against its share of the time (one-stop
    # inter-agency: "the time taken by each unit, coordinating units included").
    for p in AgencyPart.objects.filter(dossier_id__in=ids, lead=False, due_at__isnull=False).values(
            "dossier_id", "due_at", "ended_at"):
        out.setdefault(p["dossier_id"], []).append({"dossier_id": p["dossier_id"], "due_at": p["due_at"],
                                                    "answered_at": p["ended_at"], "deemed_agreed_at": None})
    return out


def _published_ids() -> set[int]:
    return set(ProcedureVersion.objects.filter(status="published").values_list("procedure_id", flat=True))


def _average(values: Iterable[int | None]) -> tuple[float | None, int]:
    known = [v for v in values if v is not None]
    return (round(sum(known) / len(known), 1) if known else None), len(known)


def _per_dossier(facts: list[dict[str, Any]], steps: dict[int, list[dict[str, Any]]],
                 opinions: dict[int, list[dict[str, Any]]],
                 complaints: dict[int, set[int] | None] | None = None) -> dict[str, list[int | None]]:
    published = _published_ids()
    scores: dict[str, list[int | None]] = {k: [] for k in PER_DOSSIER}
    for f in facts:
        scores["1"].append(score_time(f))
        scores["2"].append(score_steps(steps.get(f["dossier_id"], []), opinions.get(f["dossier_id"], [])))
        scores["3"].append(score_contacts((f["dossier__intake_supplements"] or 0)
                                          + (f["dossier__processing_supplements"] or 0)))
        scores["4"].append(None)
        scores["6"].append(1 if f["procedure_id"] in published else 0)
        scores["7"].append(score_attitude(f, f["dossier_id"] in (complaints or {})))
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


def _officers(facts: list[dict[str, Any]], scores: dict[str, list[int | None]],
              steps: dict[int, list[dict[str, Any]]],
              complaints: dict[int, set[int] | None] | None = None) -> list[dict[str, Any]]:
    """Every officer who held a step of the dossiers evaluated: the dossiers' indicators 1, 3, 4, 7 once per
    dossier, indicator 2 per step held (the return of the result left out, as for the agency). A substantiated
    complaint that names officers zeroes indicator 7 of that dossier for them only; the dossier's other
    officers keep the score the dossier has without it."""
    complaints = complaints or {}
    dossiers: dict[int, set[int]] = {}
    own_steps: dict[int, list[int | None]] = {}
    held: dict[int, int] = {}
    for i, f in enumerate(facts):
        for s in steps.get(f["dossier_id"], []):
            if s["actor_id"] is None or s["outcome"] == "skipped":
                continue
            dossiers.setdefault(s["actor_id"], set()).add(i)
            held[s["actor_id"]] = held.get(s["actor_id"], 0) + 1
            if not s["return_step"]:
                own_steps.setdefault(s["actor_id"], []).append(score_step(s))
    users = {u.pk: u for u in User.objects.filter(pk__in=list(dossiers))}
    out = []
    def officer_score(k: str, i: int, pk: int) -> int | None:
        if k == "7" and facts[i]["dossier_id"] in complaints:
            named = complaints[facts[i]["dossier_id"]]
            return score_attitude(facts[i], named is None or pk in named)
        return scores[k][i]

    for pk, rows in dossiers.items():
        parts = {k: _average(own_steps.get(pk, []) if k == "2" else (officer_score(k, i, pk) for i in sorted(rows)))[0]
                 for k in OFFICER}
        known = [p for p in parts.values() if p is not None]
        total = round(sum(known), 1) if known else None
        out.append({"username": users[pk].username, "name": users[pk].get_full_name() or users[pk].username,
                    "dossiers": len(rows), "steps": held[pk], "indicators": parts, "score": total,
                    "max_points": 2 * len(OFFICER), "max_points_computed": 2 * len(known),
                    "missing": [k for k, v in parts.items() if v is None], "band": band_officer(total)})
    return sorted(out, key=lambda o: (o["name"], o["username"]))


def evaluate(scope: kpi.Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    facts = _facts(scope, first, last)
    ids = [f["dossier_id"] for f in facts]
    steps, opinions = _steps(ids), _opinions(ids)
    complaints = pakn.substantiated(ids)
    scores = _per_dossier(facts, steps, opinions, complaints)
    feedback = pakn.counts(scope.unit_ids, first, last)
    all_notes = notes()
    indicators = []
    for ident in ("1", "2", "3", "4", "5", "6", "7", "8", "9"):
        if ident in PER_DOSSIER:
            avg, n = _average(scores[ident])
            indicators.append(_indicator(ident, avg, "dossier", n, all_notes.get(ident, "")))
        elif ident == "9":
            points, detail = score_online(scope, first, last)
            indicators.append({**_indicator(ident, float(points), "agency", None, all_notes["9"]), **detail})
        elif ident == "8":
            indicators.append({**_indicator(ident, float(pakn.score_8(feedback)), "agency", None, all_notes["8"]),
                               "handled": feedback["handled"], "on_time": feedback["on_time"],
                               "prolonged": feedback["prolonged"]})
        else:
            indicators.append(_indicator(ident, None, "agency", None, all_notes[ident]))
    known = [i["score"] for i in indicators if i["score"] is not None] if facts else []
    total = round(sum(known), 1) if known else None
    computed = 2 * len(known)
    missing = [{"id": i["id"], "name": i["name"]} for i in indicators if i["score"] is None or not facts]
    complete = bool(facts) and not missing
    # Art. 15's bands are set on 18 points: given only when all nine indicators have data. Otherwise the
    # total is also shown rescaled to 18, with the indicators it lacks, and no band.
    score_18 = total if complete else (round(total * 18 / computed, 1) if total is not None else None)
    return {"from": first.isoformat(), "to": last.isoformat(), "dossiers": len(facts), "indicators": indicators,
            "total": total, "max_points": 18, "max_points_computed": computed, "complete": complete,
            "score_18": score_18, "missing": missing, "band": band_agency(total) if complete else "",
            "officers": _officers(facts, scores, steps, complaints)}
