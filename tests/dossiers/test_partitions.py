"""The dossier event table partitioned by month on PostgreSQL (migration 0024, ``motcua.dossiers.partitions``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from motcua.dossiers import events, partitions, services
from motcua.dossiers.models import DossierEvent

from .conftest import intake, upload


@pytest.fixture(autouse=True)
def _postgresql(db):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL not available: the event table is partitioned on PostgreSQL only")


def _partition_of(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM dossiers_dossierevent WHERE id = %s", [event_id])
        return str(cursor.fetchone()[0])


def test_the_migration_partitions_the_table_with_a_default(db):
    assert partitions.enabled()
    names = partitions.existing()
    assert partitions.DEFAULT in names
    this_month = dt.date.today().replace(day=1)
    assert partitions.name_of(this_month) in names


def test_an_event_of_today_lands_in_its_month(people, procedure):
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    event = DossierEvent.objects.filter(dossier=d).order_by("seq").last()
    assert event is not None
    assert _partition_of(event.pk) == partitions.name_of(event.at.date().replace(day=1))


def test_an_event_in_a_month_without_partition_lands_in_the_default_then_moves(people, procedure):
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    far = dt.datetime(2041, 5, 17, 3, 0, tzinfo=dt.UTC)
    with transaction.atomic():
        locked = type(d).objects.select_for_update().get(pk=d.pk)
        event = events.append(locked, "note", people["binh"], data={"n": 1}, at=far)
    assert _partition_of(event.pk) == partitions.DEFAULT
    assert partitions.create_month(dt.date(2041, 5, 1)) is True
    assert _partition_of(event.pk) == partitions.name_of(dt.date(2041, 5, 1))
    # The chain is intact after the move, and the default partition still refuses changes once re-attached.
    assert events.verify([d.pk])[1] is None
    assert partitions.create_month(dt.date(2041, 5, 1)) is False


def test_the_job_creates_the_months_ahead(db):
    made = partitions.ensure(ahead=3, today=dt.date(2039, 11, 20))
    assert made[-4:] == [partitions.name_of(dt.date(2039, 11, 1)), partitions.name_of(dt.date(2039, 12, 1)),
                         partitions.name_of(dt.date(2040, 1, 1)), partitions.name_of(dt.date(2040, 2, 1))]
    assert partitions.ensure(ahead=3, today=dt.date(2039, 11, 20)) == []


def test_the_command_creates_the_months_ahead(db, capsys):
    call_command("dossiers", "partitions", "--ahead", "4")
    assert partitions.name_of((dt.date.today().replace(day=1) + dt.timedelta(days=4 * 31)).replace(day=1)) \
        in partitions.existing()


@pytest.mark.parametrize("statement", ["UPDATE {t} SET reason = 'x' WHERE id = %s", "DELETE FROM {t} WHERE id = %s"])
def test_each_partition_refuses_update_and_delete(people, procedure, statement):
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    partitions.create_month(dt.date(2040, 7, 1))  # created after the migration: the trigger is cloned onto it too
    with transaction.atomic():
        locked = type(d).objects.select_for_update().get(pk=d.pk)
        later = events.append(locked, "note", people["binh"], at=dt.datetime(2040, 7, 2, tzinfo=dt.UTC))
        unplanned = events.append(locked, "note", people["binh"], at=dt.datetime(2044, 1, 2, tzinfo=dt.UTC))
    first = DossierEvent.objects.filter(dossier=d).order_by("seq").first()
    assert first is not None
    rows = {_partition_of(e.pk): e.pk for e in (first, later, unplanned)}
    assert len(rows) == 3 and partitions.DEFAULT in rows
    for table, pk in rows.items():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement.format(t=table), [pk])


def test_the_staff_search_indexes_exist(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'dossiers_dossier'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"dossier_code_upper", "dossier_reference_upper", "dossier_search_folded_trgm",
            "dossier_form_search_trgm"} <= names
