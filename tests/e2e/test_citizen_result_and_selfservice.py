"""Issue 14, items 2 and 17 in a real browser: Bình returns result 125/GPXD online and An downloads it from her
page; Bình hands a paper result over at the desk and records who collected it; An resets a forgotten password
through the link of the e-mail; An asks to stop her dossier. Each page on a 390 px phone and a desktop,
Vietnamese and English, axe-clean; screenshots for people to look at."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from motcua.accounts.models import User
from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.notifications import services as notify_services
from tests.portal.conftest import make_procedure, submit
from tests.portal.test_citizen_selfservice import signed_online

from .conftest import DESKTOP, axe_violations, screenshot
from .test_desk_intake import _signed_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
VIEWS = [(PHONE, "phone", "vi-VN"), (DESKTOP, "desktop", "en-GB")]


@pytest.fixture
def env(org, settings, tmp_path, live_server):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The links of the notices point at this server, so that the browser can follow them.
    settings.MOTCUA_PUBLIC_BASE_URL = live_server.url
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notify_services.seed_default_templates()
    make_procedure(org)


def _language(page, locale: str) -> None:  # type: ignore[no-untyped-def]
    """Vietnamese is the default; the English pages are chosen with the header's button, as a person would."""
    if locale.startswith("en"):
        page.locator("button[name=language][value=en]").click()
        page.wait_for_load_state()


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize(("viewport", "label", "locale"), VIEWS)
def test_an_downloads_the_result_returned_online(page_factory, live_server, env, people, viewport, label, locale):
    d = signed_online(people)
    desk = page_factory(viewport, locale=locale)
    _signed_in(desk, live_server, people["binh"])
    desk.goto(f"/ho-so/{d.public_id}/return-result/")
    _language(desk, locale)
    desk.locator("select[name=method]").select_option("online")
    desk.locator("form.form button[type=submit]").click()
    desk.wait_for_url(f"**/ho-so/{d.public_id}/")
    assert Dossier.objects.get(pk=d.pk).status == Status.RETURNED

    page = page_factory(viewport, locale=locale)
    _signed_in(page, live_server, people["an"])
    page.goto(f"/cong-dan/ho-so/{d.public_id}/")
    _language(page, locale)
    section = page.locator("section[aria-labelledby=ket-qua]")
    assert "125/GPXD" in section.inner_text() and "03/12/2026" in section.inner_text()
    _fits(page, viewport)
    screenshot(page, f"portal-result-online-{label}")
    assert axe_violations(page) == []
    with page.expect_download() as info:
        section.locator("a[download]").click()
    assert info.value.suggested_filename == "giay-phep-125.pdf"
    with open(info.value.path(), "rb") as saved:
        assert saved.read().startswith(b"%PDF")

    # The notice's link downloads the same file (after signing in: An is).
    notice = next(m for m in mail.outbox if "125/GPXD" in m.body)
    link = re.search(re.escape(live_server.url) + r"/cong-dan/ho-so/\S+/tep/\d+/\?tai-ve=1", notice.body)
    assert link is not None
    answer = page.request.get(link.group(0))
    assert answer.status == 200 and answer.headers["cache-control"] == "no-store, private"


@pytest.mark.parametrize(("viewport", "label", "locale"), VIEWS)
def test_binh_records_who_collected_the_paper_result(page_factory, live_server, env, people, viewport, label,
                                                     locale):
    d = signed_online(people)
    page = page_factory(viewport, locale=locale)
    _signed_in(page, live_server, people["binh"])
    page.goto(f"/ho-so/{d.public_id}/return-result/")
    _language(page, locale)
    page.locator("select[name=method]").select_option("desk")
    page.locator("input[name=collector_name]").fill("Nguyễn Thị Mai")
    page.locator("input[name=collector_id_number]").fill("068190004321")
    # Not signed yet: refused, next to the box, and nothing changes.
    page.locator("form.form button[type=submit]").click()
    assert page.locator("#id_collector_signed_error").is_visible()
    assert Dossier.objects.get(pk=d.pk).status == Status.DONE
    _fits(page, viewport)
    screenshot(page, f"return-result-form-{label}")
    assert axe_violations(page) == []
    page.locator("input[name=collector_signed]").check()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**/ho-so/{d.public_id}/")
    returned = page.locator("#sec-return + dl")
    assert "Nguyễn Thị Mai" in returned.inner_text() and "068190004321" not in returned.inner_text()
    _fits(page, viewport)
    screenshot(page, f"return-result-recorded-{label}")
    d = Dossier.objects.get(pk=d.pk)
    assert (d.status, d.collector_name, d.collector_id_number, d.collector_signed) == (
        Status.RETURNED, "Nguyễn Thị Mai", "068190004321", True)


@pytest.mark.parametrize(("viewport", "label", "locale"), VIEWS)
def test_an_resets_her_password_through_the_emailed_link(page_factory, live_server, env, people, viewport, label,
                                                        locale):
    User.objects.filter(pk=people["an"].pk).update(email="an@example.vn")
    page = page_factory(viewport, locale=locale)
    page.goto("/tai-khoan/dang-nhap/")
    _language(page, locale)
    page.locator("a[href='/quen-mat-khau/']").click()
    page.locator("input[name=identifier]").fill("an@example.vn")
    _fits(page, viewport)
    screenshot(page, f"password-reset-form-{label}")
    assert axe_violations(page) == []
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/quen-mat-khau/da-gui/")
    screenshot(page, f"password-reset-sent-{label}")
    assert len(mail.outbox) == 1
    link = re.search(re.escape(live_server.url) + r"/quen-mat-khau/\S+/\S+/", mail.outbox[0].body)
    assert link is not None
    page.goto(link.group(0))
    page.locator("input[name=new_password1]").fill("mot-mat-khau-moi-7")
    page.locator("input[name=new_password2]").fill("mot-mat-khau-moi-7")
    _fits(page, viewport)
    assert axe_violations(page) == []
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url("**/quen-mat-khau/xong/")
    # Signing in with the new password works.
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("input[name=username]").fill("an")
    page.locator("input[name=password]").fill("mot-mat-khau-moi-7")
    page.locator("form.form button[type=submit]").click()
    page.goto("/cong-dan/")
    assert "/dang-nhap/" not in page.url


@pytest.mark.parametrize(("viewport", "label", "locale"), VIEWS)
def test_an_asks_to_stop_her_dossier(page_factory, live_server, env, people, viewport, label, locale):
    d = dossier_services.accept(people["binh"], submit(people))
    page = page_factory(viewport, locale=locale)
    _signed_in(page, live_server, people["an"])
    page.goto(f"/cong-dan/ho-so/{d.public_id}/")
    _language(page, locale)
    page.locator(f"a[href='/cong-dan/ho-so/{d.public_id}/rut/']").click()
    page.locator("textarea[name=reason]").fill("Gia đình không xây dựng nữa")
    page.locator("input[name=confirm]").check()
    _fits(page, viewport)
    screenshot(page, f"portal-withdraw-{label}")
    assert axe_violations(page) == []
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**/cong-dan/ho-so/{d.public_id}/")
    assert Dossier.objects.get(pk=d.pk).status == Status.WITHDRAWAL_REQUESTED
    assert page.locator(f"a[href='/cong-dan/ho-so/{d.public_id}/rut/']").count() == 0
    screenshot(page, f"portal-withdraw-sent-{label}")
