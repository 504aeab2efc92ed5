"""The catalogue in step with the national procedures database: mapping, comparison, application, the
scheduled check over real HTTP (the double), and the administrators' page."""

from __future__ import annotations

import copy
import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from motcua.catalogue import services as catalogue_services
from motcua.catalogue.models import Fee, LegalBasis, Procedure, ProcedureVersion, RequiredDocument, Step
from motcua.integrations.models import CatalogueApplication, CatalogueComparison
from motcua.integrations.national_catalogue import services
from motcua.integrations.national_catalogue.double import NationalCatalogueDouble, fixture_records
from motcua.integrations.national_catalogue.mapping import MappingError, load_mapping, map_records
from motcua.integrations.national_catalogue.source import SourceError
from motcua.notifications import defaults as notice_keys
from motcua.notifications.models import Message
from motcua.notifications.services import seed_default_templates

PAGE = "/ket-noi/danh-muc-quoc-gia/"
APPLY = "/ket-noi/danh-muc-quoc-gia/ap-dung/"
PERMIT = "1.013236"
LOCAL_START = dt.date(2025, 7, 1)
NATIONAL_START = dt.date(2026, 7, 1)


def permit_record(**changes: Any) -> dict[str, Any]:
    record = copy.deepcopy(fixture_records()[0])
    record.update(changes)
    return record


def local_permit(org: dict[str, Any]) -> ProcedureVersion:
    """The permit as the province has it: the national facts of the fixture, plus its own internal steps."""
    record = fixture_records()[0]
    field = catalogue_services.save_field("Hoạt động xây dựng")
    procedure = Procedure(code=PERMIT, name=record["TenTTHC"], field=field, agency=org["sxd"],
                          online_mode="partial", for_individuals=True, for_organisations=True,
                          result_name="Giấy phép xây dựng", result_type="permit", level="province",
                          notes="Ghi chú nội bộ của Sở")
    catalogue_services.save_procedure(procedure)
    procedure.receiving_units.set([org["desk"]])
    version = ProcedureVersion(procedure=procedure, valid_from=LOCAL_START, sequence=record["TrinhTuThucHien"],
                               manner=record["CachThucThucHien"], legal_time_amount=Decimal(10),
                               legal_time_unit="working_days", fee_status="charged",
                               target_time_amount=Decimal(6), target_time_unit="working_days")
    catalogue_services.save_version(version)
    for n, doc in enumerate(record["ThanhPhanHoSo"], 1):
        RequiredDocument.objects.create(version=version, order=n, name=doc["TenGiayTo"], copies=1,
                                        copy_kind="original", note="Ghi chú của Sở" if n == 1 else "")
    Fee.objects.create(version=version, name="Lệ phí", amount_vnd=150_000, payer="all")
    LegalBasis.objects.create(version=version, instrument="Nghị định 217/2026/NĐ-CP", articles="Điều 54")
    Step.objects.create(version=version, order=1, name="Tiếp nhận hồ sơ", unit=org["desk"], role="desk_officer",
                        budget_amount=Decimal("0.5"), budget_unit="working_days")
    Step.objects.create(version=version, order=2, name="Thẩm định hồ sơ", unit=org["division"], role="specialist",
                        budget_amount=Decimal(5), budget_unit="working_days")
    catalogue_services.after_parts_saved(version)
    catalogue_services.publish_version(version)
    return version


def behind_record() -> dict[str, Any]:
    """The national permit after a change: a new fee, a shorter time, one more document, a new legal basis."""
    record = permit_record()
    record["PhiLePhi"][0]["MucPhi"] = 200_000
    record["ThoiHanGiaiQuyet"]["ThoiGian"] = 7
    record["ThanhPhanHoSo"].append({"TenGiayTo": "Bản vẽ thiết kế xây dựng", "SoLuong": 2, "LoaiBan": "Bản sao"})
    record["CanCuPhapLy"] = [{"TenVanBan": "Nghị định 300/2026/NĐ-CP", "DieuKhoan": "Điều 10"}]
    return record


def catalogue_state() -> list[tuple[Any, ...]]:
    return sorted(ProcedureVersion.objects.values_list("procedure__code", "valid_from", "valid_to", "status"))


