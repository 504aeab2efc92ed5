"""Personal data rights (Law 91/2025/QH15 Art. 4): the citizen downloads their data, sees who processed it, asks
for a correction, and consents on registration. Each sees only their own; another citizen and staff get nothing
of it."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.test import Client

from motcua.accounts.models import User
from motcua.dossiers import services as dossier_services
from motcua.feedback import services as feedback_services
from motcua.notifications.models import Message
from motcua.portal import selectors
from motcua.portal.models import Consent, CorrectionRequest, PendingRegistration
from motcua.portal.services import CONSENT_VERSION, create_citizen

from .conftest import PDF, intake, pdf, submit

pytestmark = pytest.mark.django_db

PASSWORD = "mot-mat-khau-rat-dai-2026"


@pytest.fixture
def dossier(people, procedure, templates, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        d = dossier_services.accept(people["binh"], submit(people))
    dossier_services.record_personal_data_view(people["cuong"], d, "/ho-so/x")
    return d


@pytest.fixture
def chi(people, procedure, templates, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Another citizen, with a dossier of her own and a feedback item."""
    user = create_citizen(username="chi@example.vn", full_name="Lê Thị Chi", email="chi@example.vn")
    applicant = dossier_services.Applicant(name="Lê Thị Chi", id_number="068090009999", address="9 Hai Bà Trưng",
                                           phone="0977000111", email="chi@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        other = dossier_services.submit_online(user, intake(applicant=applicant), [pdf(1), pdf(2, "khac.pdf")])
        other = dossier_services.accept(people["binh"], other)
    return user, other


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_export_holds_my_account_dossiers_files_notices_and_accesses(dossier, chi, people, org):
    an = people["an"]
    feedback_services.submit(feedback_services.Submission(title="Góp ý thủ tục", content="Nội dung góp ý",
                                                          agency=org["sxd"], name="Nguyễn Văn An"),
                             channel="web", user=an)
    data = selectors.personal_data_export(an)
    assert data["format"] == "motcua.personal-data/1"
    assert data["account"]["username"] == "an" and data["account"]["full_name"] == "Nguyễn Văn An"
    assert [d["code"] for d in data["dossiers"]] == [dossier.code]
    mine = data["dossiers"][0]
    assert mine["applicant"]["id_number"] == "068090001234" and mine["applicant"]["phone"] == "0912345678"
    assert [f["name"] for f in mine["files"]] == ["don.pdf", "ban-ve.pdf"]
    assert mine["files"][0]["sha256"] == hashlib.sha256(PDF).hexdigest() and mine["files"][0]["size"] == len(PDF)
    assert any(s["status"] == dossier.status for s in mine["steps"])
    assert {a["officer"] for a in mine["access_log"]} >= {"Lê Văn Cường", "Trần Thị Bình"}
    assert [f["title"] for f in data["feedback"]] == ["Góp ý thủ tục"]
    assert data["notices"], "the receipt notice sent to the applicant"
    refs = {n["subject_ref"] for n in data["notices"]}
    assert f"dossier:{dossier.code}" in refs and refs <= {f"dossier:{dossier.code}",
                                                           f"feedback:{data['feedback'][0]['code']}"}
    assert all("an@example.vn" not in json.dumps(n["to"]) for n in data["notices"])  # addresses masked
    # Nothing of Chi's: her dossier, her ID number, her name.
    text = json.dumps(data, ensure_ascii=False)
    assert chi[1].code not in text and "068090009999" not in text and "Lê Thị Chi" not in text


def test_staff_notices_about_my_dossier_are_not_in_my_export(dossier, people):
    Message.objects.create(key="staff.assigned", language="vi", recipient_name="Lê Văn Cường",
                           addresses={"email": "cuong@so.gov.vn"}, subject_ref=f"dossier:{dossier.code}",
                           body="Hồ sơ được giao cho anh")
    data = selectors.personal_data_export(people["an"])
    assert all("giao cho anh" not in n["body"] for n in data["notices"])


def test_the_json_download_is_mine_only_and_never_cached(dossier, chi, people):
    response = _client(people["an"]).get("/cong-dan/du-lieu-ca-nhan/tai-ve.json")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content.decode("utf-8"))
    assert [d["code"] for d in data["dossiers"]] == [dossier.code]
    # Chi downloads hers: none of An's.
    theirs = _client(chi[0]).get("/cong-dan/du-lieu-ca-nhan/tai-ve.json").content.decode()
    assert dossier.code not in theirs and "068090001234" not in theirs and chi[1].code in theirs
    # An officer of another agency, and the officer who handled it, get their own (empty) data, not An's.
    for officer in ("khanh", "binh"):
        body = _client(people[officer]).get("/cong-dan/du-lieu-ca-nhan/tai-ve.json").content.decode()
        assert dossier.code not in body and "068090001234" not in body


