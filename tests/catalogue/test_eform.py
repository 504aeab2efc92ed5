"""The application e-form declared per procedure version: the declaration is checked wherever it is written
(services, the admin, the import), travels with export and import, and the department's data declares it."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from motcua.catalogue import eform, exchange, services
from motcua.catalogue.models import Procedure, ProcedureVersion
from motcua.core.errors import DomainError

from .eform_helpers import EFORM

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[2] / "src" / "motcua" / "catalogue" / "data" / "construction.json"


def _draft() -> ProcedureVersion:
    procedure = services.save_procedure(Procedure(code="1.013236", name="Cấp giấy phép xây dựng"))
    return services.save_version(ProcedureVersion(procedure=procedure, valid_from=dt.date(2026, 7, 1),
                                                  legal_time_amount=Decimal(10), legal_time_unit="working_days"))


def test_a_bad_declaration_is_refused_naming_each_problem():
    version = _draft()
    version.eform = [{"key": "Thua", "type": "text", "label": {"vi": "Thửa"}},
                     {"key": "grade", "type": "choice", "label": {"vi": "Cấp", "en": "Grade"}},
                     {"key": "floors", "type": "integer", "label": {"vi": "Số tầng"}, "min": 5, "max": 1}]
    with pytest.raises(DomainError) as caught:
        services.save_version(version)
    paths = [e["field"] for e in caught.value.details["errors"]]
    assert caught.value.details["field"] == "eform"
    assert paths == ["[0].key", "[1].choices", "[2].max"]
    assert not ProcedureVersion.objects.get(pk=version.pk).eform  # nothing changed
    version.eform = EFORM
    services.save_version(version)
    assert ProcedureVersion.objects.get(pk=version.pk).eform == EFORM


def test_the_declaration_errors_are_in_vietnamese():
    problems = eform.check_declaration([{"key": "a", "type": "photo", "label": {"vi": "Ảnh"}}])
    assert problems == [{"field": "[0].type", "message": "Kiểu trường là một trong: text, integer, decimal, "
                                                          "choice, date."}]


def test_the_admin_shows_the_error_next_to_the_form_field(client_for):
    version = _draft()
    client = client_for("ha")
    url = f"/quan-tri/catalogue/procedureversion/{version.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="eform"' in page.content.decode()
    form = {"procedure": version.procedure.pk, "label": "", "valid_from": "2026-07-01", "valid_to": "",
            "legal_time_amount": "10", "legal_time_unit": "working_days", "deadline_policy": "working_hours",
            "clock_start": "receipt", "fee_status": "",
            "eform": json.dumps([{"key": "floors", "type": "integer"}])}
    for prefix in ("time_variants", "legal_bases", "documents", "fees", "steps", "participants"):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Biểu mẫu điện tử không hợp lệ" in response.content.decode()
    assert ProcedureVersion.objects.get(pk=version.pk).eform == []
    form["eform"] = json.dumps(EFORM, ensure_ascii=False)
    assert client.post(url, form).status_code == 302
    assert ProcedureVersion.objects.get(pk=version.pk).eform == EFORM


def _file(declaration: object) -> dict:
    return {"schema": "motcua.catalogue/1", "procedures": [{
        "code": "1.013236", "name": "Cấp giấy phép xây dựng",
        "versions": [{"valid_from": "2026-07-01", "legal_time": {"amount": 10, "unit": "working_days"},
                      "eform": declaration}]}]}


def test_the_import_refuses_a_bad_form_by_record_and_field_and_writes_nothing():
    with pytest.raises(exchange.CatalogueImportError) as caught:
        exchange.import_catalogue(_file([{"key": "plot", "type": "text", "label": {"vi": "Thửa"}, "min": 1}]))
    error = caught.value.errors[0]
    assert "1.013236" in error["record"] and error["field"] == "eform" and "[0].min" in error["message"]
    assert not Procedure.objects.exists()


def test_the_form_survives_export_then_import():
    exchange.import_catalogue(_file(EFORM))
    exported = exchange.export_data()
    assert exported["procedures"][0]["versions"][0]["eform"] == EFORM
    ProcedureVersion.objects.update(eform=[])
    exchange.import_catalogue(exported)
    assert ProcedureVersion.objects.get().eform == EFORM


def test_the_building_permits_of_the_department_declare_their_form():
    data = json.loads(DATA.read_text(encoding="utf-8"))
    declared = {p["code"] for p in data["procedures"] for v in p["versions"] if v.get("eform")}
    assert {"1.013236", "1.013225"} <= declared
    for procedure in data["procedures"]:
        for version in procedure["versions"]:
            assert eform.check_declaration(version.get("eform")) == []
    new_permit = next(v for p in data["procedures"] if p["code"] == "1.013236" for v in p["versions"]
                      if v.get("eform"))
    keys = [f["key"] for f in new_permit["eform"]]
    assert {"plot_number", "map_sheet", "plot_area", "works_grade", "floors", "height"} <= set(keys)
    # The grades a Sở Xây dựng permits (Decree 217/2026 Art. 53): special, I and II, not III or IV.
    grades = next(f for f in new_permit["eform"] if f["key"] == "works_grade")
    assert [c["value"] for c in grades["choices"]] == ["dac_biet", "I", "II"]


@pytest.mark.parametrize(("typed", "read"), [("120,5", 120.5), ("1.250,5", 1250.5), ("1.250", 1250), ("12.5", 12.5),
                                              ("1,250.5", 1250.5), (" 3 ", 3)])
def test_numbers_are_read_as_an_applicant_writes_them(typed, read):
    spec = [{"key": "area", "type": "decimal", "label": {"vi": "Diện tích", "en": "Area"}}]
    assert eform.clean_values(spec, {"area": typed}) == {"area": read}


def test_values_are_shown_with_their_unit_and_choice_label_in_each_language():
    rows = eform.rows(EFORM, {"plot_area": 1250.5, "works_grade": "II"}, "en")
    assert rows == [{"key": "plot_area", "label": "Plot area", "value": "1,250.5 m²"},
                    {"key": "works_grade", "label": "Grade of works", "value": "Grade II"}]
    assert eform.rows(EFORM, {"plot_area": 1250.5}, "vi")[0]["value"] == "1.250,5 m²"


def test_the_procedure_api_gives_the_form_to_fill_in(client_for):
    exchange.import_catalogue(_file(EFORM))
    body = client_for("ha").get("/api/v1/procedures/1.013236", {"as_of": "2026-08-01"}).json()
    assert body["eform"] == EFORM


def test_the_history_names_the_form_fields_added():
    from motcua.catalogue import selectors

    old = {"version": {"eform": []}}
    new = {"version": {"eform": EFORM[:2]}}
    changes = selectors.diff_snapshots(old, new)
    assert [(c.part, c.kind, c.key) for c in changes] == [("eform", "added", "map_sheet"),
                                                           ("eform", "added", "plot_number")]
