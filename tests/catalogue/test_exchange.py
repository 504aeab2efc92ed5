"""Import (all or nothing, errors naming record and field), export in JSON/CSV/XLSX, the command, the demo."""

from __future__ import annotations

import copy
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.catalogue import exchange, selectors
from motcua.catalogue.models import Procedure, ProcedureVersion


def good(org) -> dict:  # type: ignore[no-untyped-def]
    return {"schema": "motcua.catalogue/1", "procedures": [
        {"code": "1.100001", "name": "Cấp giấy phép thử", "field": {"name": "Hoạt động xây dựng"},
         "agency": org["sxd"].code, "receiving_units": [org["desk"].code], "applicant_types": ["individual"],
         "online_mode": "full", "result_name": "Giấy phép", "result_type": "permit",
         "versions": [
             {"valid_from": "2025-07-01", "valid_to": "2026-06-30", "status": "published",
              "sequence": "Nộp, nhận", "manner": "Trực tuyến", "legal_time": {"amount": 20, "unit": "days"},
              "fee_status": "free", "documents": [{"name": "Đơn", "copies": 1, "copy_kind": "original"}],
              "legal_basis": [{"instrument": "Luật Xây dựng 2014"}]},
             {"valid_from": "2026-07-01", "status": "draft", "legal_time": {"amount": 10, "unit": "working_days"},
              "steps": [{"order": 1, "name": "Tiếp nhận", "unit": org["desk"].code, "role": "desk_officer",
                         "budget": {"amount": 0.5, "unit": "working_days"}}]},
         ]},
        {"code": "1.100002", "name": "Thủ tục thứ hai", "versions": [{"valid_from": "2025-07-01"}]},
    ]}


def test_import_good_file(org):
    counts = exchange.import_catalogue(good(org))
    assert counts == {"procedures": 2, "versions": 3, "skipped": 0}
    procedure = Procedure.objects.get(code="1.100001")
    assert procedure.for_individuals and not procedure.for_organisations
    versions = list(procedure.versions.order_by("valid_from"))
    assert versions[0].is_published and not versions[1].is_published
    assert versions[1].steps.get().unit == org["desk"]
    assert selectors.list_procedures(selectors.Filters(q="giay phep thu", as_of=dt.date(2026, 1, 1)), None).count == 1


def test_structural_errors_name_the_record_and_field(org):
    data = good(org)
    data["procedures"][1]["versions"][0]["legal_time"] = {"amount": -1, "unit": "weeks"}
    data["procedures"][0]["online_mode"] = "fax"
    with pytest.raises(exchange.CatalogueImportError) as caught:
        exchange.import_catalogue(data)
    errors = caught.value.errors
    records = {(e["record"], e["field"]) for e in errors}
    assert any(r.startswith("thủ tục 1.100001") or "1.100001" in r for r, f in records if f == "online_mode")
    assert any("1.100002" in r and "2025-07-01" in r and f.startswith("legal_time") for r, f in records)
    assert not Procedure.objects.exists()


def test_nothing_is_imported_when_one_record_is_bad(org):
    data = good(org)
    # Publishing an incomplete version fails only while importing: the first procedure is rolled back too.
    data["procedures"][1]["versions"][0]["status"] = "published"
    with pytest.raises(exchange.CatalogueImportError) as caught:
        exchange.import_catalogue(data)
    assert "1.100002" in caught.value.errors[0]["record"]
    assert "documents" in caught.value.errors[0]["field"]
    assert not Procedure.objects.exists() and not ProcedureVersion.objects.exists()


def test_unknown_unit_codes_are_reported(org):
    data = good(org)
    data["procedures"][0]["agency"] = "NOPE"
    data["procedures"][0]["versions"][1]["steps"][0]["unit"] = "NOPE2"
    with pytest.raises(exchange.CatalogueImportError) as caught:
        exchange.import_catalogue(data)
    fields = {e["field"] for e in caught.value.errors}
    assert {"agency", "steps[0].unit"} <= fields


def test_overlapping_versions_in_the_file_are_reported(org):
    data = good(org)
    data["procedures"][0]["versions"][1]["valid_from"] = "2026-06-01"
    with pytest.raises(exchange.CatalogueImportError) as caught:
        exchange.import_catalogue(data)
    assert caught.value.errors[0]["field"] == "valid_from"
    assert not Procedure.objects.exists()


