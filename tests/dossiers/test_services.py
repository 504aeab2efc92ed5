"""Intake, codes, promised dates and every allowed and refused transition."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers import lifecycle, services
from motcua.dossiers.actions import REGISTRY
from motcua.dossiers.choices import EventKind, Outcome, Status
from motcua.dossiers.models import Dossier, DossierEvent

from .conftest import intake, make_procedure, upload

VN = dt.timezone(dt.timedelta(hours=7))


def at(*args: int) -> time_machine.travel:
    return time_machine.travel(dt.datetime(*args, tzinfo=VN), tick=False)


def receive(people, when=(2026, 3, 10, 9, 0), **kw) -> Dossier:  # type: ignore[no-untyped-def]
    with at(*when):
        return services.receive_at_desk(people["binh"], intake(**kw), [upload()])


def submit(people, when=(2026, 3, 10, 9, 0)) -> Dossier:  # type: ignore[no-untyped-def]
    with at(*when):
        return services.submit_online(people["an"], intake(channel="online"))


def test_desk_receipt_gets_code_due_date_and_transfer_deadline(people, procedure):
    d = receive(people, when=(2026, 3, 10, 9, 0))
    assert d.status == Status.RECEIVED
    assert d.code == "T.SXD-260310-0001"
    assert d.rules["key"] == "2025"
    assert d.snapshot["procedure"]["code"] == "1.013236"
    assert d.due_at == dt.datetime(2026, 3, 31, 9, 0, tzinfo=VN)
    assert d.transfer_due_at == dt.datetime(2026, 3, 10, 17, 0, tzinfo=VN)  # same working day
    assert list(d.documents.values_list("provided", flat=True)) == [True, True, False]
    assert d.attachments.count() == 1
    kinds = list(d.events.values_list("kind", flat=True))
    assert kinds == [EventKind.CREATED, EventKind.DOCUMENT_ADDED]


def test_receipt_after_15h_is_transferred_at_start_of_next_working_day(people, procedure):
    d = receive(people, when=(2026, 3, 13, 15, 30))  # a Friday
    assert d.transfer_due_at == dt.datetime(2026, 3, 16, 8, 0, tzinfo=VN)


def test_receipt_outside_working_hours_counts_from_next_working_period(people, procedure):
    d = receive(people, when=(2026, 3, 14, 10, 0))  # a Saturday
    assert d.clock_start_at == dt.datetime(2026, 3, 16, 8, 0, tzinfo=VN)
    assert d.due_at == dt.datetime(2026, 4, 3, 17, 0, tzinfo=VN)


def test_codes_run_per_agency_and_day(people, procedure):
    a = receive(people, when=(2026, 3, 10, 9, 0))
    b = receive(people, when=(2026, 3, 10, 9, 5))
    c = receive(people, when=(2026, 3, 11, 9, 0))
    assert [a.code, b.code, c.code] == ["T.SXD-260310-0001", "T.SXD-260310-0002", "T.SXD-260311-0001"]


def test_register_numbers_run_per_receiving_agency_through_the_year(people, procedure, settings):
    # Circular 01/2018 Arts. 9-10 (one register a year, numbered continuously); Decree 30/2020 Art. 15(1).
    settings.MOTCUA_CENTRAL_SYSTEM_CODE = "G1"  # the code may name another agency; the register is the desk's
    a = receive(people, when=(2026, 3, 10, 9, 0))
    b = receive(people, when=(2026, 3, 11, 9, 0))
    online = submit(people, when=(2026, 3, 11, 9, 30))
    assert online.register_number is None  # not received yet
    with at(2026, 3, 12, 9, 0):
        online = services.accept(people["binh"], online)
    c = receive(people, when=(2027, 1, 4, 9, 0))
    assert [a.register_number, b.register_number, online.register_number, c.register_number] == [1, 2, 3, 1]
    assert Dossier.objects.get(pk=online.pk).register_number == 3
    assert online.events.get(kind=EventKind.CODE_ASSIGNED).data["register_number"] == 3  # in the log
    refused = receive(people, outcome=Outcome.REFUSE, reason="Sai thẩm quyền")
    assert refused.register_number is None


def test_migration_numbers_the_dossiers_already_received(people, procedure):
    import importlib

    from django.apps import apps

    from motcua.dossiers.models import RegisterCounter

    migration = importlib.import_module("motcua.dossiers.migrations.0011_register_number")
    a = receive(people, when=(2026, 12, 31, 9, 0))
    b = receive(people, when=(2026, 3, 10, 9, 0))
    c = receive(people, when=(2027, 1, 4, 9, 0))
    Dossier.objects.update(register_number=None)  # as they were before the migration
    RegisterCounter.objects.all().delete()
    migration.number_the_received(apps, None)
    numbers = dict(Dossier.objects.values_list("pk", "register_number"))
    assert [numbers[b.pk], numbers[a.pk], numbers[c.pk]] == [1, 2, 1]  # in order of receipt, per year
    assert receive(people, when=(2026, 12, 31, 10, 0)).register_number == 3  # the counter follows on


def test_dossier_received_under_2018_rules_keeps_them(people, procedure):
    d = receive(people, when=(2025, 6, 30, 9, 0))
    assert d.rules["key"] == "2018"
    assert d.rules["forms"]["control-sheet"]["number"] == "05"
    assert "stop-notice" not in d.rules["forms"]


def test_central_system_code_variant(people, procedure, settings):
    settings.MOTCUA_CENTRAL_SYSTEM_CODE = "G1"
    d = receive(people, when=(2026, 3, 10, 9, 0))
    assert d.code == "T.SXD-260310-G10001"


def test_refusal_at_the_desk_needs_a_reason_and_gets_no_code(people, procedure):
    with pytest.raises(DomainError):
        receive(people, outcome=Outcome.REFUSE, reason="")
    assert Dossier.objects.count() == 0
    d = receive(people, outcome=Outcome.REFUSE, reason="Không thuộc thẩm quyền")
    assert d.status == Status.NOT_RECEIVED and d.code is None


def test_supplement_at_the_desk_lists_everything_missing(people, procedure):
    d = receive(people, outcome=Outcome.SUPPLEMENT, documents=[services.DocumentInput(order=1)],
                missing=[services.MissingItem("Bản vẽ mặt cắt", "Thiếu bản vẽ mặt cắt")])
    assert d.status == Status.SUPPLEMENT_REQUESTED
    missing = d.events.get(kind=EventKind.CREATED).data["missing"]
    assert [m["document"] for m in missing] == ["Bản vẽ mặt cắt", "Bản vẽ thiết kế"]


def test_invalid_applicant_is_refused_and_nothing_written(people, procedure):
    bad = intake()
    bad.applicant.id_number = "123"
    with pytest.raises(DomainError) as err:
        services.receive_at_desk(people["binh"], bad, [upload()])
    assert err.value.details["fields"][0]["field"] == "applicant.id_number"
    assert Dossier.objects.count() == 0


def test_online_submission_then_accept(people, procedure):
    d = submit(people, when=(2026, 3, 10, 20, 0))  # evening: counts from the next morning
    assert d.status == Status.NEW and d.code is None and d.owner == people["an"]
    with at(2026, 3, 11, 10, 0):
        d = services.accept(people["binh"], d)
    assert d.status == Status.RECEIVED and d.code == "T.SXD-260311-0001"
    assert d.clock_start_at == dt.datetime(2026, 3, 11, 8, 0, tzinfo=VN)
    assert d.due_at == dt.datetime(2026, 3, 31, 17, 0, tzinfo=VN)


def test_online_supplement_once_then_accept(people, procedure):
    d = submit(people)
    d = services.request_supplement(people["binh"], d, [services.MissingItem("Bản vẽ thiết kế", "Thiếu chữ ký")])
    assert d.status == Status.SUPPLEMENT_REQUESTED
    d = services.submit_supplement(people["an"], d, uploads=[upload(order=2, name="ban-ve.pdf")])
    assert d.status == Status.NEW
    with pytest.raises(DomainError) as err:
        services.request_supplement(people["binh"], d, [services.MissingItem("X", "Y")])
    assert err.value.code == "supplement_already_requested"
    assert services.accept(people["binh"], d).status == Status.RECEIVED


def test_processing_supplement_pauses_and_restarts_the_clock(people, procedure):
    d = receive(people, when=(2026, 3, 10, 9, 0))
    with at(2026, 3, 10, 10, 0):
        d = services.transfer(people["binh"], d)
    assert d.status == Status.IN_PROGRESS
    with at(2026, 3, 12, 9, 0):
        d = services.request_supplement(people["cuong"], d, [services.MissingItem("Bản vẽ", "Sai tỉ lệ")])
    assert d.due_at is None and d.clock["paused_at"]
    with at(2026, 3, 20, 9, 0):
        d = services.submit_supplement(people["binh"], d)
    assert d.status == Status.IN_PROGRESS
    assert d.due_at == dt.datetime(2026, 4, 10, 9, 0, tzinfo=VN)  # 15 WD again from the complete dossier


def test_withdrawal_and_stop(people, procedure):
    d = receive(people)
    d = services.request_withdrawal(people["binh"], d, "Người nộp đề nghị rút")
    d = services.stop(people["binh"], d, "")
    assert d.status == Status.STOPPED and d.stopped_at is not None


def test_citizen_withdraws_own_online_dossier_but_not_another(people, procedure, org):
    from motcua.accounts.choices import Role
    from tests.conftest import _person

    d = submit(people)
    other = _person("lan", "Lê Thị Lan", None, Role.CITIZEN)
    with pytest.raises(PermissionDenied):
        services.request_withdrawal(other, d)
    assert services.request_withdrawal(people["an"], d).status == Status.WITHDRAWAL_REQUESTED


@pytest.mark.parametrize("action,status", [(slug, s) for slug, spec in REGISTRY.items() for s in Status
                                           if s not in spec.statuses])
def test_every_action_is_refused_outside_its_statuses(action, status):
    with pytest.raises(Conflict):
        lifecycle.check_action(action, status)


@pytest.mark.parametrize("before,after", [(b, a) for b in Status for a in Status if not lifecycle.is_allowed(b, a)])
def test_illegal_transitions_are_refused(before, after):
    with pytest.raises(Conflict) as err:
        lifecycle.check_transition(before, after)
    assert err.value.code == "illegal_transition"


def test_refused_transition_changes_nothing(people, procedure):
    d = receive(people)
    events_before = DossierEvent.objects.count()
    with pytest.raises(Conflict):
        services.stop(people["binh"], d)  # 2 → 8 is not allowed
    with pytest.raises(Conflict):
        services.accept(people["binh"], d)
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and DossierEvent.objects.count() == events_before


def test_permissions_on_actions(people, procedure):
    d = submit(people)
    for name in ("cuong", "khanh", "an", "thanh"):
        with pytest.raises(PermissionDenied):
            services.accept(people[name], d)
    with pytest.raises(PermissionDenied):
        services.receive_at_desk(people["cuong"], intake())
    with pytest.raises(PermissionDenied):
        services.submit_online(people["binh"], intake())


def test_version_is_the_one_in_force_on_the_receipt_day(people, org):
    make_procedure(org, code="1.000001", valid_from=dt.date(2027, 1, 1))
    with pytest.raises(DomainError) as err:
        receive(people, procedure="1.000001")
    assert err.value.code == "version_not_found"


def test_scanned_at_the_desk_needs_a_file_for_that_document(people, procedure):
    scanned = [services.DocumentInput(order=1), services.DocumentInput(order=2, scanned_at_desk=True)]
    for files in ([], [upload(order=1)]):  # no file, or a file of another document
        with pytest.raises(DomainError) as err:
            services.receive_at_desk(people["binh"], intake(documents=scanned), files)
        assert err.value.details["fields"][0]["field"] == "documents.2.scanned_at_desk"
        assert "Bản vẽ thiết kế" in err.value.message
    assert Dossier.objects.count() == 0
    d = services.receive_at_desk(people["binh"], intake(documents=scanned), [upload(order=2, name="bv.pdf")])
    assert d.documents.get(order=2).scanned_at_desk


def test_a_supplement_marked_scanned_needs_its_file_now_or_before(people, procedure):
    d = receive(people, when=(2026, 3, 10, 9, 0))
    with at(2026, 3, 10, 10, 0):
        d = services.transfer(people["binh"], d)
    with at(2026, 3, 12, 9, 0):
        d = services.request_supplement(people["cuong"], d, [services.MissingItem("Bản vẽ", "Sai tỉ lệ")])
    scanned = [services.DocumentInput(order=2, scanned_at_desk=True)]
    with pytest.raises(DomainError) as err, at(2026, 3, 20, 9, 0):
        services.submit_supplement(people["binh"], d, scanned)
    assert err.value.details["fields"][0]["field"] == "documents.2.scanned_at_desk"
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT_REQUESTED
    with at(2026, 3, 20, 9, 0):
        d = services.submit_supplement(people["binh"], d, scanned, [upload(order=2, name="bv.pdf")])
    assert d.documents.get(order=2).scanned_at_desk
