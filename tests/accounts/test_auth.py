import pytest
from django.test import Client


@pytest.mark.django_db
def test_login_page_renders_with_labels(client: Client):
    response = client.get("/tai-khoan/dang-nhap/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert "Tên đăng nhập" in html


@pytest.mark.django_db
def test_login_with_right_password(client: Client, people):
    response = client.post("/tai-khoan/dang-nhap/", {"username": "binh", "password": "mat-khau-dai-1"})
    assert response.status_code == 302
    assert client.get("/tai-khoan/").status_code == 200


@pytest.mark.django_db
def test_login_with_wrong_password_says_so_in_vietnamese(client: Client, people):
    response = client.post("/tai-khoan/dang-nhap/", {"username": "binh", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(client: Client, people, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/tai-khoan/dang-nhap/", {"username": "binh", "password": "sai"})
    response = client.post("/tai-khoan/dang-nhap/", {"username": "binh", "password": "mat-khau-dai-1"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_account_page_requires_login(client: Client):
    response = client.get("/tai-khoan/")
    assert response.status_code == 302
    assert "/tai-khoan/dang-nhap/" in response["Location"]


@pytest.mark.django_db
def test_account_page_shows_roles_and_unit(client_for):
    html = client_for("dung").get("/tai-khoan/").content.decode()
    assert "Phòng Quản lý hoạt động xây dựng" in html
    assert "Trưởng phòng" in html


@pytest.mark.django_db
def test_logout(client_for):
    client = client_for("binh")
    response = client.post("/tai-khoan/dang-xuat/")
    assert response.status_code == 302
    assert client.get("/tai-khoan/").status_code == 302


def test_passwords_are_hashed_with_argon2_by_the_settings_module():
    import motcua.settings as module

    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_admin_is_for_administrators_only(client, client_for):
    assert client.get("/quan-tri/").status_code == 302
    assert client_for("binh").get("/quan-tri/").status_code == 302  # not staff: sent to the admin login
    response = client_for("ha").get("/quan-tri/")
    assert response.status_code == 200
    assert "Quản trị" in response.content.decode()
