"""Bộ chỉ số 766 (Decision 766/QĐ-TTg) computed from the agency's own data: what the national portal
would compute if every dossier were synced (domain note indices.md §1.1-1.2 [secondary]).

Each indicator has ``numerator`` ÷ ``denominator`` = ``value`` (a fraction 0-1), its ``target`` and
``points`` out of ``max_points``. Scoring: points = Pmax when value ≥ target, else value × Pmax ÷ target;
without a target, value × Pmax (indices.md §1.1 "Scoring rule"); rounded to 2 decimals. An indicator the
system has no data for has ``value``, ``points`` None and a ``note``: it is shown as missing, never
estimated; ``total`` sums the points that could be computed and ``max_points_computed`` says out of how
many. Every indicator the recorded data allows is computed (docs/stats.md): payments online (3.5b, 3.6)
from the confirmed payments, electronic results and digitised dossiers (4.1, 4.2) from the recorded
results and files, satisfaction with dossier handling (5.4) from the overdue dossiers, the ratings and the
feedback linked to dossiers, and feedback (PAKN) handled on time and satisfaction with its handling (5.2,
5.3) from the feedback items (``pakn``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.catalogue.parts import missing_parts
from motcua.dossiers.models import CertifiedCopy
from motcua.integrations.dvcqg import selectors as sync
from motcua.surveys import selectors as survey_selectors

from . import kpi, pakn

# Decree 63/2010 Art. 8(2): the seven parts of indicator 1.3.
PARTS_13 = {"name", "sequence", "manner", "documents", "time_limit", "applicants", "agency"}

# 5.4 counts the dossiers that drew a "dislike" (DVCQG's thumbs down). motcua's satisfaction answers (the
# rating of Decree 61/2018 Art. 29 is the per-dossier questionnaire of ``surveys``) score on the survey's
# scale (Rất không hài lòng … Rất hài lòng, indices.md §3): a dislike is an overall score of 1 or 2.


def rating_counts(first: dt.date, last: dt.date,
                  procedure_ids: frozenset[int] | None = None) -> dict[int, tuple[int, int]]:
    """(answers, dislikes) per agency (the unit's key) over the months [first, last] touches, from the
    satisfaction answers of every channel (``surveys.selectors.dislike_counts``: a dislike is an overall
    score below the middle of the scale, 1 or 2 of 5). An answer names the agency of the dossier's
    processing unit and the month its result was returned, no dossier, so it is counted by month."""
    codes = None
    if procedure_ids is not None:
        codes = list(Procedure.objects.filter(pk__in=procedure_ids).values_list("code", flat=True))
    return survey_selectors.dislike_counts(first, last, codes)


def _ratings_of(counts: dict[int, tuple[int, int]], unit_ids: frozenset[int] | None) -> tuple[int, int]:
    mine = [v for pk, v in counts.items() if unit_ids is None or pk in unit_ids]
    return sum(n for n, _d in mine), sum(d for _n, d in mine)


def _points(value: float | None, max_points: float, target: float | None) -> float | None:
    if value is None:
        return None
    if target is None:
        return round(value * max_points, 2)
    return round(max_points if value >= target else value * max_points / target, 2)


def _ind(ident: str, name: str, max_points: float, numerator: float | None, denominator: float | None,
         target: float | None = None, note: str = "", tracked: bool = False) -> dict[str, Any]:
    value = None if numerator is None or not denominator else round(numerator / denominator, 4)
    if numerator is not None and denominator == 0:
        empty = _("No dossier or procedure in the denominator for this period.")
        note = f"{empty} {note}" if note else empty
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


def copy_counts(first: dt.date, last: dt.date) -> dict[int, tuple[int, int]]:
    """(certified copies issued, of which signed electronically) per agency in [first, last] (one query)."""
    rows = (CertifiedCopy.objects.filter(certified_at__date__gte=first, certified_at__date__lte=last)
            .values("agency_id").annotate(n=Count("pk"), signed=Count("pk", filter=Q(signed=True))))
    return {r["agency_id"]: (r["n"], r["signed"]) for r in rows}


def _copies_of(counts: dict[int, tuple[int, int]], unit_ids: frozenset[int] | None) -> tuple[int, int]:
    mine = [v for k, v in counts.items() if unit_ids is None or k in unit_ids]
    return sum(n for n, _s in mine), sum(s for _n, s in mine)


def compute(scope: kpi.Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    # Counts from the rollups (whole months monthly), never a scan of the period's facts.
    per_procedure = kpi.period_sums(scope, first, last, ("procedure_id",))
    with_fee = {key[0] for key, r in per_procedure.items() if r["received_with_fee"]}
    paid_online = {key[0] for key, r in per_procedure.items() if r["received_paid_online"]}
    ratings = _ratings_of(rating_counts(first, last, scope.procedure_ids), scope.unit_ids)
    synced = (sync.synced_of(sync.synced_pairs(first, last, scope.procedure_ids), scope.unit_ids)
              if sync.sync_in_use() else None)
    return compute_from(kpi.summary(scope, first, last), _procedures(scope), with_fee, first, last,
                        paid_online, ratings, pakn.counts(scope.unit_ids, first, last, scope.procedure_ids),
                        _copies_of(copy_counts(first, last), scope.unit_ids), synced)


def compute_many(unit_ids: dict[Any, frozenset[int]], first: dt.date,
                 last: dt.date) -> dict[Any, tuple[dict[str, Any], dict[str, Any]]]:
    """(index, summary) of each subtree in ``unit_ids`` (key → unit ids), from one reading of the period's
    cells and of the catalogue: the ranking's two periods in a dozen queries whatever the number of
    agencies."""
    cells = kpi.Cells.of(first, last)
    everything = _procedures(kpi.Scope())
    ratings = rating_counts(first, last)
    feedback = pakn.counts_many(unit_ids, first, last)
    copies = copy_counts(first, last)
    pairs = sync.synced_pairs(first, last) if sync.sync_in_use() else None
    out = {}
    for key, ids in unit_ids.items():
        s = cells.summary(ids)
        mine = [p for p in everything if p.agency_id in ids]
        out[key] = (compute_from(s, mine, cells.procedures_with_fee(ids), first, last,
                                 cells.procedures_paid_online(ids), _ratings_of(ratings, ids),
                                 feedback[key], _copies_of(copies, ids),
                                 None if pairs is None else sync.synced_of(pairs, ids)), s)
    return out


def compute_from(s: dict[str, Any], procedures: list[Procedure], with_fee_in_dossiers: set[int], first: dt.date,
                 last: dt.date, paid_online_in_dossiers: set[int] | None = None,
                 ratings: tuple[int, int] = (0, 0), feedback: dict[str, Any] | None = None,
                 copies: tuple[int, int] = (0, 0), synced: tuple[int, int] | None = None) -> dict[str, Any]:
    """The index from a summary (``kpi.summary``), the scope's procedures (``_procedures``), the
    procedures whose dossiers of the period carried a fee and those of which a dossier was paid online, the
    scope's (ratings, dislikes) of the period (``rating_counts``), its feedback counts (``pakn.counts``;
    none given: no feedback item) and its (dossiers acknowledged by DVCQG, dossiers received) (None: the
    synchronisation is not in use)."""
    fb = feedback or {"handled": 0, "on_time": 0, "first_received": 0, "satisfied": 0, "dossiers_with_pakn": 0}
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
    no_field = _("The dossier does not record this yet.")
    # 5.4 = 100 % − (overdue rate + rate of dossiers that drew a PAKN or a dislike), both over the dossiers
    # processed in the period (2.1's denominator). Dislikes come from the anonymous ratings (no dossier named,
    # so a late dossier that was also disliked counts twice, as the formula adds the two rates); so do the
    # dossiers that drew a PAKN (feedback linked to the dossier, received in the period, ``pakn.counts``).
    n_ratings, disliked = ratings
    drew_pakn = fb["dossiers_with_pakn"]
    # Late in 766's sense: ended late in the period, or still open and overdue at its end (``kpi.summary_from``).
    late = s["late"] + s["overdue"]
    satisfied = max(0, s["processed"] - late - disliked - drew_pakn)
    groups = [
        ("transparency", _("Publicity and transparency"), 18, [
            _no_data("1.1", _("Procedures published on time"), 6,
                     _("Publication decision dates and the effective dates of the legal bases are not recorded.")),
            _no_data("1.2", _("Procedures made public on time in the national TTHC database"), 4, no_sync),
            _ind("1.3", _("Procedures published with all required parts"), 2, complete, len(published)),
            (_ind("1.4", _("Dossiers synced to the national portal"), 6, synced[0], synced[1]) if synced is not None
             else _no_data("1.4", _("Dossiers synced to the national portal"), 6,
                           _("The synchronisation with the national portal is not switched on."))),
        ]),
        ("dvc-progress-tree", _("Progress of processing"), 20, [
            _ind("2.1", _("Dossiers processed early or on time"), 20, s["early"] + s["on_time"] + s["within_time"],
                 s["processed"]),
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
            _ind("3.5b", _("Procedures with at least one online payment"), 2,
                 len((paid_online_in_dossiers or set()) & fee_procedures), len(fee_procedures),
                 note=_("Procedures with a fee of which a dossier of the period was paid online, of the procedures "
                        "with a fee; the official formula was not found, this one is assumed.")),
            _ind("3.6", _("Dossiers paid online"), 6, s["paid_online"], s["with_fee"],
                 note=_("Dossiers received in the period with a fee (due at receipt or paid later) whose payment "
                        "was confirmed as online, of the dossiers with a fee.")),
        ]),
        ("dossier-digitized", _("Digitisation"), 22, [
            _ind("4.1", _("Dossiers with an electronic result"), 6, s["e_result"], s["with_result"],
                 note=_("Dossiers done in the period whose result was recorded with its file, of those whose "
                        "result was recorded.")),
            _ind("4.2", _("Digitised dossiers"), 4, s["digitised"], s["with_result"], target=0.8,
                 note=_("Dossiers done in the period with files on their components and an electronic result, "
                        "of those whose result was recorded.")),
            _ind("4.2b", _("Electronic certified copies"), 2, copies[1], copies[0],
                 note=_("Certified copies of the period signed electronically, of the certified copies the agency "
                        "issued; the official formula was not found, this one is assumed.")),
            _ind("4.3", _("Dossiers reusing digitised data"), 2,
                 s["reused_data"], s["received"], target=0.8),
            _ind("4.4", _("Dossiers linked to the citizen's data store"), 4, s["from_store"], s["received"],
                 note=_("Dossiers received in the period with a document taken from the holder's documents kept "
                        "by this system, or whose electronic result was kept there; this system's store stands in "
                        "for the one on the national portal until the two are synchronised.")),
            _no_data("4.5b", _("Dossiers using the national population database"), 2, no_field),
            _no_data("4.5a", _("Procedures connected to the population database"), 2, no_field),
        ]),
        ("handling-satisfaction", _("Satisfaction"), 18, [
            # No target for 5.2 and 5.3 in the formula description: points = rate × 6 (indices.md §1.1).
            {**_ind("5.2", _("Feedback handled on time"), 6, fb["on_time"], fb["handled"],
                    note=_("Feedback and petitions received in the period or still being handled in it, not "
                           "hidden as spam nor merged, whose every step met its limit (2, 5, 15 and 2 working "
                           "days); one still in progress at the end of the period is on time while within its "
                           "limits.")),
             "late": fb.get("late", 0), "prolonged": fb.get("prolonged", 0)},
            {**_ind("5.3", _("Satisfaction with feedback handling"), 6, fb["satisfied"], fb["first_received"],
                    note=_("Feedback first received in the period (follow-ups and items forwarded from another "
                           "agency left out) minus those the sender was not satisfied with, those overdue and "
                           "those followed up by another complaint about the result.")),
             "dissatisfied": fb.get("dissatisfied", 0), "overdue": fb.get("overdue", 0),
             "followed_up": fb.get("followed_up", 0)},
            {**_ind("5.4", _("Satisfaction with dossier handling"), 6, satisfied, s["processed"], target=0.9,
                    note=_("100%% minus the overdue rate and the rate of dossiers that drew feedback "
                           "(%(pakn)s dossiers) or a dislike (a rating of 1 or 2 out of 5; %(ratings)s ratings, "
                           "%(disliked)s dislikes).")
                    % {"ratings": n_ratings, "disliked": disliked, "pakn": drew_pakn}),
             "late": late, "ratings": n_ratings, "disliked": disliked, "pakn": drew_pakn},
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
