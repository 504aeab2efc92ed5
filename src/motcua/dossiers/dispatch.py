"""The one dispatcher of dossier events: the extension point through which other apps react to a dossier.

Apps above dossiers never receive ``post_save`` signals of dossier rows; they register a handler in their
``AppConfig.ready()``::

    from motcua.dossiers import dispatch
    dispatch.register("portal.applicant_notice", handlers.applicant_notice, kinds=NOTICE_KINDS)

- ``events.append`` calls ``schedule(event)`` inside the service's transaction: one ``PendingDispatch`` row
  per handler whose ``kinds`` include the event's kind (all kinds when ``kinds`` is None). The rows commit
  or roll back with the event, so nothing acknowledged is lost if the process dies before the commit hook.
- On commit one task (``handle_events``, on the tasks backend) is enqueued for the event, off the officer's
  request: the worker runs the handlers, each in its own transaction that also deletes its row, so a
  handler's work and the record that it was done commit together and a handler runs to completion at most
  once per event. A handler that raises leaves its row (``attempts`` + 1) and never undoes the dossier's
  change. (With the immediate backend of the tests the task runs at the commit, in the same process.)
- ``sweep()`` (run by ``motcua dossiers tick``) handles the rows left by a dead process or a failed handler.

A handler takes an ``Event`` (ids and the kind, no model instance), is idempotent, and hands anything slow
to a task (the statistics refresh).

A *writer* (``register_writer``) is the other kind of reaction: it runs inside the appending transaction
itself, with the event and its dossier as they are at that instant, and may only add rows of its own app
(an outbox). The national portal's synchronisation uses one: each record it owes DVCQG is written with the
change that caused it, so a change that rolls back owes nothing and one that commits is never forgotten.
A writer must be fast and must not call out over the network; it runs for every matching event.

``withhold()`` switches dispatching (handlers and writers) off for what is appended inside it: a backdated
demo history must message nobody, and its caller rebuilds the statistics once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import partial

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from .models import DossierEvent, PendingDispatch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """What a handler is given: the event's id, its dossier's id and its kind."""

    id: int
    dossier_id: int
    kind: str


Handler = Callable[[Event], None]


@dataclass(frozen=True)
class Registration:
    name: str
    handler: Handler
    kinds: frozenset[str] | None

    def wants(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


_registry: dict[str, Registration] = {}
Writer = Callable[[DossierEvent], None]
_writers: dict[str, tuple[Writer, frozenset[str] | None]] = {}
# Not a switch of the thread: the block that withholds is explicit, and only what it appends is affected.
_withheld: ContextVar[bool] = ContextVar("motcua_dispatch_withheld", default=False)


def register(name: str, handler: Handler, *, kinds: Collection[str] | None = None) -> None:
    """Register ``handler`` under ``name`` (``"<app>.<what>"``, stored in ``PendingDispatch``, so keep it
    stable) for events of ``kinds`` (all when None). Registering a name again replaces the handler."""
    _registry[name] = Registration(name, handler, frozenset(kinds) if kinds is not None else None)


def register_writer(name: str, writer: Writer, *, kinds: Collection[str] | None = None) -> None:
    """Register ``writer``, called with each appended event of ``kinds`` (all when None) inside the appending
    transaction (``event.dossier`` is the dossier instance the service holds locked)."""
    _writers[name] = (writer, frozenset(kinds) if kinds is not None else None)


def registrations() -> list[Registration]:
    return list(_registry.values())


@contextmanager
def withhold() -> Iterator[None]:
    """Events appended inside the block are dispatched to no handler (a backdated demo history: no notice,
    no statistics refresh per event; the caller rebuilds the statistics once). Nests."""
    token = _withheld.set(True)
    try:
        yield
    finally:
        _withheld.reset(token)


def schedule(event: DossierEvent) -> None:
    """Owe ``event`` to its handlers: called by ``events.append`` in the appending transaction."""
    if _withheld.get():
        return
    for writer, kinds in _writers.values():
        if kinds is None or event.kind in kinds:
            writer(event)
    names = [r.name for r in _registry.values() if r.wants(event.kind)]
    if not names:
        return
    PendingDispatch.objects.bulk_create([PendingDispatch(event_id=event.pk, handler=n) for n in names])
    if not connection.in_atomic_block:
        _enqueue([event.pk])
        return
    transaction.on_commit(partial(_enqueue, [event.pk]), robust=True)


def _enqueue(event_ids: list[int]) -> None:
    # The handlers (notices, statistics) run in the worker, not in the officer's request; if the enqueue
    # itself fails, the rows stay and ``sweep`` handles them.
    handle_events.enqueue(event_ids)


@task()
def handle_events(event_ids: list[int]) -> None:
    """Run the pending handlers of ``event_ids``; idempotent (a handled row is gone)."""
    run_pending(event_ids)


def run_pending(event_ids: list[int] | None = None, *, older_than: dt.datetime | None = None) -> int:
    """Handle the pending rows of ``event_ids`` (all when None, or those created before ``older_than``);
    return how many handlers ran to completion."""
    rows = PendingDispatch.objects.order_by("event_id", "pk")
    if event_ids is not None:
        rows = rows.filter(event_id__in=event_ids)
    if older_than is not None:
        rows = rows.filter(created_at__lt=older_than)
    pending = list(rows.values_list("pk", "event_id", "event__dossier_id", "event__kind", "handler"))
    done = 0
    for pk, event_id, dossier_id, kind, name in pending:
        done += _handle(pk, Event(event_id, dossier_id, kind), name)
    return done


def sweep(grace: dt.timedelta = dt.timedelta(minutes=1)) -> int:
    """Handle what a dead process or a failing handler left (rows older than ``grace``, so as not to race
    the commit hook of a transaction that has just committed; racing is harmless, only wasteful)."""
    return run_pending(older_than=timezone.now() - grace)


def _handle(pk: int, event: Event, name: str) -> bool:
    registration = _registry.get(name)
    if registration is None:
        log.warning("dispatch: no handler %r registered; event %s stays pending", name, event.id)
        return False
    try:
        with transaction.atomic():
            # Locked so that two sweepers never run one handler twice; gone if another one handled it.
            if not list(PendingDispatch.objects.select_for_update(skip_locked=True).filter(pk=pk).values_list("pk")):
                return False
            registration.handler(event)
            PendingDispatch.objects.filter(pk=pk).delete()
        return True
    except Exception:  # the dossier's change stands; the row stays for the next sweep
        log.exception("dispatch: handler %s failed on event %s", name, event.id)
        PendingDispatch.objects.filter(pk=pk).update(attempts=F("attempts") + 1)
        return False
