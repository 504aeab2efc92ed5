"""Monthly partitions of the dossier event table on PostgreSQL (migration ``dossiers.0024``).

The event table is the only table that is both append-only and large (about five events per dossier,
never updated, never deleted: DESIGN.md's audit rule and the triggers of ``0002_event_guard``). Partitioned
by month on ``at``, an old month is one table that can be moved to cheaper storage or archived whole, and
each month's indexes stay the size of a month. Other append-only tables (feedback and scorecard histories)
are small; notification attempts and DVCQG sync records are updated in place, so they are not partitioned.

``ensure`` creates the partitions of the months ahead (run by ``motcua dossiers partitions``, scheduled in
MOTCUA_SCHEDULE). A default partition takes any row whose month has none yet, so an insert never fails;
``ensure`` moves such rows into the month's partition when it creates it. On SQLite everything here is a
no-op: a laptop's database is not partitioned.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

TABLE = "dossiers_dossierevent"
DEFAULT = f"{TABLE}_default"


def enabled() -> bool:
    """True when the event table is partitioned (PostgreSQL after migration 0024)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid "
                       "WHERE c.relname = %s AND pg_table_is_visible(c.oid)", [TABLE])
        return cursor.fetchone() is not None


def name_of(month: dt.date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def _first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def existing() -> list[str]:
    """The names of the event table's partitions, default included."""
    if not enabled():
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s ORDER BY c.relname", [TABLE])
        return [row[0] for row in cursor.fetchall()]


def create_month(month: dt.date) -> bool:
    """Create the partition of ``month`` unless it exists; return True if it was created. Rows of that month
    already in the default partition (the job did not run in time) are moved into it in the same transaction:
    PostgreSQL refuses a new partition whose range the default partition holds rows of. The default is
    detached for the move, which also lifts the append-only triggers cloned onto it (they are cloned again
    when it is attached back), so the move is the only DELETE the events ever see, and it deletes nothing
    that is not inserted again first."""
    month = _first(month)
    name = name_of(month)
    if name in existing():
        return False
    lo, hi = month.isoformat(), _next(month).isoformat()
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # The bounds are instants in UTC (``at`` is timestamptz), so a month is the same rows wherever it is read.
        bounds = f"FROM ('{lo} 00:00:00+00') TO ('{hi} 00:00:00+00')"
        cursor.execute(f"SELECT 1 FROM {qn(DEFAULT)} WHERE at >= %s AND at < %s LIMIT 1",  # noqa: S608
                       [f"{lo} 00:00:00+00", f"{hi} 00:00:00+00"])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE TABLE {qn(name)} PARTITION OF {qn(TABLE)} FOR VALUES {bounds}")
            return True
        cursor.execute(f"ALTER TABLE {qn(TABLE)} DETACH PARTITION {qn(DEFAULT)}")
        cursor.execute(f"CREATE TABLE {qn(name)} PARTITION OF {qn(TABLE)} FOR VALUES {bounds}")
        where = "WHERE at >= %s AND at < %s"
        args = [f"{lo} 00:00:00+00", f"{hi} 00:00:00+00"]
        cursor.execute(f"INSERT INTO {qn(name)} SELECT * FROM {qn(DEFAULT)} {where}", args)  # noqa: S608
        cursor.execute(f"DELETE FROM {qn(DEFAULT)} {where}", args)  # noqa: S608
        cursor.execute(f"ALTER TABLE {qn(TABLE)} ATTACH PARTITION {qn(DEFAULT)} DEFAULT")
    return True


def ensure(ahead: int = 3, today: dt.date | None = None, since: dt.date | None = None) -> list[str]:
    """Create the partitions from ``since`` (default: this month) to ``ahead`` months after this one;
    return the names created. No-op (empty list) where the table is not partitioned."""
    if not enabled():
        return []
    today = today or timezone.localdate()
    month = _first(since or today)
    last = _first(today)
    for _ in range(ahead):
        last = _next(last)
    made = []
    while month <= last:
        if create_month(month):
            made.append(name_of(month))
        month = _next(month)
    return made
