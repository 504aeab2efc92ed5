"""The append-only, hash-chained event log and ``motcua audit verify``."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from motcua.dossiers import events, services
from motcua.dossiers.models import DossierEvent

from .conftest import intake, upload


@pytest.fixture
def dossier(people, procedure):  # type: ignore[no-untyped-def]
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    services.request_withdrawal(people["binh"], d, "Rút hồ sơ")
    return d


def _drop_guard() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks, or ALTER is refused
            cursor.execute("ALTER TABLE dossiers_dossierevent DISABLE TRIGGER dossiers_event_no_update")
        else:
            cursor.execute("DROP TRIGGER dossiers_event_no_update")
            cursor.execute("DROP TRIGGER dossiers_event_no_delete")


def test_chain_links_each_event_to_the_previous(dossier):
    chain = list(DossierEvent.objects.filter(dossier=dossier).order_by("seq"))
    assert [e.seq for e in chain] == [1, 2, 3]
    assert chain[0].prev_hash == "" and chain[1].prev_hash == chain[0].hash and chain[2].prev_hash == chain[1].hash
    assert all(e.actor.full_name for e in chain)


def test_audit_verify_passes_on_an_intact_log(dossier, capsys):
    call_command("audit", "verify")
    assert "3 events of 1 dossiers checked" in capsys.readouterr().out


def test_database_refuses_to_update_an_event(dossier):
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(dossier=dossier, seq=2).update(reason="x")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_postgresql_refuses_to_delete_an_event(dossier):
    with pytest.raises(DatabaseError), transaction.atomic():
        DossierEvent.objects.filter(dossier=dossier, seq=3).delete()


def test_tampered_row_is_named_by_audit_verify(dossier):
    _drop_guard()
    DossierEvent.objects.filter(dossier=dossier, seq=2).update(data={"size": 1})
    with pytest.raises(CommandError) as err:
        call_command("audit", "verify")
    assert f"dossier {dossier.code}, event #2" in str(err.value) and "altered" in str(err.value)


def test_removed_event_is_detected(dossier):
    _drop_guard()
    DossierEvent.objects.filter(dossier=dossier, seq=3).delete()
    _, broken = events.verify()
    assert broken is not None and broken.seq == 3 and "removed" in broken.problem


def test_removed_middle_event_is_detected(dossier):
    _drop_guard()
    DossierEvent.objects.filter(dossier=dossier, seq=2).delete()
    _, broken = events.verify()
    assert broken is not None and broken.seq == 2 and "missing" in broken.problem


def test_a_register_export_logs_every_row_in_a_bounded_number_of_queries(people, procedure,
                                                                          django_assert_max_num_queries):
    """The register's log (``services.rows_for_export``) appends one event per dossier to each chain in a few
    queries, whatever the number of rows; the chains stay whole; a second export the same day adds nothing."""
    from motcua.dossiers.choices import EventKind

    made = [services.receive_at_desk(people["binh"], intake(), [upload()]) for _ in range(6)]
    with django_assert_max_num_queries(12):
        rows = services.rows_for_export(people["binh"], made, "/api/v1/registers/dossiers.xlsx")
    assert len(rows) == 6
    logged = DossierEvent.objects.filter(kind=EventKind.PERSONAL_DATA_VIEWED, data__what="register")
    assert sorted(e.dossier_id for e in logged) == sorted(d.pk for d in made)
    assert events.verify([d.pk for d in made])[1] is None
    services.rows_for_export(people["binh"], made, "/api/v1/registers/dossiers.xlsx")
    assert logged.count() == 6
