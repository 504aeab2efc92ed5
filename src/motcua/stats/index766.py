"""Bộ chỉ số 766 (Decision 766/QĐ-TTg) computed from the agency's own data: what the national portal
would compute if every dossier were synced (domain note indices.md §1.1-1.2 [secondary]).

Each indicator has ``numerator`` ÷ ``denominator`` = ``value`` (a fraction 0-1), its ``target`` and
``points`` out of ``max_points``. Scoring: points = Pmax when value ≥ target, else value × Pmax ÷ target;
without a target, value × Pmax (indices.md §1.1 "Scoring rule"); rounded to 2 decimals. An indicator the
system has no data for has ``value``, ``points`` None and a ``note``: it is shown as missing, never
estimated; ``total`` sums the points that could be computed and ``max_points_computed`` says out of how
many.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.catalogue.parts import missing_parts

from . import kpi

# Decree 63/2010 Art. 8(2): the seven parts of indicator 1.3.
PARTS_13 = {"name", "sequence", "manner", "documents", "time_limit", "applicants", "agency"}


def _points(value: float | None, max_points: float, target: float | None) -> float | None:
    if value is None:
        return None
    if target is None:
        return round(value * max_points, 2)
    return round(max_points if value >= target else value * max_points / target, 2)


def _ind(ident: str, name: str, max_points: float, numerator: float | None, denominator: float | None,
         target: float | None = None, note: str = "", tracked: bool = False) -> dict[str, Any]:
    value = None if numerator is None or not denominator else round(numerator / denominator, 4)
    if numerator is not None and denominator == 0 and not note:
        note = _("No dossier or procedure in the denominator for this period.")
    return {"id": ident, "name": name, "value": value, "target": target,
            "points": None if tracked else _points(value, max_points, target), "max_points": max_points,
            "numerator": numerator, "denominator": denominator, "note": note}


def _no_data(ident: str, name: str, max_points: float, why: str, target: float | None = None) -> dict[str, Any]:
    return _ind(ident, name, max_points, None, None, target, note=why)


def _procedures(scope: kpi.Scope) -> list[Procedure]:
    qs = Procedure.objects.all()
    if scope.unit_ids is not None:
        qs = qs.filter(agency_id__in=scope.unit_ids)
    if scope.procedure_ids is not None:
        qs = qs.filter(pk__in=scope.procedure_ids)
    # Everything 1.3 and 3.5 read of a version, in five queries whatever the number of procedures.
    published = ProcedureVersion.objects.filter(status="published").prefetch_related(
        "fees", "documents", "time_variants")
    return list(qs.prefetch_related(Prefetch("versions", queryset=published)))


def compute(scope: kpi.Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    # Counts from the rollups (whole months monthly), never a scan of the period's facts.
    with_fee = {key[0] for key, r in kpi.period_sums(scope, first, last, ("procedure_id",)).items()
                if r["received_with_fee"]}
    return compute_from(kpi.summary(scope, first, last), _procedures(scope), with_fee, first, last)


def compute_many(unit_ids: dict[Any, frozenset[int]], first: dt.date,
                 last: dt.date) -> dict[Any, tuple[dict[str, Any], dict[str, Any]]]:
    """(index, summary) of each subtree in ``unit_ids`` (key → unit ids), from one reading of the period's
    cells and of the catalogue: the ranking's two periods in a dozen queries whatever the number of
    agencies."""
    cells = kpi.Cells.of(first, last)
    everything = _procedures(kpi.Scope())
    out = {}
    for key, ids in unit_ids.items():
        s = cells.summary(ids)
        mine = [p for p in everything if p.agency_id in ids]
        out[key] = (compute_from(s, mine, cells.procedures_with_fee(ids), first, last), s)
    return out


def compute_from(s: dict[str, Any], procedures: list[Procedure], with_fee_in_dossiers: set[int], first: dt.date,
                 last: dt.date) -> dict[str, Any]:
    """The index from a summary (``kpi.summary``), the scope's procedures (``_procedures``) and the
    procedures whose dossiers of the period carried a fee."""
    published = []
    for p in procedures:
        version = next((v for v in p.versions.all() if v.valid_from <= last
                        and (v.valid_to is None or v.valid_to >= first)), None)
        if version is not None:
            published.append((p, version))
    complete = sum(1 for _p, v in published if not {part.key for part in missing_parts(v)} & PARTS_13)
    online_offered = sum(1 for p, _v in published if p.online_mode in ("full", "partial"))
    fee_procedures = {p.pk for p, v in published if any((f.amount_vnd or 0) > 0 for f in v.fees.all())}
    no_sync = _("The system keeps no log of what was synced to the national portal yet.")
    no_pakn = _("Feedback and petitions (PAKN) and ratings are not recorded by the system yet.")
    no_field = _("The dossier does not record this yet.")
    groups = [
        ("transparency", _("Publicity and transparency"), 18, [
            _no_data("1.1", _("Procedures published on time"), 6,
                     _("Publication decision dates and the effective dates of the legal bases are not recorded.")),
            _no_data("1.2", _("Procedures made public on time in the national TTHC database"), 4, no_sync),
            _ind("1.3", _("Procedures published with all required parts"), 2, complete, len(published)),
            _no_data("1.4", _("Dossiers synced to the national portal"), 6, no_sync),
        ]),
        ("dvc-progress-tree", _("Progress of processing"), 20, [
            _ind("2.1", _("Dossiers processed early or on time"), 20, s["early"] + s["on_time"], s["processed"]),
            {**_ind("2.2", _("Average processing time (working days)"), 0, None, None, tracked=True),
             "value": s["avg_working_days"], "numerator": None, "denominator": s["done"],
             "note": _("Tracked, no points.")},
        ]),
        ("provide-online-tree", _("Online services"), 12, [
            _ind("3", _("Fully-online dossiers of procedures eligible for full online"), 12,
                 s["fully_online"], s["eligible_full"]),
            _ind("3.1", _("Procedures offered partly or fully online"), 0, online_offered, len(published),
                 target=0.8, tracked=True),
            _ind("3.3", _("Online dossiers"), 0, s["online"], s["received"], target=0.5, tracked=True),
        ]),
        ("formality-online-payment-tree", _("Online payment"), 10, [
            _ind("3.5", _("Procedures with fees whose dossiers carry the fee"), 2,
                 len(with_fee_in_dossiers & fee_procedures), len(fee_procedures), target=0.8),
            _no_data("3.5b", _("Procedures with at least one online payment"), 2, no_field),
            _no_data("3.6", _("Dossiers paid online"), 6, no_field),
        ]),
        ("dossier-digitized", _("Digitisation"), 22, [
            _no_data("4.1", _("Dossiers with an electronic result"), 6, no_field),
            _no_data("4.2", _("Digitised dossiers"), 4, no_field, target=0.8),
            _no_data("4.2b", _("Electronic certified copies"), 2, no_field),
            _ind("4.3", _("Dossiers reusing digitised data"), 2,
                 s["reused_data"], s["received"], target=0.8),
            _no_data("4.4", _("Dossiers linked to the citizen's data store"), 4, no_field),
            _no_data("4.5b", _("Dossiers using the national population database"), 2, no_field),
            _no_data("4.5a", _("Procedures connected to the population database"), 2, no_field),
        ]),
        ("handling-satisfaction", _("Satisfaction"), 18, [
            _no_data("5.2", _("Feedback handled on time"), 6, no_pakn),
            _no_data("5.3", _("Satisfaction with feedback handling"), 6, no_pakn),
            _no_data("5.4", _("Satisfaction with dossier handling"), 6, no_pakn, target=0.9),
        ]),
    ]
    out = []
    for ident, name, max_points, indicators in groups:
        points = [i["points"] for i in indicators if i["points"] is not None]
        out.append({"id": ident, "name": name, "max_points": max_points, "indicators": indicators,
                    "points": round(sum(points), 2) if points else None,
                    "max_points_computed": sum(i["max_points"] for i in indicators if i["points"] is not None)})
    return {"from": first.isoformat(), "to": last.isoformat(),
            "total": round(sum(g["points"] or 0 for g in out), 2),
            "max_points": 100, "max_points_computed": sum(g["max_points_computed"] for g in out), "groups": out}
