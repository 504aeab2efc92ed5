import re

import pytest
from django.db import DatabaseError
from django.test import Client


@pytest.mark.django_db
def test_home_is_vietnamese_by_default(client: Client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Bỏ qua, đến nội dung chính" in html  # the skip link, translated
    assert "Sở Xây dựng tỉnh Lâm Đồng" in html


@pytest.mark.django_db
def test_language_switch_sets_english_and_back(client: Client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Skip to main content" in html
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert '<html lang="vi">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_home_for_signed_in_official_shows_their_name(client_for):
    html = client_for("binh").get("/").content.decode()
    assert "Trần Thị Bình" in html
    assert "Đăng xuất" in html


@pytest.mark.django_db
def test_unknown_page_gets_translated_404(client: Client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.get("/khong-co-trang-nay/")
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_pages_stay_vietnamese_for_an_english_browser_until_english_is_chosen(client: Client):
    # A citizen's phone set to English still gets the Vietnamese site; the switch is the only way to English.
    html = client.get("/", headers={"accept-language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="vi">' in html
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/", headers={"accept-language": "vi"}).content.decode()


@pytest.mark.django_db
def test_api_errors_follow_accept_language(client: Client):
    body = client.get("/api/v1/me", headers={"accept-language": "en"}).json()
    assert body["error"]["message"] == "Sign in or send a valid bearer token."
    body = client.get("/api/v1/me").json()
    assert body["error"]["message"] == "Vui lòng đăng nhập hoặc gửi mã truy cập hợp lệ."


def test_error_pages_render_in_both_languages(rf):
    from motcua.core import views

    assert b"Something went wrong" in views.server_error(rf.get("/")).content
    assert "Hệ thống đang gặp sự cố".encode() in views.server_error(rf.get("/")).content


@pytest.mark.django_db
def test_403_page(rf, people):
    from motcua.core import views

    request = rf.get("/")
    request.user = people["an"]
    request.LANGUAGE_CODE = "vi"
    response = views.permission_denied(request)
    assert response.status_code == 403
    assert "Không có quyền truy cập" in response.content.decode()


@pytest.mark.django_db
def test_healthz_ok(client: Client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"  # the operators' warnings, if any, leave it ok (test_health.py)


@pytest.mark.django_db
def test_healthz_reports_database_failure(client: Client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "database" in response.json()["reason"]


@pytest.mark.django_db
def test_pages_work_on_small_screens_without_javascript(client: Client):
    html = client.get("/").content.decode()
    assert 'name="viewport"' in html
    assert "<script" not in html  # the shell needs no JavaScript at all


@pytest.mark.django_db
def test_the_api_docs_page_states_its_language(client: Client):
    # The titles, the descriptions and Swagger UI's labels are English: axe's html-has-lang (serious).
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'id="swagger-ui"' in html and "ninja/swagger-ui-init.js" in html


@pytest.mark.django_db
def test_the_citizen_menu_marks_my_dossiers_current_on_the_citizen_home(client_for):
    html = client_for("an").get("/cong-dan/").content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page">', html)
    assert current == ["/cong-dan/"], current
    home = Client().get("/").content.decode()
    assert re.findall(r'<a href="([^"]+)" aria-current="page">', home) == ["/"]
