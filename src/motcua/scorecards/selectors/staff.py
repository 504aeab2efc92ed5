"""The staff evaluation from reform results: per officer of an agency and per period (a quarter or a year),
what motcua sees of their work, and the level of the yearly classification it suggests.

Every figure is read from the apps below, never recomputed here:

- the Circular 01/2018/TT-VPCP officer score and band (Art. 14: indicators 1, 2, 3, 4 and 7) from
  ``stats.evaluation.evaluate``, on the dossiers received or processed in the agency's subtree whose
  processing ended (done or returned) in the period;
- the late dossiers among those (``DossierFact.end_class`` "late"), each with the reason of its apology letter
  (``workflow.Apology.reason``, Decree 61/2018 Art. 19(9)) when one was drafted;
- the supplement requests the officer made in the period (``_supplements``: at intake, or drafted during
  processing and signed);
- the substantiated complaints about the officer (``stats.pakn.substantiated``: a conduct complaint about one of
  their dossiers that the leader found substantiated and that names them, or names no one);
- the satisfaction about the officer: the index of the questionnaire's questions flagged "about the officer"
  (``surveys.selectors.results(by="officer")``), withheld under ``MOTCUA_SURVEY_MIN_GROUP`` answers.

The classification suggested (``suggest``) follows the levels of Decree 90/2020/NĐ-CP on the evaluation and
classification of cadres, civil servants and public employees, as amended by Decree 48/2023/NĐ-CP
[unverified: the Law on Cadres and Civil Servants of 2025 may be implemented by a newer decree, with other
levels or criteria; the mapping is a setting, ``MOTCUA_SCORECARD_STAFF_MAPPING``, so that a province can follow
it without a release]. Motcua sees only the reform results, a part of what the law weighs (political
qualities, ethics, the tasks of the year's plan…): the suggestion is advice, the leader decides.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Q

from motcua.accounts.choices import STAFF_ROLES
from motcua.accounts.models import OrgUnit, RoleAssignment, User
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import DossierEvent
from motcua.dossiers.workflow.choices import DraftKind
from motcua.dossiers.workflow.models import Apology, PaperDraft, ProcessingStep
from motcua.stats import evaluation, kpi, pakn
from motcua.stats import selectors as stats
from motcua.stats.models import DossierFact
from motcua.surveys import selectors as surveys

from ..choices import StaffLevel
from ..models import StaffDecision

# Circular 01/2018 Art. 14's officer bands, as codes the mapping names (the labels are ``band_officer``'s).
BANDS = (("full", 5.0), ("70_to_100", 3.5), ("under_70", 0.0))
CONDITIONS = frozenset({"no_data", "band", "complaints_min", "complaints_max", "late_max", "satisfaction_min"})


def band_code(score: float | None) -> str:
    """The code of the officer's band: the band ``stats.evaluation.band_officer`` gives, matched against the
    band of each band's floor, so that the thresholds stay in one place (the law's, in ``evaluation``)."""
    if score is None:
        return ""
    label = evaluation.band_officer(score)
    return next(code for code, floor in BANDS if evaluation.band_officer(floor) == label)


def quarter_range(year: int, quarter: int | None = None) -> tuple[dt.date, dt.date]:
    """The year, or its quarter 1-4."""
    if quarter is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    first = dt.date(year, 3 * quarter - 2, 1)
    last = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return first, last


def staff_of(agency: OrgUnit, first: dt.date, last: dt.date) -> dict[int, User]:
    """The users who held a staff role in the agency's subtree at some time in the period."""
    ids = kpi.subtree_ids(agency)
    held = (RoleAssignment.objects.filter(unit_id__in=ids, role__in=STAFF_ROLES)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=last))
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=first)))
    return {u.pk: u for u in User.objects.filter(pk__in=held.values("user_id"))}


def _ended(scope: kpi.Scope, first: dt.date, last: dt.date) -> Q:
    """The dossiers ``evaluate`` scores: ended, done or returned, in the period."""
    return scope.q() & Q(end_day__gte=first, end_day__lte=last, end_kind__in=("done", "returned"))