# --- mapping --------------------------------------------------------------------------------------------------


def test_a_full_national_record_maps_to_every_local_field():
    mapping = load_mapping()
    mapped = map_records(mapping, fixture_records())
    assert mapped.errors == []
    permit, cchn, offplan = sorted(mapped.records, key=lambda r: r.code, reverse=True)[0], *[
        r for r in mapped.records if r.code in ("1.013217", "1.012905")]
    values = permit.values
    assert values["code"] == PERMIT
    assert values["name"].startswith("Cấp giấy phép xây dựng mới")
    assert values["field_name"] == "Hoạt động xây dựng"
    assert values["level"] == "province"
    assert values["agency_name"] == "Sở Xây dựng"
    assert values["applicant_types"] == ["individual", "organisation"]
    assert values["online_mode"] == "partial"
    assert values["result_name"] == "Giấy phép xây dựng"
    assert values["valid_from"] == NATIONAL_START
    assert values["legal_time"] == {"amount": Decimal(10), "unit": "working_days"}
    assert values["fee_status"] == "charged"
    assert values["fees"] == [{"name": "Lệ phí", "kind": "fee", "amount_vnd": 150_000, "amount_rule": ""}]
    assert values["documents"][0] == {"name": "Đơn đề nghị cấp giấy phép xây dựng", "copies": 1,
                                      "copy_kind": "original", "template_name": ""}
    assert values["legal_basis"] == [{"instrument": "Nghị định 217/2026/NĐ-CP", "articles": "Điều 54"}]
    # "150.000" is a Vietnamese amount with grouped thousands; an empty fee list says no fee applies.
    assert cchn.values["fees"][0]["amount_vnd"] == 150_000
    assert cchn.values["online_mode"] == "full"
    assert offplan.values["fee_status"] == "free"
    assert offplan.values["legal_time"] == {"amount": Decimal(15), "unit": "days"}


def test_a_bad_record_is_reported_with_its_field_and_reason_and_nothing_is_written(org, people):
    local_permit(org)
    before = catalogue_state()
    bad = behind_record()
    bad["ThoiHanGiaiQuyet"]["DonViTinh"] = "Tháng"
    bad["PhiLePhi"][0]["MucPhi"] = "khoảng hai trăm nghìn"
    nameless = permit_record(MaTTHC="1.099001", TenTTHC="")
    mapped = map_records(load_mapping(), [bad, nameless])
    assert mapped.records == []
    errors = {(e.record, e.field): e.message for e in mapped.errors}
    assert "không có trong bảng mã" in errors[("bản ghi quốc gia 1.013236 (#1)", "ThoiHanGiaiQuyet.DonViTinh")]
    assert ("bản ghi quốc gia 1.013236 (#1)", "PhiLePhi[0].MucPhi") in errors
    assert ("bản ghi quốc gia 1.099001 (#2)", "TenTTHC") in errors

    outcome = services.apply_answer([bad, nameless], user=people["ha"])
    assert outcome.applied == []
    assert len(outcome.errors) == 3
    assert catalogue_state() == before
    assert not CatalogueApplication.objects.exists()


def test_what_the_catalogue_refuses_is_reported_against_the_national_field():
    record = permit_record()
    record["ThanhPhanHoSo"][0]["SoLuong"] = 500  # the catalogue takes 1 to 100 copies
    mapped = map_records(load_mapping(), [record])
    assert [(e.field, bool(e.message)) for e in mapped.errors] == [("ThanhPhanHoSo[0].SoLuong", True)]


def test_the_mapping_is_configuration_replaced_by_the_setting(settings, tmp_path):
    mapping = {
        "schema": "motcua.national-catalogue-mapping/1", "records": "data.items",
        "fields": {"code": {"from": "ma", "required": True}, "name": {"from": "ten", "required": True},
                   "level": {"from": "cap", "table": "cap"}},
        "tables": {"cap": {"T": "province"}},
    }
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(mapping), encoding="utf-8")
    settings.MOTCUA_NATIONAL_CATALOGUE_MAPPING = str(path)
    loaded = load_mapping()
    from motcua.integrations.national_catalogue.mapping import records_of
    mapped = map_records(loaded, records_of(loaded, {"data": {"items": [{"ma": "2.000001", "ten": "X", "cap": "t"}]}}))
    assert mapped.records[0].values == {"code": "2.000001", "name": "X", "level": "province"}

    mapping["tables"]["cap"] = {"T": "galaxy"}
    path.write_text(json.dumps(mapping), encoding="utf-8")
    with pytest.raises(MappingError, match="galaxy"):
        load_mapping()