def test_the_zip_holds_the_json_and_the_files_with_their_hashes(dossier, people):
    response = _client(people["an"]).get("/cong-dan/du-lieu-ca-nhan/tai-ve.zip")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("du-lieu-ca-nhan.json"))
    for f in data["dossiers"][0]["files"]:
        assert hashlib.sha256(archive.read(f["path_in_zip"])).hexdigest() == f["sha256"]


@pytest.mark.parametrize("path", ["", "tai-ve.json", "tai-ve.zip", "truy-cap/", "yeu-cau-sua/"])
def test_anonymous_is_sent_to_sign_in(db, path):
    response = Client().get(f"/cong-dan/du-lieu-ca-nhan/{path}")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_the_api_gives_the_caller_their_own_data(dossier, chi, people, token_for):
    response = Client().get("/api/v1/me/data", HTTP_AUTHORIZATION=token_for('an'))
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert [d["code"] for d in response.json()["dossiers"]] == [dossier.code]
    staff = Client().get("/api/v1/me/data", HTTP_AUTHORIZATION=token_for('khanh')).json()
    assert staff["dossiers"] == [] and "068090001234" not in json.dumps(staff)
    assert Client().get("/api/v1/me/data").status_code == 401


def test_who_processed_my_data_lists_every_staff_access_across_my_dossiers(dossier, chi, people):
    body = _client(people["an"]).get("/cong-dan/du-lieu-ca-nhan/truy-cap/").content.decode()
    assert "Lê Văn Cường" in body and "Trần Thị Bình" in body and dossier.code in body
    assert chi[1].code not in body
    # The officer's own page lists no one's dossier.
    assert dossier.code not in _client(people["khanh"]).get("/cong-dan/du-lieu-ca-nhan/truy-cap/").content.decode()


def test_a_correction_request_is_recorded_with_the_value_held(dossier, people):
    client = _client(people["an"])
    assert client.get("/cong-dan/du-lieu-ca-nhan/yeu-cau-sua/").status_code == 200
    response = client.post("/cong-dan/du-lieu-ca-nhan/yeu-cau-sua/", {
        "dossier": dossier.code, "field": "address", "requested_value": "14 Trần Phú, Đà Lạt",
        "reason": "Nhập nhầm số nhà"})
    assert response.status_code == 302
    request = CorrectionRequest.objects.get()
    assert request.current_value == dossier.applicant_address and request.requested_value == "14 Trần Phú, Đà Lạt"
    assert request.user == people["an"] and request.state == "open"
    assert "14 Trần Phú" in client.get("/cong-dan/du-lieu-ca-nhan/").content.decode()


def test_a_correction_of_another_persons_dossier_is_refused(dossier, chi, people):
    response = _client(chi[0]).post("/cong-dan/du-lieu-ca-nhan/yeu-cau-sua/", {
        "dossier": dossier.code, "field": "name", "requested_value": "Ai đó", "reason": "x"})
    assert response.status_code == 400 and not CorrectionRequest.objects.exists()


@pytest.mark.parametrize("values", [
    {"field": "address", "requested_value": "", "reason": "x"},
    {"field": "address", "requested_value": "a", "reason": ""},
    {"field": "password", "requested_value": "a", "reason": "x"},
    {"field": "phone", "requested_value": "0912345678", "reason": "giống hệt"},  # the value already held
])
def test_bad_correction_requests_are_refused_with_a_message(dossier, people, values):
    response = _client(people["an"]).post("/cong-dan/du-lieu-ca-nhan/yeu-cau-sua/", {"dossier": dossier.code,
                                                                                     **values})
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize(("path", "title", "lead", "other_lead"), [
    ("/cong-dan/du-lieu-ca-nhan/yeu-cau-sua/", "Yêu cầu chỉnh sửa", "Hồ sơ ghi nhận những gì đã nộp",
     "theo nghĩa vụ pháp lý"),
    ("/cong-dan/du-lieu-ca-nhan/yeu-cau-khac/", "Yêu cầu xóa, hạn chế hoặc ngừng xử lý dữ liệu của tôi",
     "theo nghĩa vụ pháp lý", "Hồ sơ ghi nhận những gì đã nộp"),
])
def test_the_two_request_pages_share_a_template_and_keep_their_own_texts(dossier, people, path, title, lead,
                                                                         other_lead):
    body = _client(people["an"]).get(path).content.decode()
    assert f"<title>{title}" in body and f"<h1>{title}</h1>" in body
    assert lead in body and other_lead not in body
    assert f'<form method="post" action="{path}"' in body


