"""Item 15 of issue 14 in a real browser: the desk asks for a supplement by ticking documents of the dossier's
list (what is wrong and why), a free item and the time the law gives; the citizen sees each item with its
reason and the deadline, uploads only those, and reads a status that says what it is — on a 390 px phone and
a desktop, in Vietnamese and English, axe-clean."""

from __future__ import annotations

import io

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from motcua.dossiers import services
from motcua.dossiers.choices import Status
from motcua.dossiers.files import Upload
from motcua.dossiers.models import Attachment, Dossier
from tests.dossiers.conftest import PDF, intake, make_procedure

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def dossier(org, people, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    make_procedure(org)
    return services.submit_online(people["an"], intake(), [
        Upload(name="don.pdf", stream=io.BytesIO(PDF), document_order=1),
        Upload(name="ban-ve.pdf", stream=io.BytesIO(PDF), document_order=2)])


def _signed_in(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key,
                               "url": live_server.url}])


def _look(page, name: str, width: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("load")
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
    assert axe_violations(page) == [], name


@pytest.mark.parametrize(("viewport", "label"), [(PHONE_390, "phone"), (DESKTOP, "desktop")])
def test_desk_asks_from_the_list_and_the_citizen_supplements_only_those(page_factory, live_server, people,
                                                                       dossier, tmp_path, viewport, label):
    width = viewport["width"]
    desk = page_factory(viewport)
    _signed_in(desk, live_server, people["binh"])
    desk.goto(f"/ho-so/{dossier.reference}/request-supplement/")
    _look(desk, f"supplement-request-{label}", width)
    desk.locator('select[name="doc2_kind"]').select_option("wrong")
    desk.locator('input[name="doc2_reason"]').fill("thiếu bản vẽ mặt bằng móng và mặt cắt")
    desk.get_by_label("Nội dung khác cần bổ sung, hoàn thiện").fill("Văn bản thẩm duyệt PCCC — chưa có")
    desk.get_by_label("Thời hạn bổ sung (ngày làm việc)").fill("2")
    desk.locator("form.form button[type=submit]").click()
    desk.wait_for_load_state("load")
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED

    citizen = page_factory(viewport)
    _signed_in(citizen, live_server, people["an"])
    citizen.goto(f"/cong-dan/ho-so/{dossier.reference}/")
    section = citizen.locator("section.supplement")
    assert "Bản vẽ thiết kế — Sai: thiếu bản vẽ mặt bằng móng và mặt cắt" in section.inner_text()
    assert "Văn bản thẩm duyệt PCCC: chưa có" in section.inner_text()
    assert "Hạn bổ sung: hết ngày" in section.inner_text()
    assert citizen.locator("strong.status").inner_text() == "Chờ bổ sung"
    _look(citizen, f"supplement-citizen-{label}", width)

    citizen.get_by_role("link", name="Gửi hồ sơ bổ sung").click()
    citizen.wait_for_load_state("load")
    boxes = citizen.locator('input[type="file"]')
    assert boxes.count() == 2  # the two items asked for; not the application form
    _look(citizen, f"supplement-upload-{label}", width)
    first = tmp_path / "ban-ve-moi.pdf"
    first.write_bytes(PDF)
    citizen.get_by_label("Bản vẽ thiết kế").set_input_files(str(first))
    citizen.get_by_label("Văn bản thẩm duyệt PCCC").set_input_files(str(first))
    citizen.get_by_role("button", name="Gửi", exact=True).click()
    citizen.wait_for_load_state("load")
    assert citizen.locator("strong.status").inner_text() == "Đã nộp bổ sung, chờ tiếp nhận"
    assert Dossier.objects.get(pk=dossier.pk).status == Status.NEW
    assert Attachment.objects.filter(dossier=dossier).count() == 4


def test_the_citizen_page_in_english(page_factory, live_server, people, dossier):
    services.request_supplement(people["binh"], dossier, [
        services.MissingItem("", "unreadable scan", order=2, kind="invalid")])
    page = page_factory(PHONE_390)
    _signed_in(page, live_server, people["an"])
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.goto(f"/cong-dan/ho-so/{dossier.reference}/")
    text = page.locator("main").inner_text()
    assert "Awaiting supplement" in text and "The request gives no time limit to supplement" in text
    _look(page, "supplement-citizen-en", PHONE_390["width"])
