"""The reconciliation: what DVCQG should hold of the dossiers received in a period against what it says it
holds (national-portal-sync.md §5; 766 indicator 1.4 counts only what was synced)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from motcua.dossiers.models import Dossier

from ..models import Reconciliation, RecordKind, SyncRecord, SyncState
from .client import Client, DvcqgError


def _owed(first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    open_records = SyncRecord.objects.filter(dossier_id=OuterRef("pk")).exclude(state=SyncState.ACKED)
    acked = SyncRecord.objects.filter(dossier_id=OuterRef("pk"), kind=RecordKind.HOSO, state=SyncState.ACKED)
    return list(Dossier.objects.filter(received_at__gte=start, received_at__lt=end).exclude(code__isnull=True)
                .exclude(code="").annotate(in_flight=Exists(open_records), acked=Exists(acked))
                .values("pk", "code", "status", "in_flight", "acked").order_by("code"))


def run(first: dt.date, last: dt.date, *, client: Client | None = None) -> Reconciliation:
    """Compare and keep the report. A dossier whose records are not all acknowledged yet is "unsent", not
    "missing": the worker still owes it."""
    owed = _owed(first, last)
    report = Reconciliation(first_day=first, last_day=last, expected=len(owed),
                            acknowledged=sum(1 for d in owed if d["acked"]))
    own = client is None
    try:
        client = client or Client.from_settings()
        held = {str(r.get("MaHoSo")): r for r in client.held(first.isoformat(), last.isoformat())}
    except DvcqgError as exc:
        report.error = str(exc)[:1000]
        report.save()
        return report
    finally:
        if own and client is not None:
            client.close()
    report.remote = len(held)
    local = {d["code"]: d for d in owed}
    for code, d in local.items():
        there = held.get(code)
        if d["in_flight"] or not d["acked"]:
            report.unsent.append({"code": code, "dossier": d["pk"], "status": d["status"]})
        elif there is None:
            report.missing.append({"code": code, "dossier": d["pk"], "status": d["status"]})
        elif there.get("TrangThaiHoSo") != d["status"]:
            report.mismatched.append({"code": code, "dossier": d["pk"], "status": d["status"],
                                      "remote_status": there.get("TrangThaiHoSo")})
    report.unknown = [{"code": code, "remote_status": r.get("TrangThaiHoSo")}
                      for code, r in sorted(held.items()) if code not in local]
    report.save()
    return report
