"""The desk screens (issue 5): choose a procedure, receive from its checklist (receive, supplement, refuse),
the online submissions to accept or refuse, the receipt as PDF, and the search."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Attachment, Dossier, DossierEvent, IssuedForm

from .conftest import EXE, PDF, intake

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

FORM = {
    "channel": "desk", "applicant_kind": "individual", "applicant_name": "Nguyễn Văn An",
    "applicant_id_number": "068090001234", "applicant_address": "12 Trần Phú, tỉnh Lâm Đồng",
    "applicant_phone": "0912345678", "applicant_email": "an@example.vn", "sets": "1", "outcome": "receive",
    "doc1_provided": "on", "doc2_provided": "on", "result_method": "desk",
}
POSTAL = "Số 5 Lê Lợi, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng"


def _intake_url(code: str = "1.013236") -> str:
    return f"/ho-so/tiep-nhan/{code}/"


# --- access ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/ho-so/", "/ho-so/tiep-nhan/", "/ho-so/tiep-nhan/1.013236/", "/ho-so/tim-kiem/",
                                  "/ho-so/X/", "/ho-so/X/accept/", "/ho-so/X/phieu/receipt/"])
def test_anonymous_is_sent_to_sign_in(procedure, path):
    response = Client().get(path)
    assert response.status_code == 302 and "/tai-khoan/" in response["Location"]


@pytest.mark.parametrize("path", ["/ho-so/", "/ho-so/tiep-nhan/", "/ho-so/tiep-nhan/1.013236/", "/ho-so/tim-kiem/"])
def test_a_citizen_gets_403(procedure, client_for, path):
    assert client_for("an").get(path).status_code == 403


@pytest.mark.parametrize("who", ["cuong", "giang", "thanh"])
def test_only_the_desk_receives(procedure, client_for, who):
    assert client_for(who).get(_intake_url()).status_code == 403
    assert client_for(who).post(_intake_url(), FORM).status_code == 403
    assert not Dossier.objects.exists()


def test_a_citizen_cannot_open_a_dossier_page(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    assert client_for("an").get(f"/ho-so/{d.code}/").status_code == 403


def test_staff_of_another_agency_get_404(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    client = client_for("khanh")
    assert client.get(f"/ho-so/{d.code}/").status_code == 404
    assert client.get(f"/ho-so/{d.code}/phieu/receipt/").status_code == 404
    assert client.post(f"/ho-so/{d.code}/transfer/").status_code == 404
    assert Dossier.objects.get().status == Status.RECEIVED


def test_unknown_procedure_is_404(procedure, client_for):
    assert client_for("binh").get(_intake_url("9.999999")).status_code == 404


# --- choose a procedure ---------------------------------------------------------------------------------

def test_the_desk_lists_its_procedures_and_finds_them_without_accents(procedure, client_for):
    client = client_for("binh")
    page = client.get("/ho-so/tiep-nhan/").content.decode()
    assert "1.013236" in page and _intake_url() in page
    assert "1.013236" in client.get("/ho-so/tiep-nhan/?q=giay phep").content.decode()
    assert "1.013236" not in client.get("/ho-so/tiep-nhan/?q=dat dai").content.decode()


# --- receive from the checklist -------------------------------------------------------------------------

def test_the_checklist_shows_every_document(procedure, client_for):
    page = client_for("binh").get(_intake_url()).content.decode()
    for name in ("Đơn đề nghị cấp giấy phép xây dựng", "Bản vẽ thiết kế", "Giấy ủy quyền", "Khi ủy quyền"):
        assert name in page
    assert 'enctype="multipart/form-data"' in page


def test_binh_receives_a_dossier_with_a_scan_and_gets_the_receipt(procedure, client_for):
    client = client_for("binh")
    response = client.post(_intake_url(), {**FORM, "doc1_files": SimpleUploadedFile("đơn.pdf", PDF),
                                           "doc2_scanned": "on", "doc2_files": SimpleUploadedFile("bv.pdf", PDF)})
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.RECEIVED and d.code.startswith("T.SXD-")
    assert response["Location"] == f"/ho-so/{d.code}/"
    assert d.documents.get(order=2).scanned_at_desk and not d.documents.get(order=1).scanned_at_desk
    assert sorted(a.document.order for a in Attachment.objects.all()) == [1, 2]
    page = client.get(response["Location"]).content.decode()
    assert f"/ho-so/{d.code}/phieu/receipt/" in page
    assert "068••••••234" in page and "068090001234" not in page  # masked until opened
    # "Save and print" issued the receipt, once; opening it (GET) serves the issued copy.
    assert IssuedForm.objects.filter(dossier=d, role="receipt").count() == 1
    pdf = client.get(f"/ho-so/{d.code}/phieu/receipt/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert "X-Form-Preview" not in pdf and "BẢN XEM TRƯỚC" not in _text(pdf.content)
    # Opening a form not issued (GET) issues nothing: a preview, marked as such.
    sheet = client.get(f"/ho-so/{d.code}/phieu/control-sheet/")
    assert sheet.status_code == 200 and sheet["X-Form-Preview"] == "1" and "BẢN XEM TRƯỚC" in _text(sheet.content)
    assert not IssuedForm.objects.filter(role="control-sheet").exists()
    assert d.events.filter(kind="form_issued").count() == 1
    # Its button issues it (POST), once.
    issued = client.post(f"/ho-so/{d.code}/phieu/control-sheet/")
    assert issued.status_code == 200 and issued.content.startswith(b"%PDF") and "X-Form-Preview" not in issued
    assert client.post(f"/ho-so/{d.code}/phieu/receipt/").status_code == 200  # a second click: the same form
    assert IssuedForm.objects.filter(dossier=d, role="receipt").count() == 1
    assert d.events.filter(kind="form_issued").count() == 2
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    assert f'href="/ho-so/{d.code}/phieu/receipt/"' in page  # the issued form is linked


def test_receiving_without_a_required_document_is_refused_by_the_form(procedure, client_for):
    data = {k: v for k, v in FORM.items() if k != "doc2_provided"}
    response = client_for("binh").post(_intake_url(), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "Nguyễn Văn An" in page  # the input is kept
    assert not Dossier.objects.exists()


def test_bad_applicant_data_is_shown_next_to_its_field(procedure, client_for):
    response = client_for("binh").post(_intake_url(), {**FORM, "applicant_id_number": "12345"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "12 chữ số" in page or "12 digits" in page
    assert 'id="id_applicant_id_number_error"' in page
    assert not Dossier.objects.exists()


# --- how the result is returned (Decree 61/2018 Art. 20) ------------------------------------------------

def test_the_checklist_asks_how_the_result_is_returned_at_the_desk_by_default(procedure, client_for):
    page = client_for("binh").get(_intake_url()).content.decode()
    assert "Hình thức trả kết quả" in page and "Địa chỉ nhận kết quả qua bưu chính" in page
    assert "Chỉ cần khi trả kết quả qua bưu chính." in page  # the address is explained, no script needed
    radios = dict(re.findall(r'<input type="radio" name="result_method" value="(\w+)"([^>]*)>', page))
    assert set(radios) == {"desk", "post", "online"}
    assert "checked" in radios["desk"] and "checked" not in radios["post"] + radios["online"]


@pytest.mark.parametrize(("method", "address", "kept"), [
    ("desk", "", ""), ("post", POSTAL, POSTAL), ("online", "", ""), ("desk", POSTAL, "")])
def test_the_desk_records_how_the_result_is_returned(procedure, client_for, method, address, kept):
    response = client_for("binh").post(_intake_url(), {**FORM, "result_method": method, "result_address": address})
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert (d.result_method, d.result_address) == (method, kept)  # an address is kept for post only


def test_post_without_an_address_is_refused_next_to_the_field_and_nothing_is_created(procedure, client_for):
    data = {**FORM, "result_method": "post", "result_address": "  ", "doc1_files": SimpleUploadedFile("don.pdf", PDF)}
    response = client_for("binh").post(_intake_url(), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_result_address_error"' in page
    error = page.split('id="id_result_address_error"', 1)[1].split("</p>", 1)[0]
    assert "Hãy nhập địa chỉ nhận kết quả qua bưu chính." in error
    assert "Nguyễn Văn An" in page  # the input is kept
    assert not Dossier.objects.exists() and not Attachment.objects.exists()
    assert not DossierEvent.objects.exists()


def test_an_unknown_return_method_is_refused_by_the_form(procedure, client_for):
    response = client_for("binh").post(_intake_url(), {**FORM, "result_method": "pigeon"})
    assert response.status_code == 400
    assert "Hãy chọn hình thức trả kết quả." in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_renamed_executable_is_refused_and_nothing_is_stored(procedure, client_for):
    response = client_for("binh").post(_intake_url(), {**FORM, "doc1_files": SimpleUploadedFile("don.pdf", EXE)})
    assert response.status_code == 400
    assert "don.pdf" in response.content.decode()
    assert not Dossier.objects.exists() and not Attachment.objects.exists()


def test_ask_once_for_everything_missing(procedure, client_for):
    data = {**FORM, "outcome": "supplement", "doc2_provided": "", "doc2_note": "Thiếu bản vẽ mặt bằng",
            "missing": "Bản sao giấy chứng nhận quyền sử dụng đất — chưa có chứng thực"}
    response = client_for("binh").post(_intake_url(), data)
    assert response.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.code is None
    missing = d.events.get(kind=EventKind.CREATED).data["missing"]
    assert {m["document"] for m in missing} == {"Bản vẽ thiết kế", "Bản sao giấy chứng nhận quyền sử dụng đất"}
    page = client_for("binh").get(response["Location"]).content.decode()
    assert f"/ho-so/{d.reference}/phieu/supplement-request/" in page


def test_a_supplement_item_without_reason_is_refused(procedure, client_for):
    data = {**FORM, "outcome": "supplement", "missing": "Bản sao sổ đỏ"}
    response = client_for("binh").post(_intake_url(), data)
    assert response.status_code == 400 and not Dossier.objects.exists()


def test_refuse_needs_a_reason(procedure, client_for):
    client = client_for("binh")
    assert client.post(_intake_url(), {**FORM, "outcome": "refuse"}).status_code == 400
    assert not Dossier.objects.exists()
    response = client.post(_intake_url(), {**FORM, "outcome": "refuse", "reason": "Không thuộc thẩm quyền"})
    d = Dossier.objects.get()
    assert response.status_code == 302 and d.status == Status.NOT_RECEIVED
    assert client.get(f"/ho-so/{d.reference}/phieu/refusal/").status_code == 200


# --- online submissions at the desk ---------------------------------------------------------------------

def test_accept_an_online_submission(procedure, people, client_for):
    d = services.submit_online(people["an"], intake())
    client = client_for("binh")
    page = client.get(f"/ho-so/{d.reference}/").content.decode()
    assert f"/ho-so/{d.reference}/accept/" in page
    assert client.get(f"/ho-so/{d.reference}/accept/").status_code == 200
    response = client.post(f"/ho-so/{d.reference}/accept/")
    d.refresh_from_db()
    assert response.status_code == 302 and d.status == Status.RECEIVED and response["Location"] == f"/ho-so/{d.code}/"


def test_refuse_an_online_submission_needs_a_reason(procedure, people, client_for):
    d = services.submit_online(people["an"], intake())
    client = client_for("binh")
    response = client.post(f"/ho-so/{d.reference}/refuse/", {"reason": ""})
    assert response.status_code == 400
    d.refresh_from_db()
    assert d.status == Status.NEW
    assert client.post(f"/ho-so/{d.reference}/refuse/", {"reason": "Không thuộc thẩm quyền"}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.NOT_RECEIVED


def test_request_supplement_online_then_a_second_is_refused_with_the_services_message(procedure, people, client_for):
    d = services.submit_online(people["an"], intake())
    client = client_for("binh")
    form = client.get(f"/ho-so/{d.reference}/request-supplement/").content.decode()
    assert 'name="doc2_kind"' in form  # the dossier's documents are listed to choose from
    ok = client.post(f"/ho-so/{d.reference}/request-supplement/", {"missing": "Bản vẽ — mờ, không đọc được"})
    assert ok.status_code == 302
    services.submit_supplement(people["an"], Dossier.objects.get(pk=d.pk))
    events_before = DossierEvent.objects.filter(dossier=d).count()
    again = client.post(f"/ho-so/{d.reference}/request-supplement/", {"missing": "Bản vẽ — mờ"})
    assert again.status_code == 409  # the API's answer too
    assert "một lần" in again.content.decode() or "once" in again.content.decode()
    assert DossierEvent.objects.filter(dossier=d).count() == events_before


def test_an_action_not_allowed_in_the_status_changes_nothing(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    client = client_for("binh")
    assert client.get(f"/ho-so/{d.code}/accept/").status_code == 409
    response = client.post(f"/ho-so/{d.code}/accept/")
    assert response.status_code == 409 and 'role="alert"' in response.content.decode()
    d.refresh_from_db()
    assert d.status == Status.RECEIVED


def test_an_inspector_sees_but_cannot_act(procedure, people, client_for):
    d = services.submit_online(people["an"], intake())
    client = client_for("thanh")
    page = client.get(f"/ho-so/{d.reference}/").content.decode()
    assert "/accept/" not in page and "068•••" in page and "?ca-nhan=1" not in page
    assert client.post(f"/ho-so/{d.reference}/accept/").status_code == 403
    d.refresh_from_db()
    assert d.status == Status.NEW


def test_transfer_withdrawal_and_stop(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    client = client_for("binh")
    assert client.post(f"/ho-so/{d.code}/transfer/").status_code == 302
    assert client.post(f"/ho-so/{d.code}/request-withdrawal/", {"reason": "Xin rút"}).status_code == 302
    assert client.post(f"/ho-so/{d.code}/stop/", {"reason": ""}).status_code == 302
    d.refresh_from_db()
    assert d.status == Status.STOPPED
    assert client.get(f"/ho-so/{d.code}/phieu/stop-notice/").status_code == 200


def test_unknown_action_and_form_are_404(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    client = client_for("binh")
    assert client.get(f"/ho-so/{d.code}/fly-away/").status_code == 404
    assert client.get(f"/ho-so/{d.code}/phieu/99/").status_code == 404


def test_a_form_that_does_not_apply_sends_back_with_the_message(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    response = client_for("binh").get(f"/ho-so/{d.code}/phieu/refusal/")
    assert response.status_code == 302 and response["Location"] == f"/ho-so/{d.code}/"


# --- personal data ------------------------------------------------------------------------------------

def test_opening_the_personal_data_is_logged(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    client = client_for("binh")
    assert not d.events.filter(kind=EventKind.PERSONAL_DATA_VIEWED).exists()
    page = client.get(f"/ho-so/{d.code}/?ca-nhan=1").content.decode()
    assert "068090001234" in page and "0912345678" in page
    assert d.events.filter(kind=EventKind.PERSONAL_DATA_VIEWED, actor=people["binh"]).count() == 1


def test_the_inspector_cannot_open_the_personal_data(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    page = client_for("thanh").get(f"/ho-so/{d.code}/?ca-nhan=1").content.decode()
    assert "068090001234" not in page


def _openings(d, who):  # type: ignore[no-untyped-def]
    return [e.data for e in d.events.filter(kind=EventKind.PERSONAL_DATA_VIEWED, actor=who).order_by("seq")]


def test_the_inspector_gets_papers_masked_and_every_opening_is_logged(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    assert client_for("binh").post(f"/ho-so/{d.code}/phieu/receipt/").status_code == 200  # issued, stored whole
    issued = IssuedForm.objects.get(dossier=d, role="receipt")
    response = client_for("thanh").get(f"/ho-so/{d.code}/phieu/receipt/")
    text = _text(response.content)
    assert response.status_code == 200 and "Nguyễn Văn An" in text and "068" in text
    assert "068090001234" not in text and "0912345678" not in text and "an@example.vn" not in text
    assert "12 Trần Phú" not in text
    assert response["Content-Disposition"].endswith('-receipt-che.pdf"')
    # The stored copy is the record: it stays whole, and the desk still gets it.
    from motcua.dossiers import issuing

    assert "068090001234" in _text(issuing.read(issued))
    whole = client_for("binh").get(f"/ho-so/{d.code}/phieu/receipt/")
    assert whole.content == issuing.read(issued)
    assert [(o["what"], o["masked"]) for o in _openings(d, people["thanh"])] == [("form:receipt", True)]
    assert [(o["what"], o["masked"]) for o in _openings(d, people["binh"])] == [("form:receipt", False)]
    # A preview (a form not issued) is masked for him too.
    for action in ("transfer", "request-withdrawal", "stop"):
        assert client_for("binh").post(f"/ho-so/{d.code}/{action}/", {"reason": ""}).status_code == 302
    preview = client_for("thanh").get(f"/ho-so/{d.code}/phieu/stop-notice/")
    assert preview.status_code == 200 and preview["X-Form-Preview"] == "1"
    assert "068090001234" not in _text(preview.content)


@pytest.mark.parametrize("who", ["thanh", "giang", "binh"])
def test_every_staff_opening_of_the_page_is_logged_once_a_day(procedure, people, client_for, who):
    d = services.receive_at_desk(people["binh"], intake())
    client = client_for(who)
    assert client.get(f"/ho-so/{d.code}/").status_code == 200
    assert client.get(f"/ho-so/{d.code}/").status_code == 200
    assert [o["what"] for o in _openings(d, people[who])] == ["page"]  # one line per officer, dossier and day


# --- search ---------------------------------------------------------------------------------------------

def test_find_by_code_goes_to_the_dossier(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    response = client_for("binh").get("/ho-so/tim-kiem/", {"q": d.code})
    assert response.status_code == 302 and response["Location"] == f"/ho-so/{d.code}/"


@pytest.mark.parametrize("q", ["068090001234", "nguyen van an", "Nguyễn Văn"])
def test_find_by_id_number_or_name(procedure, people, client_for, q):
    d = services.receive_at_desk(people["binh"], intake())
    services.receive_at_desk(people["binh"], intake(applicant=services.Applicant(name="Lê Thị Mai",
                                                                                 id_number="079190000001")))
    page = client_for("binh").get("/ho-so/tim-kiem/", {"q": q}).content.decode()
    assert d.code in page and "Lê Thị Mai" not in page


def test_search_does_not_find_other_agencies_dossiers(procedure, people, client_for):
    d = services.receive_at_desk(people["binh"], intake())
    response = client_for("khanh").get("/ho-so/tim-kiem/", {"q": d.code})
    assert response.status_code == 200 and f"/ho-so/{d.code}/" not in response.content.decode()


def test_issuing_a_form_needs_a_signed_in_officer_of_the_dossier(procedure, people, client_for):
    """The issue (POST) of a legal form: anonymous → sign in, a citizen → 403, another agency → 404; none
    of them issues anything; the desk officer issues it."""
    d = services.receive_at_desk(people["binh"], intake())
    url = f"/ho-so/{d.code}/phieu/receipt/"
    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and "/tai-khoan/" in anonymous["Location"]
    assert client_for("an").post(url).status_code == 403
    assert client_for("khanh").post(url).status_code == 404
    assert not IssuedForm.objects.exists()
    assert client_for("binh").post(url).status_code == 200
    assert IssuedForm.objects.filter(dossier=d, role="receipt").count() == 1


def test_scanned_at_the_desk_without_a_file_is_refused_next_to_the_box(procedure, client_for):
    response = client_for("binh").post(_intake_url(), {**FORM, "doc2_scanned": "on"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_doc2_scanned_error"' in page and "đã số hóa nhưng chưa có tệp" in page
    assert not Dossier.objects.exists()
