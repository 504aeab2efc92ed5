"""The append-only, keyed hash-chained event log.

One chain per dossier, not one global chain: a global chain makes every write in the system wait for
the one latest event row, whereas a dossier's writes are already serialised by the lock its service
takes on the dossier row. The dossier keeps the chain's head (``event_count``, ``last_event_hash``)
so that removing the last event is detected too; ``motcua.dossiers.audit`` walks every chain.

Each event's ``hash`` is an HMAC-SHA-256 under the audit key (``MOTCUA_AUDIT_KEY``), which is kept outside the
database, and the event names the key by ``key_id`` (a fingerprint, not the key), so that a rotated key still
verifies the events it made (``MOTCUA_AUDIT_OLD_KEYS``). Events written before keys existed have no ``key_id``
and keep their plain SHA-256: they are verified as they were made and never re-chained (re-chaining them would
launder any tampering done before). A plain event after a keyed one in the same chain is a downgrade, reported
as tampering (docs/security.md §3).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone

from motcua.accounts.models import User

from . import dispatch
from .models import Dossier, DossierEvent

# The applicant's fields bound by the intake event (``applicant_mac``): a later change of the row is detected.
APPLICANT_FIELDS = ("applicant_kind", "applicant_name", "applicant_id_number", "applicant_tax_code",
                    "applicant_address", "applicant_phone", "applicant_email")


def key_id(key: bytes) -> str:
    """The public name of ``key`` stored with each event: a truncated HMAC of a fixed label, so that the key
    cannot be recovered from it."""
    return hmac.new(key, b"motcua audit key id", hashlib.sha256).hexdigest()[:16]


@functools.cache
def _keyring(current: str, old: tuple[str, ...], secret_key: str, production: bool) -> tuple[str, dict[str, bytes]]:
    if current:
        key = current.encode("utf-8")
    elif production:
        raise ImproperlyConfigured("MOTCUA_AUDIT_KEY must be set in production (docs/operations.md).")
    else:  # development and tests only: derived from SECRET_KEY, which is not in the database either
        key = hmac.new(secret_key.encode("utf-8"), b"motcua audit key (development)", hashlib.sha256).digest()
    ring = {key_id(k): k for k in (o.encode("utf-8") for o in old if o)}
    ring[key_id(key)] = key
    return key_id(key), ring


def keyring() -> tuple[str, dict[str, bytes]]:
    """The current key's id and every known key by id (the current one and the retired ones)."""
    return _keyring(str(getattr(settings, "MOTCUA_AUDIT_KEY", "") or ""),
                    tuple(getattr(settings, "MOTCUA_AUDIT_OLD_KEYS", []) or []), str(settings.SECRET_KEY),
                    getattr(settings, "ENV", "") == "production")


def mac(key: bytes, body: bytes) -> str:
    return hmac.digest(key, body, "sha256").hex()  # the one-shot C path: as fast as the plain SHA-256


