"""The writes of the DVCQG synchronisation: the records DVCQG is owed, written in the transaction of the change
(a ``dossiers.dispatch`` writer), and the administrator's corrections: replaying a record set aside, resending a
dossier, backfilling, reconciling a period.

Only dossiers that have a code are synced: ``MaHoSo`` is the dossier code (national-portal-sync.md §2), and a
dossier filed online is given one when the desk accepts it; its ``HoSo`` then carries everything before.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks import task

from motcua.accounts.models import User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from motcua.dossiers.models import Dossier, DossierEvent

from ..models import Reconciliation, RecordKind, SyncRecord, SyncState
from . import reconcile
from .records import HOSO_KINDS, STEP_KINDS

KINDS = HOSO_KINDS | STEP_KINDS


def enabled() -> bool:
    return bool(getattr(settings, "MOTCUA_DVCQG_SYNC", False))


def _key(dossier: Dossier, seq: int, kind: str) -> str:
    return f"{dossier.reference}-{seq}-{kind}"


def write(event: DossierEvent) -> None:
    """The dispatcher's writer: the records ``event`` owes DVCQG, in its transaction. The dossier's ``HoSo``
    goes before the step that changed it, so that DVCQG knows a dossier before its history."""
    if not enabled():
        return
    dossier: Dossier = event.dossier
    if not dossier.code:
        return
    rows = []
    if event.kind in HOSO_KINDS:
        rows.append(SyncRecord(dossier_id=dossier.pk, event_id=event.pk, kind=RecordKind.HOSO,
                               key=_key(dossier, event.seq, RecordKind.HOSO)))
    if event.kind in STEP_KINDS:
        rows.append(SyncRecord(dossier_id=dossier.pk, event_id=event.pk, kind=RecordKind.TIENTRINH,
                               key=_key(dossier, event.seq, RecordKind.TIENTRINH)))
    if not rows:
        return
    SyncRecord.objects.bulk_create(rows)
    dossier_id = dossier.pk
    transaction.on_commit(lambda: _enqueue(dossier_id), robust=True)


def _enqueue(dossier_id: int) -> None:
    # Real time (Decree 224/2026 Art. 15: status changes are notified as they happen); if the enqueue fails,
    # the periodic ``motcua dvcqg push`` sends the record.
    push_dossier.enqueue(dossier_id)


@task()
def push_dossier(dossier_id: int) -> None:
    from .worker import push

    push(dossier_ids=[dossier_id])


def _require_admin(user: User) -> None:
    if not has_capability(user, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator may do this."), code="forbidden")


def replay(user: User, record_id: int) -> SyncRecord:
    """Send a record that was set aside again, from its first attempt (after the cause was fixed: the mapping,
    the credentials, a refused field)."""
    _require_admin(user)
    return replay_record(record_id)


def replay_record(record_id: int) -> SyncRecord:
    """``replay`` without the permission check, for the operator's command."""
    with transaction.atomic():
        record = SyncRecord.objects.select_for_update().filter(pk=record_id).first()
        if record is None:
            raise NotFound(_("No such record."))
        if record.state != SyncState.DEAD:
            raise Conflict(_("Only a record set aside can be replayed."), code="not_dead")
        record.state, record.attempts, record.next_attempt_at = SyncState.PENDING, 0, None
        record.leased_until, record.replays = None, record.replays + 1
        record.save(update_fields=["state", "attempts", "next_attempt_at", "leased_until", "replays"])
    transaction.on_commit(lambda: _enqueue(record.dossier_id), robust=True)
    return record


def replay_all(user: User | None) -> int:
    """Replay every record set aside (``user`` None: the operator's command)."""
    if user is not None:
        _require_admin(user)
    ids = list(SyncRecord.objects.filter(state=SyncState.DEAD).values_list("pk", flat=True))
    for pk in ids:
        replay_record(pk)
    return len(ids)


def resend(dossier: Dossier, *, user: User | None = None) -> SyncRecord | None:
    """Owe DVCQG the dossier's ``HoSo`` as it is now, under a new key (a reconciliation found it missing or
    different there). None for a dossier without a code."""
    if user is not None:
        _require_admin(user)
    if not dossier.code:
        return None
    with transaction.atomic():
        n = SyncRecord.objects.filter(dossier_id=dossier.pk, key__startswith=f"{dossier.reference}-resend-").count()
        record = SyncRecord.objects.create(dossier_id=dossier.pk, kind=RecordKind.HOSO,
                                           key=f"{dossier.reference}-resend-{n + 1}")
    transaction.on_commit(lambda: _enqueue(dossier.pk), robust=True)
    return record


def backfill(*, since: dt.date | None = None) -> int:
    """Records for the dossiers that have a code and none yet (received before the synchronisation was
    switched on): each one's ``HoSo`` as it is and a ``TienTrinh`` per event of its history. Idempotent."""
    done = SyncRecord.objects.values("dossier_id")
    dossiers = Dossier.objects.exclude(code__isnull=True).exclude(code="").exclude(pk__in=done)
    if since is not None:
        dossiers = dossiers.filter(received_at__date__gte=since)
    count = 0
    for dossier in dossiers.order_by("pk").iterator(chunk_size=200):
        rows = [SyncRecord(dossier_id=dossier.pk, kind=RecordKind.HOSO, key=f"{dossier.reference}-backfill-HoSo")]
        for event in (DossierEvent.objects.filter(dossier=dossier, kind__in=STEP_KINDS).order_by("seq")
                      .only("pk", "seq", "kind")):
            rows.append(SyncRecord(dossier_id=dossier.pk, event_id=event.pk, kind=RecordKind.TIENTRINH,
                                   key=_key(dossier, event.seq, RecordKind.TIENTRINH)))
        SyncRecord.objects.bulk_create(rows, ignore_conflicts=True)
        count += 1
    return count



def reconcile_period(user: User, first: dt.date, last: dt.date) -> Reconciliation:
    """An administrator asks DVCQG now what it holds of the dossiers received from ``first`` to ``last`` (at
    most a year); the report is kept, with the error when DVCQG cannot be asked."""
    _require_admin(user)
    if first > last or (last - first).days > 366:
        raise DomainError(_("The period must run forwards and last at most a year."), code="invalid_period",
                          details={"field": "first"})
    if not getattr(settings, "MOTCUA_DVCQG_URL", ""):
        raise Conflict(_("The connection to DVCQG is not configured."), code="not_configured")
    return reconcile.run(first, last)