def _dossiers_of(dossier_ids: Iterable[int]) -> dict[int, set[int]]:
    """Officer → the dossiers of ``dossier_ids`` of which they held a step (as ``evaluate`` credits them)."""
    out: dict[int, set[int]] = defaultdict(set)
    for actor, dossier in (ProcessingStep.objects.filter(dossier_id__in=list(dossier_ids), actor__isnull=False)
                           .exclude(outcome="skipped").values_list("actor_id", "dossier_id")):
        out[actor].add(dossier)
    return out


def _supplements(officer_ids: list[int], unit_ids: list[int], first: dt.date, last: dt.date) -> dict[int, int]:
    """Officer → the supplement requests they made in the period, on dossiers of the agency: at intake, the desk
    officer who asked (the dossier created, or the status changed, to "supplement requested"); during
    processing, the officer who drafted the request the leader signed (``PaperDraft``: the event's actor is the
    signer, who only signs it)."""
    start, end = kpi.start_instant(first), kpi.start_instant(last + dt.timedelta(days=1))
    ours = Q(dossier__receiving_unit_id__in=unit_ids) | Q(dossier__processing_unit_id__in=unit_ids)
    out: dict[int, int] = defaultdict(int)
    intake = (DossierEvent.objects.filter(ours, status_after=Status.SUPPLEMENT_REQUESTED, actor_id__in=officer_ids,
                                          at__gte=start, at__lt=end)
              .filter(Q(kind=EventKind.CREATED) | Q(kind=EventKind.STATUS_CHANGED, data__phase="intake")))
    for actor, n in intake.values("actor_id").annotate(n=Count("pk")).values_list("actor_id", "n"):
        out[actor] += n
    drafted = PaperDraft.objects.filter(ours, kind=DraftKind.SUPPLEMENT, drafted_by_id__in=officer_ids,
                                        signed_at__gte=start, signed_at__lt=end)
    for actor, n in drafted.values("drafted_by_id").annotate(n=Count("pk")).values_list("drafted_by_id", "n"):
        out[actor] += n
    return dict(out)


def _satisfaction(agency: OrgUnit, first: dt.date, last: dt.date) -> tuple[dict[str, dict[str, Any]], int]:
    """Officer id (str) → the group of the questions about the officer, and the minimum group size."""
    code, version = surveys.resolve(None)
    result = surveys.results(surveys.Scope(code, first, last, kpi.subtree_ids(agency), version), by="officer")
    return {g["key"]: g for g in result["groups"]}, result["minimum"]


def satisfaction_of(group: Mapping[str, Any] | None, minimum: int) -> dict[str, Any]:
    """What the page shows: the index and the number of answers; "too few" (never the number) under the
    minimum group; nothing when no one answered about the officer."""
    if group is None:
        return {"index": None, "responses": None, "too_few": False, "minimum": minimum}
    if group["suppressed"]:
        return {"index": None, "responses": None, "too_few": True, "minimum": minimum}
    return {"index": group["overall"]["index"], "responses": group["responses"], "too_few": False,
            "minimum": minimum}


def _names(complaints: dict[int, set[int] | None], dossier_id: int, officer_id: int) -> bool:
    """Whether a substantiated complaint about the dossier counts against the officer: it names them, or no
    one (``pakn.substantiated``)."""
    if dossier_id not in complaints:
        return False
    named = complaints[dossier_id]
    return named is None or officer_id in named


