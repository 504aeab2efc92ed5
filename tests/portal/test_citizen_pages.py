"""My dossiers, a dossier, who opened it, and the supplement: a citizen sees only their own (404 otherwise)."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import Status

from .conftest import PDF, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(people, procedure, templates):  # type: ignore[no-untyped-def]
    d = dossier_services.accept(people["binh"], submit(people))
    dossier_services.record_personal_data_view(people["cuong"], d, "/ho-so/x")
    return d


def test_my_dossiers_lists_mine(dossier, client_for):
    response = client_for("an").get("/cong-dan/")
    assert response.status_code == 200
    assert dossier.code in response.content.decode()


def test_my_dossiers_needs_a_sign_in(db):
    response = Client().get("/cong-dan/")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_staff_see_an_empty_list_not_others_dossiers(dossier, client_for):
    response = client_for("binh").get("/cong-dan/")
    assert response.status_code == 200 and dossier.code not in response.content.decode()


@pytest.mark.parametrize("path", ["", "truy-cap/", "bo-sung/", "danh-gia/"])
def test_another_citizen_gets_404(dossier, people, client_for, path):
    from motcua.portal.services import create_citizen

    create_citizen(username="chi", full_name="Lê Thị Chi")
    other = Client()
    other.force_login(__import__("motcua.accounts.models", fromlist=["User"]).User.objects.get(username="chi"))
    assert other.get(f"/cong-dan/ho-so/{dossier.code}/{path}").status_code == 404
    assert client_for("binh").get(f"/cong-dan/ho-so/{dossier.code}/{path}").status_code == 404
    assert Client().get(f"/cong-dan/ho-so/{dossier.code}/{path}").status_code == 302


def test_the_dossier_page_shows_status_and_promised_date(dossier, client_for):
    body = client_for("an").get(f"/cong-dan/ho-so/{dossier.code}/").content.decode()
    assert dossier.code in body and dossier.due_at is not None
    assert dossier.due_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y") in body


def test_the_access_log_names_each_officer_and_unit(dossier, client_for):
    response = client_for("an").get(f"/cong-dan/ho-so/{dossier.code}/truy-cap/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Trần Thị Bình" in body and "Bộ phận Một cửa Sở Xây dựng" in body
    assert "Lê Văn Cường" in body and "Phòng Quản lý hoạt động xây dựng" in body
    assert "Nguyễn Văn An" not in body.split("<main")[1].split("</main>")[0].replace(
        "Nguyễn Văn An</a>", "")  # the citizen's own actions are not listed


def test_the_access_log_lists_every_staff_opening(dossier, client_for, token_for, settings, tmp_path):
    # "Ai đã xem hồ sơ của tôi": the director's and the inspector's openings of the page, and the inspector's
    # reading of the receipt, masked, each with its officer, unit, time and what was opened.
    settings.MEDIA_ROOT = tmp_path / "media"
    assert client_for("giang").get(f"/ho-so/{dossier.code}/").status_code == 200
    assert client_for("thanh").get(f"/ho-so/{dossier.code}/").status_code == 200
    assert client_for("thanh").get(f"/ho-so/{dossier.code}/phieu/receipt/").status_code == 200
    rows = Client().get(f"/api/v1/me/dossiers/{dossier.code}/access-log", HTTP_AUTHORIZATION=token_for("an")).json()
    seen = [(r["officer"], r["unit"], r["action"]) for r in rows
            if r["officer"] in ("Hoàng Văn Giang", "Bùi Văn Thành")]
    masked = "(thông tin cá nhân của Quý vị được che)"
    assert seen == [
        ("Bùi Văn Thành", "", f"Mở giấy tờ “Giấy tiếp nhận hồ sơ và hẹn trả kết quả” {masked}"),
        ("Bùi Văn Thành", "", f"Mở hồ sơ {masked}"),
        ("Hoàng Văn Giang", "Sở Xây dựng", f"Mở hồ sơ {masked}")]
    assert all(r["at"] for r in rows)
    body = client_for("an").get(f"/cong-dan/ho-so/{dossier.code}/truy-cap/").content.decode()
    assert "Bùi Văn Thành" in body and "Hoàng Văn Giang" in body and "Mở giấy tờ" in body


def test_the_access_log_api(dossier, token_for):
    response = Client().get(f"/api/v1/me/dossiers/{dossier.code}/access-log",
                            HTTP_AUTHORIZATION=token_for("an"))
    assert response.status_code == 200
    officers = {row["officer"] for row in response.json()}
    assert officers == {"Trần Thị Bình", "Lê Văn Cường"}
    assert Client().get(f"/api/v1/me/dossiers/{dossier.code}/access-log").status_code == 401
    assert Client().get(f"/api/v1/me/dossiers/{dossier.code}/access-log",
                        HTTP_AUTHORIZATION=token_for("khanh")).status_code == 404


def test_my_dossiers_api(dossier, token_for):
    mine = Client().get("/api/v1/me/dossiers", HTTP_AUTHORIZATION=token_for("an")).json()
    assert [d["code"] for d in mine] == [dossier.code]
    assert Client().get("/api/v1/me/dossiers", HTTP_AUTHORIZATION=token_for("binh")).json() == []
    assert Client().get("/api/v1/me/dossiers").status_code == 401


def test_the_citizen_sends_a_supplement(people, procedure, templates, client_for):
    d = submit(people)
    dossier_services.request_supplement(people["binh"], d, [dossier_services.MissingItem("Bản vẽ thiết kế",
                                                                                          "Thiếu trang 2")])
    client = client_for("an")
    page = client.get(f"/cong-dan/ho-so/{d.reference}/").content.decode()
    assert "Thiếu trang 2" in page
    response = client.post(f"/cong-dan/ho-so/{d.reference}/bo-sung/", {
        "note": "Đã bổ sung", "document_2": io.BytesIO(PDF)})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.NEW


def test_an_online_document_without_a_file_is_not_shown_as_submitted(people, procedure, templates, client_for):
    from .conftest import intake, pdf
    d = dossier_services.submit_online(people["an"], intake(), [pdf(1)])  # document 2 ticked, no file
    assert d.documents.get(order=2).provided
    page = client_for("an").get(f"/cong-dan/ho-so/{d.public_id}/").content.decode()
    assert "Đơn đề nghị cấp giấy phép xây dựng — đã nộp" in page
    assert "Bản vẽ thiết kế — chưa nộp" in page


def test_a_paper_document_is_said_to_be_handed_in_on_paper(people, procedure):
    from motcua.portal.selectors import document_state

    from .conftest import intake
    d = dossier_services.receive_at_desk(people["binh"], intake())
    assert document_state(d, True, False, False) == "đã nộp bản giấy"
    assert document_state(d, True, False, True) == "đã nộp"
    assert document_state(d, False, True, False) == "lấy từ dữ liệu đã số hóa"
    assert document_state(d, False, False, False) == "chưa nộp"
