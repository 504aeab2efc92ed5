"""The append-only, hash-chained event log.

One chain per dossier, not one global chain: a global chain makes every write in the system wait for
the one latest event row, whereas a dossier's writes are already serialised by the lock its service
takes on the dossier row. The dossier keeps the chain's head (``event_count``, ``last_event_hash``)
so that removing the last event is detected too; ``verify`` walks every chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from motcua.accounts.models import User

from . import dispatch
from .models import Dossier, DossierEvent


def plain(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as it will come back from the JSON column (dates as strings, decimals as strings)."""
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def digest(*, dossier_id: int, seq: int, kind: str, actor_id: int, at: dt.datetime, status_before: int | None,
           status_after: int | None, reason: str, data: dict[str, Any], prev_hash: str) -> str:
    body = json.dumps(
        {"dossier": dossier_id, "seq": seq, "kind": kind, "actor": actor_id, "at": _instant(at),
         "status_before": status_before, "status_after": status_after, "reason": reason, "data": data,
         "prev": prev_hash},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def event_digest(event: DossierEvent) -> str:
    return digest(dossier_id=event.dossier_id, seq=event.seq, kind=event.kind, actor_id=event.actor_id, at=event.at,
                  status_before=event.status_before, status_after=event.status_after, reason=event.reason,
                  data=event.data, prev_hash=event.prev_hash)


def append(dossier: Dossier, kind: str, actor: User, *, status_before: int | None = None,
           status_after: int | None = None, reason: str = "", data: dict[str, Any] | None = None,
           at: dt.datetime | None = None) -> DossierEvent:
    """Append an event to the dossier's chain. The caller holds the dossier row locked in a transaction
    (every service does) and saves nothing else on the event: it is inserted once, never changed. The
    handlers registered with ``dispatch`` are owed the event in the same transaction and run on commit."""
    if not getattr(actor, "pk", None):
        raise ValueError("An event names a natural person as its actor.")
    at = at or timezone.now()
    seq = dossier.event_count + 1
    payload = plain(data or {})
    event = DossierEvent(dossier=dossier, seq=seq, kind=kind, actor=actor, at=at, status_before=status_before,
                         status_after=status_after, reason=reason, data=payload, prev_hash=dossier.last_event_hash)
    event.hash = event_digest(event)
    event.save(force_insert=True)
    dossier.event_count = seq
    dossier.last_event_hash = event.hash
    Dossier.objects.filter(pk=dossier.pk).update(event_count=seq, last_event_hash=event.hash)
    dispatch.schedule(event)  # the registered handlers run on commit (notices, statistics)
    return event


def append_many(dossiers: list[Dossier], kind: str, actor: User, data: list[dict[str, Any]],
                at: dt.datetime | None = None) -> list[DossierEvent]:
    """Append one event of ``kind`` to each dossier's chain in three queries (the events, the chains' heads,
    the handlers owed), for the writes that touch many dossiers at once, such as the log of an exported
    register. The caller holds every row locked, as for ``append``; the dossiers are distinct."""
    if not getattr(actor, "pk", None):
        raise ValueError("An event names a natural person as its actor.")
    if not dossiers:
        return []
    at = at or timezone.now()
    built = []
    for dossier, one in zip(dossiers, data, strict=True):
        event = DossierEvent(dossier=dossier, seq=dossier.event_count + 1, kind=kind, actor=actor, at=at,
                             status_before=None, status_after=None, reason="", data=plain(one),
                             prev_hash=dossier.last_event_hash)
        event.hash = event_digest(event)
        dossier.event_count, dossier.last_event_hash = event.seq, event.hash
        built.append(event)
    created = DossierEvent.objects.bulk_create(built)
    Dossier.objects.bulk_update(dossiers, ["event_count", "last_event_hash"], batch_size=500)
    for event in created:
        dispatch.schedule(event)
    return created


@dataclass(frozen=True)
class BrokenLink:
    dossier: str
    seq: int
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event #{self.seq}" + (f" (id {self.event_id})" if self.event_id else "")
        return f"dossier {self.dossier}, {where}: {self.problem}"


def _check_chain(dossier: Dossier, events: Iterator[DossierEvent]) -> BrokenLink | None:
    prev = ""
    expected = 1
    name = dossier.public_id
    for event in events:
        if event.seq != expected:
            return BrokenLink(name, expected, None, f"event #{expected} is missing (found #{event.seq})")
        if event.prev_hash != prev:
            return BrokenLink(name, event.seq, event.pk, "previous-hash link does not match")
        if event_digest(event) != event.hash:
            return BrokenLink(name, event.seq, event.pk, "content does not match its hash (row altered)")
        prev = event.hash
        expected += 1
    if expected - 1 != dossier.event_count or prev != dossier.last_event_hash:
        return BrokenLink(name, expected, None, "the chain ends before the dossier's recorded head (events removed)")
    return None


def verify(dossier_ids: list[int] | None = None) -> tuple[int, BrokenLink | None]:
    """Walk every chain (or those of ``dossier_ids``); return how many events were checked and the first
    broken link, in dossier id order."""
    checked = 0
    dossiers = Dossier.objects.order_by("pk").only("pk", "code", "reference", "event_count", "last_event_hash")
    if dossier_ids is not None:
        dossiers = dossiers.filter(pk__in=dossier_ids)
    for dossier in dossiers.iterator(chunk_size=500):
        events = DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("seq").iterator(chunk_size=500)
        broken = _check_chain(dossier, events)
        checked += dossier.event_count
        if broken is not None:
            return checked, broken
    return checked, None
