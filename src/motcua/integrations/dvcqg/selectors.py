"""Reads of the synchronisation: a dossier's status, the outbox's summary, and what 766 indicator 1.4 needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from motcua.dossiers.models import Dossier

from ..models import Reconciliation, RecordKind, SyncRecord, SyncState


@dataclass(frozen=True)
class DossierSync:
    """What the staff page shows: ``state`` is "off" (not configured), "none" (nothing owed: no code yet),
    "synced", "pending" or "dead"."""

    state: str
    acked: int
    pending: int
    dead: int
    last_acked_at: dt.datetime | None
    last_error: str
    records: list[SyncRecord]


def dossier_sync(dossier: Dossier, *, last: int = 10) -> DossierSync:
    records = list(SyncRecord.objects.filter(dossier_id=dossier.pk).order_by("-pk")[:last])
    counts = {row["state"]: row["n"] for row in
              SyncRecord.objects.filter(dossier_id=dossier.pk).values("state").annotate(n=Count("pk"))}
    acked, pending, dead = (counts.get(SyncState.ACKED, 0), counts.get(SyncState.PENDING, 0),
                            counts.get(SyncState.DEAD, 0))
    if not getattr(settings, "MOTCUA_DVCQG_SYNC", False) and not records:
        state = "off"
    elif dead:
        state = "dead"
    elif pending:
        state = "pending"
    elif acked:
        state = "synced"
    else:
        state = "none"
    last_acked = next((r.acked_at for r in records if r.acked_at), None)
    error = next((r.last_error for r in records if r.last_error and r.state != SyncState.ACKED), "")
    return DossierSync(state, acked, pending, dead, last_acked, error, records)


def summary() -> dict[str, Any]:
    counts = {row["state"]: row["n"] for row in SyncRecord.objects.values("state").annotate(n=Count("pk"))}
    dead = list(SyncRecord.objects.filter(state=SyncState.DEAD).select_related("dossier").order_by("pk")[:200])
    earlier_dead = SyncRecord.objects.filter(dossier_id=OuterRef("dossier_id"), pk__lt=OuterRef("pk"),
                                             state=SyncState.DEAD)
    blocked = SyncRecord.objects.filter(state=SyncState.PENDING).filter(Exists(earlier_dead)).count()
    return {"configured": bool(getattr(settings, "MOTCUA_DVCQG_URL", "")),
            "enabled": bool(getattr(settings, "MOTCUA_DVCQG_SYNC", False)),
            "acked": counts.get(SyncState.ACKED, 0), "pending": counts.get(SyncState.PENDING, 0),
            "dead": counts.get(SyncState.DEAD, 0), "blocked": blocked, "dead_records": dead,
            "reconciliations": list(Reconciliation.objects.all()[:10])}


def synced_pairs(first: dt.date, last: dt.date,
                 procedure_ids: Collection[int] | None = None) -> dict[tuple[int, int], tuple[int, int]]:
    """766 indicator 1.4, in one query: per (receiving unit, processing unit), (dossiers received in
    [first, last] whose ``HoSo`` DVCQG acknowledged, dossiers received). Counted from the acknowledgements,
    never from what was merely sent."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    acked = SyncRecord.objects.filter(dossier_id=OuterRef("pk"), kind=RecordKind.HOSO, state=SyncState.ACKED)
    qs = Dossier.objects.filter(received_at__gte=start, received_at__lt=end)
    if procedure_ids is not None:
        qs = qs.filter(procedure_id__in=procedure_ids)
    rows = (qs.annotate(synced=Exists(acked)).values("receiving_unit_id", "processing_unit_id")
            .annotate(n=Count("pk"), s=Count("pk", filter=Q(synced=True))))
    return {(r["receiving_unit_id"], r["processing_unit_id"]): (r["s"], r["n"]) for r in rows}


def synced_of(pairs: dict[tuple[int, int], tuple[int, int]],
              unit_ids: Collection[int] | None) -> tuple[int, int]:
    """(synced, received) of the dossiers received or processed by a unit of ``unit_ids`` (None: all)."""
    mine = [v for (r, p), v in pairs.items() if unit_ids is None or r in unit_ids or p in unit_ids]
    return sum(s for s, _n in mine), sum(n for _s, n in mine)


def sync_in_use() -> bool:
    """Whether 1.4 can be measured: the synchronisation is on, or was (records exist)."""
    return bool(getattr(settings, "MOTCUA_DVCQG_SYNC", False)) or SyncRecord.objects.exists()
