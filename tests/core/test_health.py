"""The operators' warnings (``core.health``): listed by /healthz, shown as a banner in the admin to the staff
they are meant for; a failing check is logged and skipped."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.core import health

pytestmark = pytest.mark.django_db


@pytest.fixture
def checks(monkeypatch):  # type: ignore[no-untyped-def]
    """Only the checks a test registers."""
    monkeypatch.setattr(health, "_checks", {})
    return health


def test_healthz_lists_the_warnings_and_stays_ok(client: Client, checks):
    checks.register("test.one", lambda: [health.Notice("thing_missing", "Thiếu một thứ.", "/quan-tri/")])
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "warnings": [{"code": "thing_missing", "message": "Thiếu một thứ."}]}


def test_no_warning_no_key(client: Client, checks):
    checks.register("test.none", lambda: [])
    assert client.get("/healthz").json() == {"status": "ok"}


def test_a_failing_check_is_logged_and_the_others_still_answer(client: Client, checks, caplog):
    def broken() -> list[health.Notice]:
        raise RuntimeError("boom")

    checks.register("test.broken", broken)
    checks.register("test.one", lambda: [health.Notice("thing_missing", "Thiếu một thứ.")])
    response = client.get("/healthz")
    assert response.status_code == 200
    assert [w["code"] for w in response.json()["warnings"]] == ["thing_missing"]
    assert "test.broken" in caplog.text


def test_the_admin_banner_shows_each_staff_member_the_warnings_meant_for_them(client_for, people, checks):
    people["binh"].is_staff = True
    people["binh"].save()
    checks.register(
        "test.admins",
        lambda: [health.Notice("for_admins", "Chỉ quản trị viên.", "/quan-tri/x/")],
        audience=lambda user: user.is_superuser,
    )
    checks.register("test.staff", lambda: [health.Notice("for_staff", "Mọi cán bộ quản trị.")])
    ha = client_for("ha").get("/quan-tri/").content.decode()
    assert "Chỉ quản trị viên." in ha and 'href="/quan-tri/x/"' in ha and "Mọi cán bộ quản trị." in ha
    binh = client_for("binh").get("/quan-tri/")
    assert binh.status_code == 200
    assert "Chỉ quản trị viên." not in binh.content.decode() and "Mọi cán bộ quản trị." in binh.content.decode()


def test_no_banner_for_anyone_not_signed_in(checks):
    checks.register("test.staff", lambda: [health.Notice("for_staff", "Mọi cán bộ quản trị.")])
    response = Client().get("/quan-tri/login/")
    assert response.status_code == 200 and "Mọi cán bộ quản trị." not in response.content.decode()


def test_production_without_its_public_address_or_sender_is_warned(client: Client, settings):
    settings.ENV = "production"
    settings.MOTCUA_PUBLIC_BASE_URL = ""
    settings.MOTCUA_EMAIL_FROM = ""
    codes = {w["code"] for w in client.get("/healthz").json().get("warnings", [])}
    assert {"public_base_url_unset", "email_from_unset"} <= codes
    settings.MOTCUA_PUBLIC_BASE_URL = "https://dichvucong.lamdong.gov.vn"
    settings.MOTCUA_EMAIL_FROM = "noreply@dichvucong.lamdong.gov.vn"
    codes = {w["code"] for w in client.get("/healthz").json().get("warnings", [])}
    assert not codes & {"public_base_url_unset", "email_from_unset"}
