"""The application e-form on a dossier: checked at submission against its version's form, stored, accepted by
the desk's checklist and the API (400 with field paths), printed on the receipt, shown, and searched."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from motcua.core.errors import DomainError
from motcua.dossiers import issuing, services
from motcua.dossiers.models import Dossier
from tests.catalogue.eform_helpers import STORED, VALUES, declare

from .conftest import PDF, intake, upload
from .test_views_desk import FORM

pytestmark = pytest.mark.django_db

BODY = {
    "procedure": "1.013236",
    "applicant": {"name": "Nguyễn Văn An", "id_number": "068090001234", "address": "12 Trần Phú, tỉnh Lâm Đồng",
                  "phone": "0912345678"},
    "documents": [{"order": 1}, {"order": 2}],
}


@pytest.fixture
def with_form(procedure):  # type: ignore[no-untyped-def]
    declare(procedure)
    return procedure


def _receive(people, **values):  # type: ignore[no-untyped-def]
    return services.receive_at_desk(people["binh"], intake(form_data={**VALUES, **values}), [upload()])


def test_the_values_are_checked_and_stored_normalised(people, with_form):
    d = _receive(people)
    stored = Dossier.objects.get(pk=d.pk)
    assert stored.form_data == STORED
    assert stored.form_search == "|plot_number=125|map_sheet=7|"


def test_bad_values_are_refused_with_every_field_and_nothing_is_written(people, with_form):
    with pytest.raises(DomainError) as caught:
        _receive(people, floors="0", plot_number="", works_grade="IV")
    fields = {f["field"]: f["message"] for f in caught.value.details["fields"]}
    assert fields == {"form_data.plot_number": "Hãy điền “Thửa đất số”.",
                      "form_data.floors": "“Số tầng” phải từ 1 trở lên.",
                      "form_data.works_grade": "Hãy chọn một giá trị của “Cấp công trình”: Cấp I, Cấp II."}
    assert not Dossier.objects.exists()


def test_a_version_without_a_form_keeps_the_free_text_request(people, procedure):
    d = services.receive_at_desk(people["binh"], intake(), [upload()])
    assert d.form_data == {} and d.subject == "Xin cấp giấy phép xây dựng nhà ở"
    with pytest.raises(DomainError) as caught:
        services.receive_at_desk(people["binh"], intake(form_data={"plot_number": "1"}), [upload()])
    assert caught.value.details["fields"][0]["field"] == "form_data"


def test_the_desk_fills_in_the_form_instead_of_the_request(people, with_form, client_for):
    client = client_for("binh")
    page = client.get("/ho-so/tiep-nhan/1.013236/").content.decode()
    assert 'name="ef_plot_number"' in page and 'name="ef_works_grade"' in page and 'name="subject"' not in page
    bad = client.post("/ho-so/tiep-nhan/1.013236/", {**FORM, "ef_plot_number": "125", "ef_floors": "ba"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "“Số tầng” phải là một số." in text and "Hãy điền “Tờ bản đồ số”." in text
    assert not Dossier.objects.exists()
    form = {**FORM, **{f"ef_{k}": v for k, v in VALUES.items()}, "doc1_files": SimpleUploadedFile("don.pdf", PDF)}
    response = client.post("/ho-so/tiep-nhan/1.013236/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    d = Dossier.objects.get()
    assert d.form_data == STORED
    page = client.get(response["Location"]).content.decode()
    assert "Thửa đất số" in page and "120,5 m²" in page and "Cấp II" in page


def test_the_desk_may_send_back_an_incomplete_form_for_completion(people, with_form, client_for):
    form = {**FORM, "outcome": "supplement", "ef_plot_number": "125", "missing": "Tờ bản đồ số — chưa ghi"}
    response = client_for("binh").post("/ho-so/tiep-nhan/1.013236/", form)
    assert response.status_code == 302
    assert Dossier.objects.get().form_data == {"plot_number": "125"}


def test_the_api_takes_the_form_and_answers_400_with_field_paths(people, with_form, token_for):
    token = token_for("binh")
    bad = Client().post("/api/v1/dossiers", json.dumps({**BODY, "form_data": {**VALUES, "floors": 2.5, "x": 1}}),
                        content_type="application/json", HTTP_AUTHORIZATION=token)
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "form_invalid"
    assert {f["field"] for f in error["details"]["fields"]} == {"form_data.floors", "form_data.x"}
    assert not Dossier.objects.exists()
    ok = Client().post("/api/v1/dossiers", json.dumps({**BODY, "form_data": {**VALUES, "plot_area": 120.5}}),
                       content_type="application/json", HTTP_AUTHORIZATION=token)
    assert ok.status_code == 201, ok.content
    assert ok.json()["form_data"] == STORED
    detail = Client().get(f"/api/v1/dossiers/{ok.json()['code']}", HTTP_AUTHORIZATION=token).json()
    assert detail["form_data"] == STORED


def test_the_receipt_prints_the_form(people, with_form):
    d = _receive(people)
    reader = PdfReader(io.BytesIO(issuing.read(issuing.issue(people["binh"], d, "receipt"))))
    text = " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())
    for expected in ("Thửa đất số", "125", "Tờ bản đồ số", "Diện tích thửa đất", "120,5 m²", "Số tầng", "Cấp II"):
        assert expected in text


def test_staff_find_a_dossier_by_its_plot_number(people, with_form, client_for, token_for):
    first = _receive(people)
    _receive(people, plot_number="1250", map_sheet="12")
    client = client_for("binh")
    page = client.get("/ho-so/tim-kiem/", {"form_field": "plot_number", "form_value": "125"}).content.decode()
    assert first.code in page and "1 hồ sơ" in page
    assert 'value="plot_number"' in page  # the searchable fields are offered by name
    by_sheet = client.get("/ho-so/tim-kiem/", {"form_field": "map_sheet", "form_value": "7"}).content.decode()
    assert first.code in by_sheet and "1 hồ sơ" in by_sheet
    body = Client().get("/api/v1/dossiers", {"form_field": "plot_number", "form_value": "125"},
                        HTTP_AUTHORIZATION=token_for("binh")).json()
    assert [item["code"] for item in body["items"]] == [first.code]
    # The plain search box finds an exact e-form value too.
    assert Client().get("/api/v1/dossiers", {"q": "1250"}, HTTP_AUTHORIZATION=token_for("binh")).json()["count"] == 1