# --- comparing ------------------------------------------------------------------------------------------------


def test_the_comparison_finds_changed_fee_time_documents_and_legal_basis_new_and_local_only(org):
    local_permit(org)
    catalogue_services.save_procedure(Procedure(code="1.000777", name="Thủ tục riêng của tỉnh"))
    new = permit_record(MaTTHC="1.013300", TenTTHC="Thủ tục mới của Trung ương")
    comparison = services.compare_answer([behind_record(), new], source="test")
    assert (comparison.new_count, comparison.changed_count, comparison.unchanged_count,
            comparison.local_only_count) == (1, 1, 0, 1)
    assert [e["code"] for e in comparison.diff["new"]] == ["1.013300"]
    assert comparison.diff["local_only"] == [{"code": "1.000777", "name": "Thủ tục riêng của tỉnh"}]
    [changed] = comparison.diff["changed"]
    by_field = {c["field"]: c for c in changed["changes"]}
    assert set(by_field) == {"fees", "legal_time", "documents", "legal_basis"}
    assert by_field["legal_time"]["old"] == {"amount": 10, "unit": "working_days"}
    assert by_field["legal_time"]["new"] == {"amount": 7, "unit": "working_days"}
    assert by_field["fees"]["old"][0]["amount_vnd"] == 150_000
    assert by_field["fees"]["new"][0]["amount_vnd"] == 200_000
    assert by_field["fees"]["modified"] == ["Lệ phí"]
    assert by_field["documents"]["added"] == ["Bản vẽ thiết kế xây dựng"]
    assert by_field["legal_basis"]["added"] == ["Nghị định 300/2026/NĐ-CP"]
    assert by_field["legal_basis"]["removed"] == ["Nghị định 217/2026/NĐ-CP"]
    assert comparison.behind


def test_the_local_steps_units_and_notes_are_never_compared(org):
    version = local_permit(org)
    Step.objects.filter(version=version).update(name="Bước nội bộ đổi tên")
    comparison = services.compare_answer([permit_record()], source="test")
    assert (comparison.changed_count, comparison.unchanged_count) == (0, 1)
    assert not comparison.behind


# --- applying -------------------------------------------------------------------------------------------------


def _steps(version: ProcedureVersion) -> list[tuple[Any, ...]]:
    return list(version.steps.order_by("order").values_list("order", "name", "unit__code", "role", "budget_amount"))


def test_applying_a_change_starts_a_new_dated_version_that_keeps_the_local_internal_steps(org, people):
    old = local_permit(org)
    outcome = services.apply_answer([behind_record()], user=people["ha"], source="test")
    assert outcome.errors == []
    [applied] = outcome.applied
    assert (applied.action, applied.valid_from, applied.published) == ("updated", NATIONAL_START, False)
    old.refresh_from_db()
    assert (old.valid_to, old.status) == (dt.date(2026, 6, 30), "published")  # ended the day before, unchanged
    new = ProcedureVersion.objects.get(procedure__code=PERMIT, valid_from=NATIONAL_START)
    assert new.status == "draft" and new.valid_to is None and new.created_from_id == old.pk
    assert _steps(new) == _steps(old)
    assert new.legal_time_amount == 7 and new.target_time_amount == 6  # the internal target is local
    assert list(new.fees.values_list("name", "amount_vnd", "payer")) == [("Lệ phí", 200_000, "all")]
    assert list(new.documents.values_list("name", "note")) == [
        ("Đơn đề nghị cấp giấy phép xây dựng", "Ghi chú của Sở"), ("Kết quả thẩm định PCCC", ""),
        ("Bản vẽ thiết kế xây dựng", "")]
    assert list(new.legal_bases.values_list("instrument", flat=True)) == ["Nghị định 300/2026/NĐ-CP"]
    procedure = Procedure.objects.get(code=PERMIT)
    assert (procedure.agency, procedure.notes) == (org["sxd"], "Ghi chú nội bộ của Sở")
    assert list(procedure.receiving_units.all()) == [org["desk"]]
    audit = CatalogueApplication.objects.get()
    assert (audit.applied_by, audit.code, audit.version_id, audit.action) == (people["ha"], PERMIT, new.pk, "updated")
    assert {c["field"] for c in audit.changes} == {"fees", "legal_time", "documents", "legal_basis"}