def officer_rows(agency: OrgUnit, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """One row per officer of the agency who handled dossiers ended in the period (see the module's notes)."""
    scope = stats.scope_of(agency)
    staff = staff_of(agency, first, last)
    body = evaluation.evaluate(scope, first, last)
    by_username = {o["username"]: o for o in body["officers"]}
    facts = list(DossierFact.objects.filter(_ended(scope, first, last))
                 .values("dossier_id", "dossier__code", "end_class"))
    ids = [f["dossier_id"] for f in facts]
    held = _dossiers_of(ids)
    late_facts = {f["dossier_id"]: f["dossier__code"] for f in facts if f["end_class"] == "late"}
    reasons = dict(Apology.objects.filter(dossier_id__in=list(late_facts)).values_list("dossier_id", "reason"))
    complaints = pakn.substantiated(ids)
    unit_ids = list(kpi.subtree_ids(agency))
    supplements = _supplements(list(staff), unit_ids, first, last)
    satisfaction, minimum = _satisfaction(agency, first, last)
    rows = []
    for pk, user in staff.items():
        ev = by_username.get(user.username)
        if ev is None:
            continue  # handled no dossier that ended in the period
        mine = held.get(pk, set())
        late = sorted((late_facts[d], reasons.get(d, "")) for d in mine if d in late_facts)
        row = {
            "officer": user, "officer_id": pk, "name": ev["name"], "username": user.username,
            "score": ev["score"], "max_points_computed": ev["max_points_computed"], "band": ev["band"],
            "band_code": band_code(ev["score"]), "indicators": ev["indicators"], "missing": ev["missing"],
            "dossiers": ev["dossiers"], "late": len(late), "late_list": late,
            "supplements": supplements.get(pk, 0),
            "complaints": sum(1 for d in mine if _names(complaints, d, pk)),
            "satisfaction": satisfaction_of(satisfaction.get(str(pk)), minimum),
        }
        row["suggested"] = suggest(row)
        rows.append(row)
    return sorted(rows, key=lambda r: (r["name"], r["username"]))


def officer_row(agency: OrgUnit, officer: User, first: dt.date, last: dt.date) -> dict[str, Any] | None:
    return next((r for r in officer_rows(agency, first, last) if r["officer_id"] == officer.pk), None)


# --- the suggestion ----------------------------------------------------------------------------------------


def mapping() -> list[dict[str, Any]]:
    """The rules of ``MOTCUA_SCORECARD_STAFF_MAPPING``, checked: a rule naming an unknown condition or level is
    a configuration error, not a rule that silently never matches."""
    rules = list(getattr(settings, "MOTCUA_SCORECARD_STAFF_MAPPING", []) or [])
    for rule in rules:
        unknown = set(rule.get("if", {})) - CONDITIONS
        level = rule.get("level", "")
        if unknown or (level and level not in StaffLevel.values):
            raise ImproperlyConfigured(f"MOTCUA_SCORECARD_STAFF_MAPPING: bad rule {rule!r}")
    return rules


def _holds(name: str, value: Any, row: Mapping[str, Any]) -> bool:
    if name == "no_data":
        return (row.get("score") is None) == bool(value)
    if name == "band":
        return row.get("band_code", "") in value
    if name == "complaints_min":
        return int(row.get("complaints") or 0) >= value
    if name == "complaints_max":
        return int(row.get("complaints") or 0) <= value
    if name == "late_max":
        return int(row.get("late") or 0) <= value
    if name == "satisfaction_min":
        index = (row.get("satisfaction") or {}).get("index")
        return index is None or index >= value  # no (or too few) answers: no evidence against the officer
    raise ImproperlyConfigured(name)


def suggest(row: Mapping[str, Any]) -> str:
    """The level the first matching rule gives (a ``StaffLevel`` code), or "" for no suggestion."""
    for rule in mapping():
        if all(_holds(name, value, row) for name, value in rule.get("if", {}).items()):
            return str(rule.get("level", ""))
    return ""


def label(level: str) -> str:
    return str(StaffLevel(level).label) if level in StaffLevel.values else ""


def decisions(agency: OrgUnit, year: int) -> dict[int, StaffDecision]:
    """Officer id → the leader's decision of the year."""
    return {d.officer_id: d for d in StaffDecision.objects.filter(agency=agency, year=year)
            .select_related("decided_by")}
