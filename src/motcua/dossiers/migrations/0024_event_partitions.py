"""PostgreSQL only: the dossier event table partitioned by month on ``at`` (``motcua.dossiers.partitions``).
SQLite is left as it is.

Why this design:
- PostgreSQL requires every unique constraint of a partitioned table, the primary key included, to contain
  the partition key. The primary key becomes ``(id, at)``; ``id`` stays unique in practice because it is
  drawn from the table's identity sequence (the ORM still addresses an event by ``id``). The constraint
  ``dossierevent_unique_seq`` becomes ``(dossier_id, seq, at)``: one event per position in a dossier's chain
  is held by the dossier row lock every writer takes before appending (``events.append``), and a duplicate
  would break the hash chain that ``motcua audit verify`` checks.
- Two tables point at events: ``PendingDispatch.event`` (the outbox, written in the transaction that appends
  the event, deleted when handled) and ``SyncRecord.event`` (integrations, nullable, PROTECT). A foreign key
  to a partitioned table must reference a unique index containing the partition key, which would mean
  carrying ``at`` in both referring tables. Their database-level foreign keys are dropped instead, on
  PostgreSQL only, because what they guarded cannot happen: an event is never deleted nor its id changed
  (the append-only triggers refuse it), and both referring rows are written by the code that has just
  inserted the event, in the same transaction. The ORM relations are unchanged.
- The append-only triggers are created on the partitioned table: PostgreSQL clones a row trigger onto every
  partition, present and future, so UPDATE and DELETE are refused on each partition too.
- A default partition takes the rows of any month not created yet, so an insert never fails; the months
  from the oldest event to three months ahead are created here, and ahead by ``motcua dossiers partitions``.

The rows are copied into the new table inside this migration: on a large existing database, run it in a
maintenance window (the copy takes about as long as writing the table once).
"""

import datetime as dt

from django.db import migrations

T = "dossiers_dossierevent"

UP = f"""
ALTER TABLE {T} RENAME TO {T}_unpartitioned;
CREATE TABLE {T} (LIKE {T}_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (at);
CREATE TABLE {T}_default PARTITION OF {T} DEFAULT;
"""


def _inbound_fks(cursor, table: str) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    cursor.execute("SELECT conrelid::regclass::text, conname FROM pg_constraint "
                   "WHERE contype = 'f' AND confrelid = %s::regclass AND conrelid <> confrelid", [table])
    return list(cursor.fetchall())


def _capture(cursor):  # type: ignore[no-untyped-def]
    """The indexes and the keys of ``T``, to be rebuilt on the new table under the same names; its trigger
    dropped (it is made again on the new table)."""
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [T])
    indexes = cursor.fetchall()
    cursor.execute("SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint "
                   "WHERE conrelid = %s::regclass AND contype IN ('f', 'p', 'u')", [T])
    constraints = cursor.fetchall()
    cursor.execute(f"DROP TRIGGER IF EXISTS dossiers_event_no_update ON {T}")
    return constraints, indexes


def _copy_and_rekey(cursor, source, constraints, indexes, primary, unique):  # type: ignore[no-untyped-def]
    """Copy ``source`` into the new ``T``, drop it, and give ``T`` the captured keys (with ``primary`` and ``unique``
    as the primary key's and the chain position's columns), foreign keys and indexes."""
    cursor.execute(f"INSERT INTO {T} SELECT * FROM {source}")
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{T}', 'id'), "
                   f"COALESCE((SELECT max(id) FROM {T}), 0) + 1, false)")
    cursor.execute(f"DROP TABLE {source} CASCADE")
    for name, definition, kind in constraints:
        if kind == "f":
            cursor.execute(f'ALTER TABLE {T} ADD CONSTRAINT "{name}" {definition}')
        elif kind == "p":
            cursor.execute(f'ALTER TABLE {T} ADD CONSTRAINT "{name}" PRIMARY KEY ({primary})')
        else:
            cursor.execute(f'ALTER TABLE {T} ADD CONSTRAINT "{name}" UNIQUE ({unique})')
    unique_names = {name for name, _d, kind in constraints if kind in ("p", "u")}
    for name, definition in indexes:
        if name not in unique_names:
            cursor.execute(definition.replace(" ON ONLY ", " ON "))  # on a partitioned table: on every partition


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    from motcua.dossiers import partitions

    with schema_editor.connection.cursor() as cursor:
        for table, name in _inbound_fks(cursor, T):
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        constraints, indexes = _capture(cursor)
        cursor.execute(UP)
        cursor.execute(f"SELECT min(at), max(at) FROM {T}_unpartitioned")
        oldest, newest = cursor.fetchone()
        today = dt.date.today()
        since = min(oldest.date(), today) if oldest else today
        until = max(newest.date(), today) if newest else today
        months = (until.year - today.year) * 12 + until.month - today.month
        partitions.ensure(ahead=max(3, months), today=today, since=since)
        # The chain position is unique per month (see above).
        _copy_and_rekey(cursor, f"{T}_unpartitioned", constraints, indexes, "id, at", "dossier_id, seq, at")
        cursor.execute(f"CREATE TRIGGER dossiers_event_no_update BEFORE UPDATE OR DELETE ON {T} "
                       "FOR EACH ROW EXECUTE FUNCTION dossiers_event_append_only()")


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back to one plain table (an operator rolling back a release, the migration tests): the rows copied into a
    table with the former keys, the two foreign keys to it restored. As slow as the way forward."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        constraints, indexes = _capture(cursor)
        cursor.execute(f"ALTER TABLE {T} RENAME TO {T}_partitioned")
        cursor.execute(f"CREATE TABLE {T} (LIKE {T}_partitioned INCLUDING DEFAULTS INCLUDING IDENTITY "
                       "INCLUDING CONSTRAINTS)")
        _copy_and_rekey(cursor, f"{T}_partitioned", constraints, indexes, "id", "dossier_id, seq")
        for table in ("dossiers_pendingdispatch", "integrations_syncrecord"):
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{table}_event_id_fk_dossierevent" '
                           f"FOREIGN KEY (event_id) REFERENCES {T} (id) DEFERRABLE INITIALLY DEFERRED")
        cursor.execute(f"CREATE TRIGGER dossiers_event_no_update BEFORE UPDATE OR DELETE ON {T} "
                       "FOR EACH ROW EXECUTE FUNCTION dossiers_event_append_only()")


class Migration(migrations.Migration):
    atomic = True
    dependencies = [
        ("dossiers", "0023_identity_level"),
        # Its foreign key to the event table has to exist before this migration drops it (see above).
        ("integrations", "0002_sync"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
