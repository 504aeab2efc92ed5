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
    names: dict[int, tuple[str, str]] = {}
    # The late dossiers of the period (ended after the promised return) in which the scope took part: all their
    # parts are read, so that each is attributed to the agencies that caused the delay.
    lead_late = AgencyPart.objects.filter(lead=True, late=True, ended_at__gte=start, ended_at__lt=end)
    if unit_ids is not None:
        lead_late = lead_late.filter(dossier_id__in=AgencyPart.objects.filter(in_scope).values("dossier_id"))
    # One query: the scope's parts that ended in the period or are still open past their deadline at its end,
    # and every part of those late dossiers.
    wanted = (Q(ended_at__gte=start, ended_at__lt=end)
              | Q(sent_at__lt=cutoff, due_at__lt=cutoff) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end)))
    by_dossier: dict[int, list[AgencyPart]] = defaultdict(list)
    for p in (AgencyPart.objects.filter(in_scope & wanted & Q(due_at__isnull=False)
                                        | Q(dossier_id__in=lead_late.values("dossier_id")))
              .select_related("dossier", "agency")):
        by_dossier[p.dossier_id].append(p)
        if (unit_ids is not None and p.agency_id not in unit_ids) or p.due_at is None:
            continue
        ended = p.ended_at is not None and start <= p.ended_at < end
        overdue = p.sent_at is not None and p.sent_at < cutoff and p.due_at < cutoff and (
            p.ended_at is None or p.ended_at >= end)
        if not (ended or overdue):
            continue
        names[p.agency_id] = (p.agency.name, p.agency.code)
        row = rows[p.agency_id]
        if ended:
            row["parts"] += 1
            row[interagency.judge_part(p)] += 1
        else:
            row["overdue"] += 1
    for parts in by_dossier.values():
        lead = next((p for p in parts if p.lead), None)
        if lead is None or not lead.late or lead.ended_at is None or not start <= lead.ended_at < end:
            continue
        for unit in interagency.responsible(lead.dossier, parts, lead.ended_at):
            if unit_ids is None or unit.pk in unit_ids:
                names.setdefault(unit.pk, (unit.name, unit.code))
                rows[unit.pk]["caused"] += 1
    out = [{"agency": names[pk][0], "code": names[pk][1], **row,
            "on_time_rate": rate(row["early"] + row["on_time"], row["parts"])} for pk, row in rows.items()]
    return sorted(out, key=lambda r: r["agency"])
