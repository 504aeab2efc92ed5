"""The worker that pushes the outbox to DVCQG.

- Order per dossier: a record is sent only when every earlier record of its dossier is acknowledged; one set
  aside (dead) holds the dossier's later records back until an administrator replays it.
- Several workers at once: a worker leases a dossier's records (an UPDATE that only one can win) before
  sending them; a worker that dies lets the lease run out and another sends them again, with the same
  idempotency keys, so DVCQG holds each record once.
- Nothing is marked sent before DVCQG acknowledged it; a record is acknowledged, retried later (exponential
  backoff with jitter, ``MOTCUA_DVCQG_BACKOFF_*``) or, refused by DVCQG or out of attempts, set aside.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from motcua.dossiers.models import Dossier

from ..models import RecordKind, SyncRecord, SyncState
from . import records
from .client import Answer, Client
from .mapping import current

log = logging.getLogger("motcua.dvcqg")


@dataclass
class Pushed:
    acked: int = 0
    retried: int = 0
    dead: int = 0

    @property
    def sent(self) -> int:
        return self.acked + self.retried + self.dead


def backoff(attempts: int) -> dt.timedelta:
    """The wait before attempt ``attempts + 1``: base × 2^(attempts − 1), capped, with "equal jitter" (half
    fixed, half random) so that many records failed together do not come back together."""
    base = float(settings.MOTCUA_DVCQG_BACKOFF_SECONDS)
    cap = float(settings.MOTCUA_DVCQG_BACKOFF_MAX_SECONDS)
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return dt.timedelta(seconds=ceiling / 2 + random.uniform(0, ceiling / 2))  # noqa: S311 - not a secret


def _due(now: dt.datetime) -> Q:
    return (Q(state=SyncState.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
            & (Q(leased_until__isnull=True) | Q(leased_until__lt=now)))


def _heads(now: dt.datetime, limit: int, dossier_ids: Iterable[int] | None) -> list[SyncRecord]:
    earlier_open = SyncRecord.objects.filter(dossier_id=OuterRef("dossier_id"), pk__lt=OuterRef("pk")).exclude(
        state=SyncState.ACKED)
    qs = SyncRecord.objects.filter(_due(now)).filter(~Exists(earlier_open))
    if dossier_ids is not None:
        qs = qs.filter(dossier_id__in=list(dossier_ids))
    return list(qs.order_by("pk").only("pk", "dossier_id")[:limit])


def _lease(head: SyncRecord, now: dt.datetime, per_dossier: int) -> list[int]:
    """Lease ``head`` and the records after it of the same dossier; [] when another worker was faster."""
    until = now + dt.timedelta(seconds=settings.MOTCUA_DVCQG_LEASE_SECONDS)
    with transaction.atomic():
        if not SyncRecord.objects.filter(pk=head.pk).filter(_due(now)).update(leased_until=until):
            return []
        rest = list(SyncRecord.objects.filter(dossier_id=head.dossier_id, pk__gt=head.pk, state=SyncState.PENDING)
                    .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
                    .order_by("pk").values_list("pk", flat=True)[:per_dossier - 1])
        SyncRecord.objects.filter(pk__in=rest).update(leased_until=until)
    return [head.pk, *rest]


def _payload(record: SyncRecord, batch: records.Batch) -> dict[str, object]:
    if record.kind == RecordKind.HOSO:
        return batch.hoso()
    return batch.tientrinh(record.event_id or 0)


def _settle(record: SyncRecord, answer: Answer, now: dt.datetime) -> str:
    """Record the answer; return the record's new state."""
    record.attempts += 1
    record.last_http_status = answer.http_status
    record.leased_until = None
    if answer.outcome == "ack":
        record.state, record.ack, record.acked_at, record.last_error = SyncState.ACKED, answer.body, now, ""
        record.next_attempt_at = None
    elif answer.outcome == "retry" and record.attempts < settings.MOTCUA_DVCQG_MAX_ATTEMPTS:
        record.last_error = answer.error
        record.next_attempt_at = now + backoff(record.attempts)
    else:
        record.state, record.last_error = SyncState.DEAD, answer.error or "out of attempts"
        record.ack = answer.body if answer.body is not None else record.ack
        log.warning("dvcqg: record %s set aside: %s", record.key, record.last_error)
    record.save(update_fields=["attempts", "last_http_status", "leased_until", "state", "ack", "acked_at",
                               "last_error", "next_attempt_at", "payload"])
    return record.state


def push(*, client: Client | None = None, limit: int = 200, per_dossier: int = 50,
         dossier_ids: Iterable[int] | None = None) -> Pushed:
    """Push what is due, dossier by dossier in order; return what happened. Does nothing (and says so in the
    log) when DVCQG is not configured."""
    if not getattr(settings, "MOTCUA_DVCQG_URL", ""):
        return Pushed()
    own = client is None
    client = client or Client.from_settings()
    done = Pushed()
    mapping = current()
    try:
        now = timezone.now()
        for head in _heads(now, limit, dossier_ids):
            ids = _lease(head, now, per_dossier)
            if not ids:
                continue
            dossier = Dossier.objects.select_related("processing_unit", "receiving_unit").get(pk=head.dossier_id)
            leased = list(SyncRecord.objects.filter(pk__in=ids).order_by("pk"))
            batch = records.Batch(dossier, mapping, [r.event_id for r in leased if r.event_id])
            for i, record in enumerate(leased):
                record.payload = _payload(record, batch)
                answer = client.send(record.kind, record.payload, record.key)
                state = _settle(record, answer, timezone.now())
                if state == SyncState.ACKED:
                    done.acked += 1
                    continue
                done.retried += state == SyncState.PENDING
                done.dead += state == SyncState.DEAD
                # The rest wait for this one (order per dossier): give their lease back.
                SyncRecord.objects.filter(pk__in=ids[i + 1:]).update(leased_until=None)
                break
    finally:
        if own:
            client.close()
    return done


def drain(*, client: Client | None = None, rounds: int = 1000) -> Pushed:
    """Push until nothing is due now (the records waiting for a backoff stay); for the command and tests."""
    total = Pushed()
    for _ in range(rounds):
        one = push(client=client)
        total.acked, total.retried, total.dead = total.acked + one.acked, total.retried + one.retried, \
            total.dead + one.dead
        if one.sent == 0:
            break
    return total
