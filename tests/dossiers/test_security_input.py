"""Issue 21, findings 2 and 4 (and the dossier half of 5): input that must be refused is refused with a clear
message and nothing changes; the dossier's personal data is never stored by a cache."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier, DossierEvent, IssuedForm

from .conftest import intake

pytestmark = pytest.mark.django_db

BODY = {
    "procedure": "1.013236",
    "applicant": {"name": "Nguyễn Văn An", "id_number": "068090001234", "address": "12 Trần Phú, tỉnh Lâm Đồng",
                  "phone": "0912345678", "email": "an@example.vn"},
    "documents": [{"order": 1}, {"order": 2}],
}


def _post(token: str, body: object, path: str = "/api/v1/dossiers",
          content_type: str = "application/json"):  # type: ignore[no-untyped-def]
    return Client().post(path, json.dumps(body), content_type=content_type, HTTP_AUTHORIZATION=token)


# --- finding 2: an empty supplement request -------------------------------------------------------------

def test_an_empty_supplement_request_through_the_api_is_refused(procedure, people, token_for):
    d = services.submit_online(people["an"], intake())
    response = _post(token_for("binh"), {"missing": [], "reason": ""},
                     f"/api/v1/dossiers/{d.reference}/actions/request-supplement")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"] == "Hãy liệt kê những nội dung cần bổ sung."
    d.refresh_from_db()
    assert d.status == Status.NEW and d.intake_supplements == 0
    assert not IssuedForm.objects.filter(dossier=d).exists()


def test_an_intake_outcome_supplement_with_nothing_missing_is_refused(procedure, token_for):
    response = _post(token_for("binh"), {**BODY, "outcome": "supplement", "missing": [], "reason": ""})
    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"] == "Hãy liệt kê những nội dung cần bổ sung."
    assert not Dossier.objects.exists()


def test_an_empty_supplement_request_through_the_form_is_refused(procedure, people, client_for):
    d = services.submit_online(people["an"], intake())
    response = client_for("binh").post(f"/ho-so/{d.reference}/request-supplement/", {"reason": ""})
    assert response.status_code == 400
    assert "Hãy liệt kê những nội dung cần bổ sung." in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.NEW
    assert not DossierEvent.objects.filter(dossier=d, status_after=Status.SUPPLEMENT_REQUESTED).exists()


# --- finding 4: enumerations, digits, control characters, content types -----------------------------------

@pytest.mark.parametrize("field, value", [
    ("channel", "carrier-pigeon"), ("outcome", "maybe"), ("result_method", "pigeon")])
def test_a_choice_outside_its_list_is_refused(procedure, token_for, field, value):
    response = _post(token_for("binh"), {**BODY, field: value})
    assert response.status_code == 400, response.content
    assert any(f["field"].endswith(field) for f in response.json()["error"]["details"]["fields"])
    assert not Dossier.objects.exists()


def test_the_applicant_kind_is_a_choice(procedure, token_for):
    body = {**BODY, "applicant": {**BODY["applicant"], "kind": "robot"}}
    assert _post(token_for("binh"), body).status_code == 400
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("field, value", [
    ("id_number", "٠٦٨٠٩٠٠٠١٢٣٤"),  # Arabic-Indic
    ("id_number", "０６８０９０００１２３４"),  # full-width
    ("phone", "٠٩١٢٣٤٥٦٧٨"),
    ("phone", "０９１２３４５６７８"),
])
def test_digits_of_other_scripts_are_refused(procedure, token_for, field, value):
    body = {**BODY, "applicant": {**BODY["applicant"], field: value}}
    response = _post(token_for("binh"), body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["message"] == "Hãy nhập số bằng các chữ số từ 0 đến 9."
    assert error["details"]["fields"][0]["field"] == f"applicant.{field}"
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("text", ["Nguyễn\x00Văn An", "Nguyễn\x1bVăn An", "Nguyễn\x85Văn An", "An\x7f"])
def test_control_characters_are_refused_in_the_api(procedure, token_for, text):
    body = {**BODY, "applicant": {**BODY["applicant"], "name": text}}
    response = _post(token_for("binh"), body)
    assert response.status_code == 400, response.content
    assert "ký tự điều khiển" in response.json()["error"]["message"]
    assert not Dossier.objects.exists()


def test_tabs_and_new_lines_pass(procedure, token_for):
    response = _post(token_for("binh"), {**BODY, "subject": "Xin cấp phép\n\tnhà ở\r\n"})
    assert response.status_code == 201, response.content


def test_control_characters_are_refused_in_a_form(procedure, client_for):
    response = client_for("binh").post("/ho-so/tiep-nhan/1.013236/", {
        "channel": "desk", "applicant_kind": "individual", "applicant_name": "Nguyễn\x00Văn An",
        "applicant_id_number": "068090001234", "sets": "1", "outcome": "receive"})
    assert response.status_code == 400
    assert "ký tự điều khiển" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_json_body_sent_as_a_form_is_refused(procedure, token_for):
    response = _post(token_for("binh"), BODY, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415, response.content
    assert response.json()["error"]["code"] == "unsupported_media_type"
    assert not Dossier.objects.exists()
    response = _post(token_for("binh"), BODY, content_type="text/plain")
    assert response.status_code == 415


@pytest.mark.parametrize("query, field", [("bucket=everything", "bucket"), ("sort=-applicant", "sort")])
def test_the_queue_filters_are_choices(people, token_for, query, field):
    """An unknown bucket used to list the whole queue and an unknown sort to sort by due, without a word."""
    response = Client().get(f"/api/v1/queues/mine?{query}", HTTP_AUTHORIZATION=token_for("binh"))
    assert response.status_code == 400, response.content
    assert any(f["field"].endswith(field) for f in response.json()["error"]["details"]["fields"])
    ok = Client().get("/api/v1/queues/mine?bucket=to_take&sort=-code", HTTP_AUTHORIZATION=token_for("binh"))
    assert ok.status_code == 200, ok.content


# --- finding 5 (dossier half): no cache keeps the dossier ---------------------------------------------------

def test_the_dossier_and_its_pages_are_not_stored_by_any_cache(procedure, people, token_for, client_for):
    d = services.submit_online(people["an"], intake())
    detail = Client().get(f"/api/v1/dossiers/{d.reference}", HTTP_AUTHORIZATION=token_for("binh"))
    assert detail.status_code == 200
    assert "no-store" in detail["Cache-Control"]
    page = client_for("binh").get(f"/ho-so/{d.reference}/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    mine = client_for("an").get("/")
    assert "no-store" in mine["Cache-Control"]