def test_duplicate_codes_and_wrong_schema(org):
    data = good(org)
    data["procedures"][1]["code"] = "1.100001"
    with pytest.raises(exchange.CatalogueImportError):
        exchange.import_catalogue(data)
    with pytest.raises(exchange.CatalogueImportError):
        exchange.import_catalogue({"schema": "other", "procedures": []})
    with pytest.raises(exchange.CatalogueImportError):
        exchange.import_catalogue([1, 2])


def test_export_then_import_is_identity(org):
    exchange.import_catalogue(good(org))
    first = exchange.export_data()
    exchange.import_catalogue(copy.deepcopy(first))
    assert exchange.export_data() == first
    assert first["procedures"][0]["versions"][0]["status"] == "published"


def test_reimport_updates_in_place(org):
    exchange.import_catalogue(good(org))
    data = good(org)
    data["procedures"][0]["name"] = "Tên đã đổi"
    exchange.import_catalogue(data)
    assert Procedure.objects.get(code="1.100001").name == "Tên đã đổi"
    assert ProcedureVersion.objects.count() == 3


def test_csv_and_xlsx(org):
    exchange.import_catalogue(good(org))
    data = exchange.export_data()
    text = exchange.export_csv(data).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("code,name") and "Cấp giấy phép thử" in text
    pytest.importorskip("xlsxwriter")
    assert exchange.export_xlsx(data)[:2] == b"PK"


def test_command_import_and_export(org, tmp_path: Path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps(good(org), ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("catalogue", "import", str(path), stdout=out)
    assert "Imported 2 procedures" in out.getvalue()
    out = io.StringIO()
    call_command("catalogue", "export", "--format", "json", stdout=out)
    assert json.loads(out.getvalue())["procedures"][0]["code"] == "1.100001"
    target = tmp_path / "c.csv"
    call_command("catalogue", "export", "--format", "csv", "--output", str(target), stdout=io.StringIO())
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    call_command("catalogue", "reindex", stdout=io.StringIO())


def test_command_reports_errors(org, tmp_path: Path):
    data = good(org)
    data["procedures"][0]["versions"][0]["fee_status"] = "maybe"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("catalogue", "import", str(path), stderr=err, stdout=io.StringIO())
    assert "fee_status" in err.getvalue() and "1.100001" in err.getvalue()
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("catalogue", "import", str(broken), stderr=io.StringIO(), stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("catalogue", "import", str(tmp_path / "none.json"), stdout=io.StringIO())


def test_demo_seed_loads_the_department_s_procedures_and_is_idempotent(db):
    from motcua.accounts.demo import seed_organisation
    from motcua.catalogue import demo

    seed_organisation()
    out = io.StringIO()
    demo.seed(out)
    demo.seed(out)
    assert Procedure.objects.count() >= 25
    permit = Procedure.objects.get(code="1.013236")
    new = permit.versions.get(valid_from="2026-07-01")
    old = permit.versions.get(valid_from="2025-07-01")
    assert new.is_published and (new.legal_time_amount, new.legal_time_unit) == (10, "working_days")
    assert (old.legal_time_amount, old.legal_time_unit) == (20, "days")
    assert not old.is_published  # its documents were not captured: a draft, never guessed
    steps = list(new.steps.all())
    assert [s.order for s in steps] == [1, 2, 2, 3, 4, 5]
    assert steps[1].budget_amount == 5 and steps[2].budget_amount == 2
    fee = new.fees.get()
    assert fee.amount_vnd is None and "250/2016" in fee.basis
    cchn = Procedure.objects.get(code="1.013237")
    assert cchn.online_mode == "full"
    old_fee = cchn.versions.get(valid_from="2025-07-01").fees.get()
    assert old_fee.amount_vnd == 300_000 and old_fee.online_discount_percent == 20
    assert str(old_fee.discount_valid_to) == "2025-12-31"
    found = selectors.list_procedures(selectors.Filters(q="Cấp GPXD", as_of=new.valid_from), None)
    assert found.items[0][0].code.startswith("1.0132")
