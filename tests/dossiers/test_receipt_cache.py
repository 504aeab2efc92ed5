"""What a receipt caches of the catalogue and the calendar is never staler than the last committed change.

Each test first fills the per-process caches with one receipt, then changes the catalogue (or the unit
tree) the way an administrator or an import does, and checks that the next receipt sees the change.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from motcua.accounts import services as accounts
from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.calendars.models import CalendarOverride, WorkingCalendar
from motcua.catalogue import exchange
from motcua.catalogue import services as catalogue
from motcua.catalogue.models import CatalogueRevision, RequiredDocument
from motcua.dossiers import services

from .conftest import intake

VN = dt.timezone(dt.timedelta(hours=7))
pytestmark = pytest.mark.django_db


def receive(people, day: tuple[int, int, int] = (2026, 3, 10)):  # type: ignore[no-untyped-def]
    with time_machine.travel(dt.datetime(*day, 9, 0, tzinfo=VN), tick=False):
        return services.receive_at_desk(people["binh"], intake())


def test_a_document_renamed_in_the_catalogue_is_copied_by_the_next_receipt(people, procedure):
    first = receive(people)
    assert first.snapshot["version"]["documents"][1]["name"] == "Bản vẽ thiết kế"
    doc = RequiredDocument.objects.get(version__procedure=procedure, order=2)
    doc.name = "Bản vẽ thiết kế xây dựng"
    doc.save()
    second = receive(people)
    assert second.snapshot["version"]["documents"][1]["name"] == "Bản vẽ thiết kế xây dựng"
    assert second.documents.get(order=2).name == "Bản vẽ thiết kế xây dựng"


def test_a_snapshot_is_a_copy_each_dossier_owns(people, procedure):
    first = receive(people)
    first.snapshot["version"]["documents"][0]["name"] = "changed in memory"
    second = receive(people)
    assert second.snapshot["version"]["documents"][0]["name"] == "Đơn đề nghị cấp giấy phép xây dựng"


def test_a_new_version_from_a_later_day_is_taken_from_that_day(people, procedure):
    admin_user = people["ha"]
    version = procedure.versions.get()
    assert receive(people, (2026, 3, 10)).procedure_version_id == version.pk
    assert receive(people, (2026, 3, 20)).procedure_version_id == version.pk  # cached for the 20th too
    # The old version ends on the 14th by an update() (no model signal), the new draft starts on the 15th.
    clone = catalogue.clone_version(version, valid_from=dt.date(2026, 3, 15), user=admin_user)
    clone.status = "published"  # the fixture's version lacks parts publish_version requires
    clone.save()
    assert receive(people, (2026, 3, 20)).procedure_version_id == clone.pk
    assert receive(people, (2026, 3, 10)).procedure_version_id == version.pk


def test_an_import_that_replaces_the_documents_is_copied_by_the_next_receipt(people, procedure):
    receive(people)
    version = procedure.versions.get()
    version.sequence, version.manner, version.fee_status = "Nộp hồ sơ; thẩm định; cấp phép.", "Trực tiếp", "free"
    version.save()
    procedure.result_name = "Giấy phép xây dựng"
    procedure.save()
    data = exchange.export_data()
    version = data["procedures"][0]["versions"][0]
    version["documents"][1]["name"] = "Bản vẽ thiết kế (bản mới)"
    try:
        exchange.import_catalogue(data, user=people["ha"])
    except exchange.CatalogueImportError as exc:
        raise AssertionError(exc.errors) from exc
    assert receive(people).snapshot["version"]["documents"][1]["name"] == "Bản vẽ thiết kế (bản mới)"


def test_the_token_read_from_the_database_decides_not_this_process(people, procedure):
    """Another process changes a row and the token in one transaction: this process's cache yields."""
    receive(people)
    RequiredDocument.objects.filter(version__procedure=procedure, order=1).update(name="Tờ khai")  # no signal
    assert receive(people).snapshot["version"]["documents"][0]["name"] != "Tờ khai"  # same token: cached
    CatalogueRevision.objects.update_or_create(pk=1, defaults={"token": "from-another-process"})
    assert receive(people).snapshot["version"]["documents"][0]["name"] == "Tờ khai"


def test_a_renamed_agency_is_copied_by_the_next_receipt(people, procedure, org):
    receive(people)
    org["sxd"].name = "Sở Xây dựng tỉnh Lâm Đồng"
    accounts.save_unit(org["sxd"])
    assert receive(people).snapshot["procedure"]["agency"]["name"] == "Sở Xây dựng tỉnh Lâm Đồng"


def test_an_agency_moved_under_another_parent_follows_that_parent_s_calendar(people, procedure, org):
    """A Wednesday made a day off in one parent unit's own calendar moves only the dates of the units
    under it; once the agency moves there, its next receipt counts that day off (no stale "which
    calendar does this unit follow" answer)."""
    other = accounts.save_unit(OrgUnit(name="UBND tỉnh khác", code="T.H99", kind=UnitKind.PROVINCE))
    own = WorkingCalendar.objects.create(org_unit=other, name="Lịch riêng")
    CalendarOverride.objects.create(calendar=own, date=dt.date(2026, 3, 11), kind="day_off", name="Nghỉ")
    before = receive(people)
    org["sxd"].parent = other
    accounts.save_unit(org["sxd"])
    people = {"binh": User.objects.get(pk=people["binh"].pk)}  # as the next request loads her
    after = receive(people)
    assert after.due_at == before.due_at + dt.timedelta(days=1)  # one working day more to count