def test_applying_twice_changes_nothing_the_second_time(org, people):
    local_permit(org)
    services.apply_answer([behind_record()], user=people["ha"], publish=True)
    state = catalogue_state()
    assert (PERMIT, NATIONAL_START, None, "published") in state
    again = services.apply_answer([behind_record()], user=people["ha"], publish=True)
    assert [a.action for a in again.applied] == ["unchanged"] and again.errors == []
    assert catalogue_state() == state
    assert CatalogueApplication.objects.count() == 1


def test_a_new_national_procedure_is_created_as_a_draft_for_the_administrator_to_complete(org, people):
    record = fixture_records()[1]
    [applied] = services.apply_answer([record], user=people["ha"], publish=True).applied
    assert applied.action == "created"
    procedure = Procedure.objects.get(code="1.013217")
    version = procedure.versions.get()
    assert version.status == "draft"  # no agency, no receiving unit, no internal step yet
    assert procedure.agency is None and not version.steps.exists()
    assert "Sở Xây dựng" in procedure.notes
    assert (procedure.online_mode, version.legal_time_amount, version.fee_status) == ("full", 5, "charged")


def test_a_change_the_catalogue_refuses_is_not_half_applied(org, people):
    old = local_permit(org)
    record = permit_record()
    record["ThoiHanGiaiQuyet"]["ThoiGian"] = 3  # shorter than the local steps' 5.5 working days
    before = catalogue_state()
    outcome = services.apply_answer([record], user=people["ha"])
    assert outcome.applied == [] and outcome.errors[0]["code"] == PERMIT
    assert catalogue_state() == before
    old.refresh_from_db()
    assert old.valid_to is None
    assert not CatalogueApplication.objects.exists()


def test_only_catalogue_administrators_may_apply(org, people):
    local_permit(org)
    from motcua.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.apply_answer([behind_record()], user=people["binh"])


def test_the_commands_compare_and_apply_a_file(org, people, tmp_path, capsys):
    local_permit(org)
    path = tmp_path / "tthc.json"
    path.write_text(json.dumps([behind_record()], ensure_ascii=False), encoding="utf-8")
    call_command("national-catalogue", "compare", str(path))
    out = capsys.readouterr().out
    assert "~ 1.013236" in out and "0 new, 1 changed" in out
    assert ProcedureVersion.objects.count() == 1
    call_command("national-catalogue", "apply", str(path), "--codes", PERMIT, "--publish", "--user", "ha")
    assert "* 1.013236 updated from 2026-07-01 (published)" in capsys.readouterr().out
    assert CatalogueApplication.objects.get().applied_by == people["ha"]
    with pytest.raises(CommandError, match=r"Không đọc được tệp .*missing.json"):
        call_command("national-catalogue", "compare", str(tmp_path / "missing.json"))


# --- the scheduled check over HTTP ----------------------------------------------------------------------------


@pytest.fixture
def double(settings):  # type: ignore[no-untyped-def]
    with NationalCatalogueDouble() as running:
        settings.MOTCUA_NATIONAL_CATALOGUE_URL = running.records_url
        settings.MOTCUA_NATIONAL_CATALOGUE_TIMEOUT = 2
        settings.MOTCUA_NATIONAL_CATALOGUE_HEADERS = {"X-Api-Key": "thu-nghiem"}
        yield running