def test_the_citizen_corrects_the_name_of_the_account(people, db):
    client = _client(people["an"])
    assert client.post("/cong-dan/du-lieu-ca-nhan/ho-ten/", {"full_name": "Nguyễn Văn Ân"}).status_code == 302
    assert User.objects.get(username="an").full_name == "Nguyễn Văn Ân"
    client.post("/cong-dan/du-lieu-ca-nhan/ho-ten/", {"full_name": "   "})
    assert User.objects.get(username="an").full_name == "Nguyễn Văn Ân"


# --- consent on registration ---------------------------------------------------------------------------

def _register(client: Client, **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/dang-ky/", {"full_name": "Lê Thị Chi", "identifier": "chi@example.vn",
                                     "password": PASSWORD, "password2": PASSWORD, "language": "vi", **extra})


def test_the_registration_page_shows_the_consent_notice(db):
    body = Client().get("/dang-ky/").content.decode()
    assert 'name="consent"' in body and "91/2025/QH15" in body and CONSENT_VERSION in body


def test_registering_without_consent_is_refused_and_changes_nothing(templates):
    response = _register(Client())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_consent_error"' in body and "Đánh dấu vào ô đồng ý" in body
    assert not PendingRegistration.objects.exists() and not Message.objects.exists()


def test_the_service_refuses_a_registration_without_consent(templates):
    from motcua.core.errors import DomainError
    from motcua.portal.services import start_registration

    with pytest.raises(DomainError):
        start_registration("Lê Thị Chi", "chi@example.vn", PASSWORD)
    assert not PendingRegistration.objects.exists()


def test_the_consent_is_recorded_on_the_account(templates, django_capture_on_commit_callbacks):
    import re

    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _register(client, consent="on")
    assert response.status_code == 302
    code = re.search(r"\b(\d{6})\b", Message.objects.get(key="account.confirmation_code").body)
    assert code
    assert client.post(response["Location"], {"code": code.group(1)}).status_code == 302
    consent = Consent.objects.get(user__username="chi@example.vn")
    assert consent.version == CONSENT_VERSION and consent.purpose == "account" and consent.withdrawn_at is None
    data = selectors.personal_data_export(consent.user)
    assert data["account"]["consents"][0]["version"] == CONSENT_VERSION


def test_administrators_see_correction_requests_in_the_admin_but_cannot_answer_there(dossier, people, client_for):
    """The answer is the agency's, in its queue, so that an accepted correction goes through the dossier's
    history (tests/portal/test_data_requests.py); the admin site only shows the requests."""
    from motcua.portal import services

    request = services.request_correction(people["an"], dossier, "phone", "0912000000", "Đổi số")
    admin = client_for("ha")
    assert admin.get("/quan-tri/portal/correctionrequest/").status_code == 200
    url = f"/quan-tri/portal/correctionrequest/{request.pk}/change/"
    page = admin.get(url)
    assert page.status_code == 200 and "0912000000" in page.content.decode()
    admin.post(url, {"state": "done", "answer": "Đã sửa"})
    request.refresh_from_db()
    assert request.state == "open" and request.answer == ""


def test_the_sweep_deletes_registrations_a_week_after_their_code_expired(db):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    now = timezone.now()

    def pending(identifier: str, expired_days_ago: float) -> PendingRegistration:
        return PendingRegistration.objects.create(identifier=identifier, channel="email", full_name="X",
                                                  password_hash="x", code_hash="x",
                                                  expires_at=now - dt.timedelta(days=expired_days_ago))

    old, confirmed_old, recent = pending("a@example.vn", 8), pending("b@example.vn", 9), pending("c@example.vn", 6)
    confirmed_old.confirmed_at = now - dt.timedelta(days=9)
    confirmed_old.save()
    out = io.StringIO()
    call_command("portal", "sweep", "--dry-run", stdout=out)
    assert "Would delete 2" in out.getvalue() and PendingRegistration.objects.count() == 3
    call_command("portal", "sweep", stdout=out)
    assert list(PendingRegistration.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk and not PendingRegistration.objects.filter(pk__in=[old.pk, confirmed_old.pk]).exists()
    call_command("portal", "sweep", stdout=out)  # idempotent
    assert PendingRegistration.objects.count() == 1


def test_the_dossier_page_links_to_the_correction_form_with_the_dossier_chosen(dossier, people):
    client = _client(people["an"])
    page = client.get(f"/cong-dan/ho-so/{dossier.code}/").content.decode()
    assert f"/cong-dan/du-lieu-ca-nhan/yeu-cau-sua/?ho-so={dossier.code}" in page
    form = client.get(f"/cong-dan/du-lieu-ca-nhan/yeu-cau-sua/?ho-so={dossier.code}").content.decode()
    assert f'<option value="{dossier.code}" selected>' in form
    assert "Dữ liệu cá nhân của tôi" in client.get("/cong-dan/").content.decode()
