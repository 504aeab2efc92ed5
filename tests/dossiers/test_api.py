"""The dossier API as anonymous, as a user without the right, and as one with it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import IssuedForm

from .conftest import EXE, PDF, docx_bytes

BODY = {
    "procedure": "1.013236",
    "applicant": {"name": "Nguyễn Văn An", "id_number": "068090001234", "address": "12 Trần Phú, tỉnh Lâm Đồng",
                  "phone": "0912345678", "email": "an@example.vn"},
    "documents": [{"order": 1}, {"order": 2}],
}


def post_json(client: Client, path: str, body: dict, token: str = "") -> object:
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def post_files(client: Client, token: str, files: dict, body: dict = BODY):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/dossiers", {"data": json.dumps(body), **files}, HTTP_AUTHORIZATION=token)


def test_anonymous_gets_401(db):
    assert post_json(Client(), "/api/v1/dossiers", BODY).status_code == 401
    assert Client().get("/api/v1/dossiers/T.SXD-260310-0001").status_code == 401
    assert Client().get("/api/v1/dossiers").status_code == 401


def test_desk_officer_receives_with_files(procedure, token_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = token_for("binh")
    response = post_files(Client(), token, {"documents.1": SimpleUploadedFile("don.pdf", PDF)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status_code"] == 2 and body["code"].startswith("T.SXD-")
    assert body["receipt_url"] == f"/api/v1/dossiers/{body['code']}/forms/receipt"
    detail = Client().get(f"/api/v1/dossiers/{body['code']}", HTTP_AUTHORIZATION=token).json()
    assert detail["documents"][0]["files"][0]["name"] == "don.pdf"
    assert detail["applicant"]["id_number"] == "068090001234"
    assert detail["events"][-1]["kind"] == EventKind.PERSONAL_DATA_VIEWED


def test_citizen_submits_online(procedure, token_for):
    response = post_json(Client(), "/api/v1/dossiers", BODY, token_for("an"))
    assert response.status_code == 201
    assert response.json()["status_code"] == 1 and response.json()["code"] is None


def test_user_without_the_right_cannot_file(procedure, token_for):
    assert post_json(Client(), "/api/v1/dossiers", BODY, token_for("cuong")).status_code == 403


def test_invalid_body_is_a_clear_400(procedure, token_for):
    response = post_json(Client(), "/api/v1/dossiers", {"procedure": "1.013236"}, token_for("binh"))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_input"


@pytest.mark.parametrize("name,data,code", [
    ("virus.pdf", EXE, "file_type_not_allowed"),
    ("form.docx", docx_bytes(), "file_type_not_allowed"),  # document 2 has no form to fill
])
def test_bad_files_are_refused_and_nothing_stored(procedure, token_for, settings, name, data, code):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post_files(Client(), token_for("binh"), {"documents.2": SimpleUploadedFile(name, data)})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert not (settings.MEDIA_ROOT / "dossiers").exists()


def test_path_in_a_file_name_never_leaves_the_dossier_folder(procedure, token_for, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from motcua.dossiers.models import Attachment

    # Django's multipart parser already strips directories from the name; the service refuses the rest.
    response = post_files(Client(), token_for("binh"), {"documents.1": SimpleUploadedFile("../../etc/passwd.pdf", PDF)})
    assert response.status_code == 201
    stored = Attachment.objects.get().file.name
    assert stored.startswith("dossiers/") and ".." not in stored and stored.endswith("passwd.pdf")


def test_path_traversal_name_is_refused_by_the_service(people, procedure):
    from motcua.core.errors import DomainError
    from motcua.dossiers import services

    from .conftest import intake, upload

    for name in ("../../etc/passwd.pdf", "..\\boot.pdf", "a/b.pdf", "x\x00.pdf"):
        with pytest.raises(DomainError) as err:
            services.receive_at_desk(people["binh"], intake(), [upload(name=name)])
        assert err.value.code == "bad_file_name" and err.value.status == 400


def test_oversized_file_is_refused(procedure, token_for, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MOTCUA_MAX_FILE_BYTES = 100
    response = post_files(Client(), token_for("binh"), {"documents.1": SimpleUploadedFile("a.pdf", PDF + b"0" * 200)})
    assert response.status_code == 400 and response.json()["error"]["code"] == "file_too_large"


def _received(token_for) -> str:  # type: ignore[no-untyped-def]
    return post_json(Client(), "/api/v1/dossiers", BODY, token_for("binh")).json()["code"]


def test_other_agency_gets_404_not_the_dossier(procedure, token_for):
    code = _received(token_for)
    for name in ("khanh",):
        response = Client().get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=token_for(name))
        assert response.status_code == 404
        response = post_json(Client(), f"/api/v1/dossiers/{code}/actions/transfer", {}, token_for(name))
        assert response.status_code == 404
        assert Client().get(f"/api/v1/dossiers/{code}/forms/receipt",
                            HTTP_AUTHORIZATION=token_for(name)).status_code == 404


def test_citizen_sees_only_own_dossiers(procedure, token_for):
    code = _received(token_for)  # received at the desk: no citizen account
    assert Client().get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=token_for("an")).status_code == 404
    assert Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION=token_for("an")).status_code == 403


def test_inspector_sees_personal_data_masked(procedure, token_for):
    code = _received(token_for)
    body = Client().get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=token_for("thanh")).json()
    assert body["applicant"]["masked"] is True
    assert body["applicant"]["id_number"] == "068••••••234"
    # The masked read is logged as an opening (once a day), not as a read of the personal data.
    from motcua.dossiers.models import Dossier

    Client().get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=token_for("thanh"))
    logged = Dossier.objects.get(code=code).events.filter(kind=EventKind.PERSONAL_DATA_VIEWED)
    assert [(e.actor.username, e.data["what"], e.data["masked"]) for e in logged] == [("thanh", "page", True)]


def test_actions_through_the_api(procedure, token_for):
    ref = post_json(Client(), "/api/v1/dossiers", BODY, token_for("an")).json()["reference"]
    path = f"/api/v1/dossiers/{ref}/actions/"
    assert post_json(Client(), path + "accept", {}, token_for("cuong")).status_code == 403
    response = post_json(Client(), path + "request-supplement", {"missing": []}, token_for("binh"))
    assert response.status_code == 400  # nothing missing listed, every required document given
    missing = {"missing": [{"document": "Bản vẽ thiết kế", "reason": "Thiếu chữ ký"}]}
    response = post_json(Client(), path + "request-supplement", missing, token_for("binh"))
    assert response.status_code == 200 and response.json()["status_code"] == 5
    response = post_json(Client(), path + "submit-supplement", {}, token_for("an"))
    assert response.json()["status_code"] == 1
    response = post_json(Client(), path + "refuse", {"reason": ""}, token_for("binh"))
    assert response.status_code == 400
    response = post_json(Client(), path + "accept", {}, token_for("binh"))
    assert response.status_code == 200 and response.json()["status_code"] == 2
    code = response.json()["code"]
    response = post_json(Client(), f"/api/v1/dossiers/{code}/actions/stop", {}, token_for("binh"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "illegal_transition"
    assert post_json(Client(), f"/api/v1/dossiers/{code}/actions/fly", {}, token_for("binh")).status_code == 404


def test_list_is_limited_to_scope_and_searches(procedure, token_for):
    _received(token_for)
    token = token_for("binh")
    body = Client().get("/api/v1/dossiers?q=nguyen van an", HTTP_AUTHORIZATION=token).json()
    assert body["count"] == 1 and body["items"][0]["applicant"]["masked"] is True
    assert Client().get("/api/v1/dossiers?q=068090001234", HTTP_AUTHORIZATION=token).json()["count"] == 1
    assert Client().get("/api/v1/dossiers", HTTP_AUTHORIZATION=token_for("khanh")).json()["count"] == 0


def test_forms_and_register(procedure, token_for):
    code = _received(token_for)
    token = token_for("binh")
    preview = Client().get(f"/api/v1/dossiers/{code}/forms/receipt", HTTP_AUTHORIZATION=token)
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview["X-Form-Preview"] == "1" and not IssuedForm.objects.exists()  # a GET issues nothing
    response = Client().post(f"/api/v1/dossiers/{code}/forms/receipt", HTTP_AUTHORIZATION=token)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert Client().post(f"/api/v1/dossiers/{code}/forms/01", HTTP_AUTHORIZATION=token).content == response.content
    assert IssuedForm.objects.count() == 1  # issued once
    again = Client().get(f"/api/v1/dossiers/{code}/forms/01", HTTP_AUTHORIZATION=token)
    assert again.content == response.content and "X-Form-Preview" not in again  # then served from storage
    assert Client().post(f"/api/v1/dossiers/{code}/forms/refusal", HTTP_AUTHORIZATION=token).status_code == 409
    assert Client().get(f"/api/v1/dossiers/{code}/forms/refusal", HTTP_AUTHORIZATION=token).status_code == 409
    assert Client().get(f"/api/v1/dossiers/{code}/forms/99", HTTP_AUTHORIZATION=token).status_code == 404
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    xlsx = Client().get(f"/api/v1/registers/dossiers.xlsx?from={today}&to={today}", HTTP_AUTHORIZATION=token)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert Client().get("/api/v1/registers/dossiers.xlsx?from=x", HTTP_AUTHORIZATION=token).status_code == 400
    assert Client().get(f"/api/v1/registers/dossiers.xlsx?from={today}&to={today}",
                        HTTP_AUTHORIZATION=token_for("an")).status_code == 403


def _xlsx_text(content: bytes) -> str:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return z.read("xl/sharedStrings.xml").decode()


def test_the_register_masks_what_the_reader_may_not_see_and_logs_each_row(procedure, token_for):
    from django.utils import timezone

    from motcua.dossiers.choices import EventKind
    from motcua.dossiers.models import Dossier

    code = _received(token_for)
    today = timezone.localdate().isoformat()
    url = f"/api/v1/registers/dossiers.xlsx?from={today}&to={today}"
    desk = _xlsx_text(Client().get(url, HTTP_AUTHORIZATION=token_for("binh")).content)
    assert code in desk and "0912345678" in desk and "12 Trần Phú" in desk
    for who in ("thanh", "thanh"):  # the inspector: every dossier, masked; logged once a day
        inspector = _xlsx_text(Client().get(url, HTTP_AUTHORIZATION=token_for(who)).content)
        assert code in inspector and "0912345678" not in inspector and "12 Trần Phú" not in inspector
        assert "tỉnh Lâm Đồng" in inspector
    pdf = Client().get(url.replace(".xlsx", ".pdf"), HTTP_AUTHORIZATION=token_for("thanh"))
    assert pdf.status_code == 200
    d = Dossier.objects.get(code=code)
    logged = d.events.filter(kind=EventKind.PERSONAL_DATA_VIEWED, data__what="register")
    assert sorted((e.actor.username, e.data["masked"]) for e in logged) == [("binh", False), ("thanh", True)]


def test_issuing_a_form_through_the_api_needs_an_officer_of_the_dossier(procedure, token_for):
    """POST /dossiers/{code}/forms/{form}: anonymous 401; a citizen who is not the applicant and another
    agency's officer 404, as for reading the dossier (its existence is not disclosed); nothing issued."""
    code = _received(token_for)
    url = f"/api/v1/dossiers/{code}/forms/receipt"
    assert Client().post(url).status_code == 401
    assert Client().get(f"/api/v1/dossiers/{code}", HTTP_AUTHORIZATION=token_for("an")).status_code == 404
    assert Client().post(url, HTTP_AUTHORIZATION=token_for("an")).status_code == 404
    assert Client().post(url, HTTP_AUTHORIZATION=token_for("khanh")).status_code == 404
    assert not IssuedForm.objects.exists()