def test_the_check_compares_over_http_and_tells_the_administrators_once(org, people, double, run):
    seed_default_templates()
    people["ha"].email = "ha@soxaydung.example.gov.vn"
    people["ha"].save()
    local_permit(org)
    double.records = [behind_record(), *fixture_records()[1:]]
    comparison = run(services.check)
    assert (comparison.source, comparison.ok, comparison.new_count, comparison.changed_count) == (
        double.records_url, True, 2, 1)
    assert double.requests[-1]["headers"].get("X-Api-Key") == "thu-nghiem"
    notices = Message.objects.filter(key=notice_keys.NATIONAL_CATALOGUE_BEHIND)
    assert [m.recipient_name for m in notices] == ["Vũ Thị Hà"]
    assert "/ket-noi/danh-muc-quoc-gia/" in notices[0].body
    run(services.check)  # the same difference the next day: no second notice
    assert notices.count() == 1
    assert CatalogueComparison.objects.count() == 2


def test_a_failing_national_service_is_a_clear_error_and_changes_nothing(org, people, double):
    local_permit(org)
    before = catalogue_state()
    double.faults.fail_next(1, 503)
    with pytest.raises(SourceError, match="503"):
        services.check()
    double.faults.delay_next(1, 3.0)
    with pytest.raises(SourceError, match="trong 2 giây"):
        services.check()
    failed = CatalogueComparison.objects.all()
    assert [c.ok for c in failed] == [False, False] and "503" in failed[1].error
    assert catalogue_state() == before
    with pytest.raises(CommandError, match="503"):
        double.faults.fail_next(1, 503)
        call_command("national-catalogue", "check")


def test_the_check_is_off_without_an_address(settings, db, capsys):
    settings.MOTCUA_NATIONAL_CATALOGUE_URL = ""
    call_command("national-catalogue", "check")
    assert "not set" in capsys.readouterr().out
    assert not CatalogueComparison.objects.exists()
    assert "national-catalogue check" in settings.MOTCUA_SCHEDULE


# --- the page -------------------------------------------------------------------------------------------------


def test_the_page_says_when_the_last_check_failed_and_keeps_showing_the_last_good_one(org, people, client_for,
                                                                                      double):
    local_permit(org)
    double.records = [behind_record()]
    services.check()
    double.faults.fail_next(1, 503)
    with pytest.raises(SourceError):
        services.check()
    text = client_for("ha").get(PAGE).content.decode()
    assert "không thành công" in text and "503" in text
    assert "Áp dụng thay đổi cho 1.013236" in text


def test_the_page_is_for_catalogue_administrators_only(org, people, client_for):
    local_permit(org)
    services.compare_answer([behind_record()], source="test")
    response = Client().get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert client_for("an").get(PAGE).status_code == 403
    assert client_for("binh").get(PAGE).status_code == 403
    page = client_for("ha").get(PAGE)
    assert page.status_code == 200
    text = page.content.decode()
    assert "1.013236" in text and "200.000 đ" in text and "Bản vẽ thiết kế xây dựng" in text


def test_applying_from_the_page_needs_the_right_and_a_csrf_token(org, people, client_for):
    local_permit(org)
    comparison = services.compare_answer([behind_record()], source="test")
    form = {"comparison": comparison.pk, "code": PERMIT}
    before = catalogue_state()
    assert Client().post(APPLY, form).status_code == 302
    assert client_for("binh").post(APPLY, form).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["ha"])
    assert strict.post(APPLY, form).status_code == 403
    assert catalogue_state() == before

    response = client_for("ha").post(APPLY, {**form, "publish": "1"}, follow=True)
    assert response.status_code == 200
    assert (PERMIT, NATIONAL_START, None, "published") in catalogue_state()
    comparison.refresh_from_db()
    assert (comparison.changed_count, comparison.unchanged_count) == (0, 1)
    assert "Vũ Thị Hà" in response.content.decode()  # the audit trail on the page
    # Applying again (a second click) changes nothing.
    client_for("ha").post(APPLY, {**form, "publish": "1"})
    assert CatalogueApplication.objects.count() == 1


def test_apply_all_from_the_page_applies_changes_and_adds_new_procedures_as_drafts(org, people, client_for):
    local_permit(org)
    comparison = services.compare_answer([behind_record(), fixture_records()[1]], source="test")
    client_for("ha").post(APPLY, {"comparison": comparison.pk, "all": "1"})
    assert Procedure.objects.get(code="1.013217").versions.get().status == "draft"
    assert ProcedureVersion.objects.filter(procedure__code=PERMIT).count() == 2
    comparison.refresh_from_db()
    assert not comparison.behind
