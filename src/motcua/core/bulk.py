"""Fast bulk insertion of plain rows, for generated and imported data.

``QuerySet.bulk_create`` builds a model instance per row and compiles every value through the query
compiler: at a million dossiers (and five million events) that costs far more than the database does.
``insert_rows`` takes plain dicts keyed by column attribute name, adapts each value once with the
database backend's own adapters (the same ones the ORM ends in) and sends one ``executemany`` per
batch. It sends no signals and runs no ``save()``: callers use it only for rows that need neither.

Primary keys: callers that need the keys before inserting (to hash-chain events, say) reserve them with
``reserve_ids`` and must call ``reset_sequences`` afterwards (PostgreSQL identity columns do not move by
themselves when ids are given explicitly). Both assume no other writer inserts into those tables at the
same time, which holds for ``motcua generate`` and the benchmarks, the only callers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

Adapter = Callable[[Any], Any]


def _adapter(field: models.Field[Any, Any]) -> Adapter | None:
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        encoder = field.encoder
        return lambda value: ops.adapt_json_value(value, encoder)
    if isinstance(field, models.DecimalField):
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    return None


def _default(field: models.Field[Any, Any]) -> Callable[[], Any]:
    if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
        from django.utils import timezone

        return timezone.now
    if field.has_default():
        return field.get_default
    if field.null:
        return lambda: None
    if field.empty_strings_allowed:
        return lambda: ""

    def missing() -> Any:
        raise ValueError(f"{field.model.__name__}.{field.attname} needs a value")
    return missing


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]], batch: int = 5000) -> int:
    """Insert ``rows`` (attribute name → value; missing columns take the field's default) into the
    model's table; returns the number inserted."""
    if not rows:
        return 0
    given = set().union(*(r.keys() for r in rows[:1]))
    fields = [f for f in model._meta.concrete_fields if f.attname in given or not f.primary_key]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model, values are parameters
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields)))
    plan = [(f.attname, _adapter(f), _default(f)) for f in fields]
    values = [_values(row, plan) for row in rows]  # every row checked before anything is sent
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one statement: several times faster than batched INSERTs.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields))
            # COPY goes to psycopg's own cursor: wrapped so that a violation is Django's IntegrityError.
            with connection.wrap_database_errors, cursor.copy(copy_sql) as copy:
                for row_values in values:
                    copy.write_row(row_values)
        else:
            for start in range(0, len(values), batch):
                cursor.executemany(sql, values[start:start + batch])
    return len(rows)


def _values(row: dict[str, Any], plan: Iterable[tuple[str, Adapter | None, Callable[[], Any]]]) -> list[Any]:
    out = []
    for name, adapt, default in plan:
        value = row[name] if name in row else default()
        out.append(adapt(value) if adapt is not None and value is not None else value)
    return out


def reserve_ids(model: type[models.Model]) -> int:
    """The first free primary key of ``model``: every key above the current maximum is free (see the
    module note)."""
    top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
    return int(top) + 1


def take_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys for ``model`` that no other writer will get, in ascending order.

    On PostgreSQL they are drawn from the table's own key sequence (``nextval``), so several processes
    may insert into the same table at once (``motcua generate --workers N``) and the sequence never needs
    resetting; they need not be contiguous. Elsewhere (SQLite: one writer at a time) they are the
    ``count`` keys above the current maximum, as ``reserve_ids`` gives them: call ``reset_sequences``
    after inserting."""
    if count <= 0:
        return []
    if connection.vendor == "postgresql":
        table, pk = model._meta.db_table, model._meta.pk
        assert pk is not None
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, pk.column, count])
            return sorted(int(r[0]) for r in cursor.fetchall())
    first = reserve_ids(model)
    return list(range(first, first + count))


def reset_sequences(*model_classes: type[models.Model]) -> None:
    """Move the tables' key sequences past the explicitly inserted ids (a no-op on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_classes))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
