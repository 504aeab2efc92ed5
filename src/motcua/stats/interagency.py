"""One-stop inter-agency in the statistics: each agency's parts of inter-agency dossiers against their shares of
the time, and the late dossiers attributed to the agency that caused them (``dossiers.workflow.interagency``),
so that an agency that takes part in another's procedure answers for its own delay.

A part counts in the period in which it ended (early, on time or late against its own deadline); a part still
open after its deadline at the end of the period counts as overdue. A late dossier (ended in the period after
its promised return) is attributed to every agency whose part was late, or to the lead agency when none was.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import OrgUnit
from motcua.dossiers.workflow import interagency
from motcua.dossiers.workflow.models import AgencyPart

from .kpi import rate


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def by_agency(unit_ids: frozenset[int] | None, first: dt.date, last: dt.date,
              now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """One row per agency (of ``unit_ids``; None: all) with parts in the period: ``parts`` ended, ``early``,
    ``on_time``, ``late``, ``overdue`` (open past their deadline at the period's end), ``on_time_rate`` and
    ``caused`` (late dossiers attributed to it), sorted by the agency's name."""
    start, end = _bounds(first, last)
    cutoff = min(end, now or timezone.now())
    in_scope = Q() if unit_ids is None else Q(agency_id__in=unit_ids)
    rows: dict[int, dict[str, Any]] = defaultdict(lambda: {"parts": 0, "early": 0, "on_time": 0, "late": 0,
                                                           "overdue": 0, "caused": 0})
    ended = AgencyPart.objects.filter(in_scope, ended_at__gte=start, ended_at__lt=end, due_at__isnull=False)
    for p in ended.only("agency_id", "ended_at", "due_at", "lead"):
        row = rows[p.agency_id]
        row["parts"] += 1
        row[interagency.judge_part(p)] += 1
    overdue = AgencyPart.objects.filter(in_scope, sent_at__lt=cutoff, due_at__lt=cutoff).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=end))
    for agency_id in overdue.values_list("agency_id", flat=True):
        rows[agency_id]["overdue"] += 1
    # The late dossiers of the period, each attributed to the agencies that caused the delay.
    late_dossiers = (AgencyPart.objects.filter(lead=True, ended_at__gte=start, ended_at__lt=end, late=True)
                     .values_list("dossier_id", flat=True))
    by_dossier: dict[int, list[AgencyPart]] = defaultdict(list)
    for p in AgencyPart.objects.filter(dossier_id__in=list(late_dossiers)).select_related("dossier"):
        by_dossier[p.dossier_id].append(p)
    for parts in by_dossier.values():
        lead = next((p for p in parts if p.lead), None)
        if lead is None:
            continue
        for unit in interagency.responsible(lead.dossier, parts, lead.ended_at):
            if unit_ids is None or unit.pk in unit_ids:
                rows[unit.pk]["caused"] += 1
    names = dict(OrgUnit.objects.filter(pk__in=list(rows)).values_list("pk", "name"))
    codes = dict(OrgUnit.objects.filter(pk__in=list(rows)).values_list("pk", "code"))
    out = [{"agency": names.get(pk, ""), "code": codes.get(pk, ""), **row,
            "on_time_rate": rate(row["early"] + row["on_time"], row["parts"])} for pk, row in rows.items()]
    return sorted(out, key=lambda r: r["agency"])