def plain(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as it will come back from the JSON column (dates as strings, decimals as strings)."""
    result: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def _instant(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _body(*, dossier_id: int, seq: int, kind: str, actor_id: int, at: dt.datetime, status_before: int | None,
          status_after: int | None, reason: str, data: dict[str, Any], prev_hash: str) -> bytes:
    return json.dumps(
        {"dossier": dossier_id, "seq": seq, "kind": kind, "actor": actor_id, "at": _instant(at),
         "status_before": status_before, "status_after": status_after, "reason": reason, "data": data,
         "prev": prev_hash},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    ).encode("utf-8")


def digest(*, dossier_id: int, seq: int, kind: str, actor_id: int, at: dt.datetime, status_before: int | None,
           status_after: int | None, reason: str, data: dict[str, Any], prev_hash: str,
           key: bytes | None = None) -> str:
    """The hash of an event's canonical content and its link: an HMAC-SHA-256 under ``key``, or the plain
    SHA-256 of the events written before keys (``key`` None; verification only, never for a new event)."""
    body = _body(dossier_id=dossier_id, seq=seq, kind=kind, actor_id=actor_id, at=at, status_before=status_before,
                 status_after=status_after, reason=reason, data=data, prev_hash=prev_hash)
    return hashlib.sha256(body).hexdigest() if key is None else mac(key, body)


def event_digest(event: DossierEvent, key: bytes | None = None) -> str:
    return digest(dossier_id=event.dossier_id, seq=event.seq, kind=event.kind, actor_id=event.actor_id, at=event.at,
                  status_before=event.status_before, status_after=event.status_after, reason=event.reason,
                  data=event.data, prev_hash=event.prev_hash, key=key)


def _seal(event: DossierEvent) -> None:
    kid, ring = keyring()
    event.key_id = kid
    event.hash = event_digest(event, ring[kid])


def applicant_mac(dossier: Dossier) -> dict[str, str]:
    """The applicant's fields on ``dossier`` bound under the audit key, for the event that records them (the
    intake's ``created``): ``motcua.dossiers.audit`` recomputes it from the row. A MAC, not a plain hash, so that
    the log does not let anyone test guesses of an ID number or a phone."""
    kid, ring = keyring()
    return {"key": kid, "mac": applicant_digest(dossier, ring[kid])}


def applicant_digest(dossier: Dossier, key: bytes) -> str:
    body = json.dumps([dossier.pk, *(str(getattr(dossier, f) or "") for f in APPLICANT_FIELDS)],
                      ensure_ascii=False, separators=(",", ":"))
    return mac(key, body.encode("utf-8"))


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
    _seal(event)
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
        _seal(event)
        dossier.event_count, dossier.last_event_hash = event.seq, event.hash
        built.append(event)
    created = DossierEvent.objects.bulk_create(built)
    Dossier.objects.bulk_update(dossiers, ["event_count", "last_event_hash"], batch_size=500)
    for event in created:
        dispatch.schedule(event)
    return created


def verify(dossier_ids: list[int] | None = None) -> tuple[int, Any]:
    """Kept for its callers: how many events were checked and the first problem found (or None). The full
    report, every broken dossier with its reasons, is ``motcua.dossiers.audit.verify``."""
    from . import audit

    report = audit.verify(dossier_ids)
    return report.events, (report.problems[0] if report.problems else None)


# --- the database's guard against deleting events (SQLite) ------------------------------------------------

def register_sqlite_guard(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new SQLite connection, the function that the DELETE trigger of the event table asks (migration
    0026): events may be deleted only inside ``deletable`` on this connection (a test flush). A connection that
    has not registered it (the sqlite3 shell) cannot delete events at all: the trigger fails."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "motcua_event_delete_allowed", 0, lambda: int(getattr(connection, "motcua_event_delete_allowed", False)))


@contextlib.contextmanager
def deletable(connection: Any) -> Iterator[None]:
    """Let this connection delete dossier events (SQLite; a full flush of a test database). Nothing in the
    application deletes an event; PostgreSQL's flush is a TRUNCATE, which the row triggers do not see."""
    connection.motcua_event_delete_allowed = True
    try:
        yield
    finally:
        connection.motcua_event_delete_allowed = False


def of_page(ids: list[int]) -> Q:
    """The filter of the events of a page of dossiers (``ids``, not empty), for the walks of the whole history
    (``audit.with_chains``, ``facts.iter_built``): the range of the ids when the page is dense, which a walk of every
    dossier's pages is, else the list. The caller keeps the events of its own dossiers (a range also brings those of
    the few ids between them). On PostgreSQL the monthly partitions are read by one index range each, planned well
    whatever the table's statistics say; a list of 500 ids on a freshly loaded million-dossier history was planned
    as a parallel scan of every partition (1.2 s a page, plus up to 6 s of JIT compilation, against 15 ms for the
    range), which stretched a walk of a million dossiers to about an hour."""
    low, high = min(ids), max(ids)
    if high - low < 2 * len(ids):
        return Q(dossier_id__gte=low, dossier_id__lte=high)
    return Q(dossier_id__in=ids)
