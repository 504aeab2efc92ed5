"""The read replica (``MOTCUA_DB_REPLICA_URL``): dashboards, reports and exports read from it, everything else from
the primary (docs/operations.md "Read replica").

A province's leaders open dashboards and export registers at the same hours the desks receive dossiers; those
reads are the heaviest the app makes, and a hot standby can take them off the primary. Only views marked
``@replica_reads`` use it, because only they can stand data a moment old; every other read, and every write,
goes to the primary. Three rules keep a user from seeing the past:

- **Read your writes.** A request that wrote reads from the primary from then on, and its client's next requests
  do too for ``MOTCUA_DB_REPLICA_PIN_SECONDS`` (a cookie), longer than the replica's allowed lag.
- **Lag bound.** The replica is used only while it is less than ``MOTCUA_DB_REPLICA_MAX_LAG`` seconds behind
  (checked at most every few seconds per process).
- **The replica down** (or failing mid-request) sends the view to the primary: a dashboard answers, late or not.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "motcua_primary"

_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("motcua_use_replica", default=False)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("motcua_wrote", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def configured() -> bool:
    return REPLICA in settings.DATABASES


def max_lag() -> float:
    return float(getattr(settings, "MOTCUA_DB_REPLICA_MAX_LAG", 10))


def pin_seconds() -> int:
    return int(getattr(settings, "MOTCUA_DB_REPLICA_PIN_SECONDS", max(15, int(max_lag() * 2))))


class _Health:
    """The replica's state as this process last measured it: usable or not, and when to look again."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.usable = False
        self.checked = -1e9
        self.lag: float | None = None

    def reset(self) -> None:
        with self.lock:
            self.checked = -1e9

    def mark_down(self) -> None:
        with self.lock:
            self.usable, self.checked, self.lag = False, time.monotonic(), None


health = _Health()
CHECK_EVERY = 5.0  # seconds between two measurements of the lag, per process


def lag_seconds() -> float:
    """How far behind the primary the replica is: 0 when it has replayed all it received (an idle primary sends
    nothing new, so the time since the last replayed transaction would overstate it), else the age of the last
    transaction it replayed."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
            " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
            " ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9) END")
        row = cursor.fetchone()
    return float(row[0]) if row else 1e9


def replica_usable() -> bool:
    if not configured():
        return False
    now = time.monotonic()
    if now - health.checked < CHECK_EVERY:
        return health.usable
    with health.lock:
        if now - health.checked < CHECK_EVERY:
            return health.usable
        try:
            lag = lag_seconds()
        except DatabaseError as exc:
            logger.warning("The read replica does not answer; reading from the primary: %s", exc)
            connections[REPLICA].close()
            health.usable, health.lag = False, None
        else:
            health.usable, health.lag = lag <= max_lag(), lag
            if not health.usable:
                logger.warning("The read replica is %.1f s behind (bound %.1f s); reading from the primary",
                               lag, max_lag())
        health.checked = time.monotonic()
        return health.usable


class ReplicaRouter:
    """Django's database router: the replica for the reads of ``@replica_reads`` views, the primary otherwise."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if _use_replica.get() and not _wrote.get() and not connections[PRIMARY].in_atomic_block:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == PRIMARY  # the replica follows the primary's schema by replication


def replica_reads(view: F) -> F:
    """Mark a read-only view (a dashboard, a report, an export) whose reads may come from the replica. If the
    replica fails in the middle, the view runs again on the primary: it only reads, so running it twice is safe.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not configured() or request.COOKIES.get(PIN_COOKIE) or not replica_usable():
            return view(request, *args, **kwargs)
        token = _use_replica.set(True)
        try:
            return view(request, *args, **kwargs)
        except OperationalError as exc:
            if replica_answers():
                raise  # the replica is fine: the failure is the primary's or the query's, not ours to hide
            logger.warning("The read replica failed during %s; answering from the primary: %s", request.path, exc)
            _use_replica.set(False)
            return view(request, *args, **kwargs)
        finally:
            _use_replica.reset(token)

    return cast(F, wrapper)


def replica_answers() -> bool:
    """Ask the replica again on a new connection; when it does not answer, remember it as down."""
    connections[REPLICA].close()
    try:
        lag_seconds()
    except DatabaseError:
        connections[REPLICA].close()
        health.mark_down()
        return False
    return True


class ReadYourWritesMiddleware:
    """Pins a client to the primary after a request of theirs wrote: the next pages show what they just did even
    if the replica has not replayed it yet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() and configured():
                response.set_cookie(PIN_COOKIE, "1", max_age=pin_seconds(), httponly=True, samesite="Lax",
                                    secure=request.is_secure())
            return response
        finally:
            _wrote.reset(token)
