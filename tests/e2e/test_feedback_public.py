"""The public feedback pages in a real browser, on a 390 px phone and a desktop: the form is filled and sent, the
receipt gives the code, the answer date and the link to keep, the link opens the sender's tracking page, and the
published answers are searched without diacritics — each page axe-clean and no wider than the screen."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from motcua.feedback import services
from motcua.feedback.models import FeedbackItem
from tests.feedback.conftest import answer_it, regulation

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _media_and_limits(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()


def _look(page, name: str, width: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_load_state("load")
    screenshot(page, name)
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
    assert axe_violations(page) == [], name


@pytest.mark.parametrize(("viewport", "label"), [(PHONE_390, "phone"), (DESKTOP, "desktop")])
def test_send_feedback_keep_the_receipt_track_it_and_read_answers(page_factory, org, people, viewport, label):
    width = viewport["width"]
    org["sxd"].address, org["sxd"].hotline = "36 Trần Phú, phường Xuân Hương - Đà Lạt", "0263 3822 000"
    org["sxd"].email, org["sxd"].website = "sxd@lamdong.gov.vn", "https://sxd.lamdong.gov.vn"
    org["sxd"].save()
    page = page_factory(viewport)
    page.goto("/phan-anh/")
    _look(page, f"feedback-form-{label}", width)
    box = page.locator('input[name="website"]').bounding_box()
    assert box is None or box["x"] + box["width"] <= 0 or box["width"] <= 1  # the honeypot is out of sight
    page.locator("#id_title").fill("Yêu cầu nộp bản vẽ hai lần")
    page.locator("#id_content").fill("Quy định yêu cầu nộp bản vẽ hai lần là không cần thiết.")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state("load")
    item = FeedbackItem.objects.get()
    assert page.url.endswith("/phan-anh/da-nhan/")
    assert item.code in page.locator(".receipt").inner_text()
    _look(page, f"feedback-receipt-{label}", width)

    href = page.locator(".keep a").get_attribute("href")  # absolute, on the public host: follow its path here
    page.goto(href[href.index("/phan-anh/"):])
    assert "Yêu cầu nộp bản vẽ hai lần" in page.inner_text("main")
    _look(page, f"feedback-tracking-{label}", width)

    # An error shown next to its field: a petition without its proposal.
    page.goto("/phan-anh/")
    page.locator("#id_kind_1").check()
    page.locator("#id_title").fill("Đề nghị bỏ bản vẽ thứ hai")
    page.locator("#id_content").fill("Quy định yêu cầu nộp bản vẽ hai lần là không cần thiết.")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("#id_proposal_error").is_visible()
    _look(page, f"feedback-form-error-{label}", width)
    assert FeedbackItem.objects.count() == 1

    published = services.publish(answer_it(services.submit(regulation(
        agency=org["sxd"], title="Về thời hạn cấp phép xây dựng"), channel="web"), people), people["giang"])
    page.goto("/phan-anh/tra-loi/?q=cap+phep")
    assert published.public_title in page.inner_text("main")
    _look(page, f"feedback-answers-{label}", width)
    page.get_by_role("link", name=published.public_title).click()
    page.wait_for_load_state("load")
    assert "0912345678" not in page.content()
    _look(page, f"feedback-answer-{label}", width)


def test_the_pages_in_english(page_factory, org):
    page = page_factory(PHONE_390, locale="en-GB")
    page.goto("/phan-anh/")
    page.locator('.lang-switch button[value="en"]').click()
    page.wait_for_load_state("load")
    assert "Complaints and denunciations are not feedback" in page.inner_text("main")
    _look(page, "feedback-form-en-phone", PHONE_390["width"])


def test_feedback_about_my_dossier_from_its_page(page_factory, live_server, org, people):
    import io

    from motcua.dossiers import services as dossier_services
    from motcua.dossiers.files import Upload
    from tests.dossiers.conftest import PDF, intake, make_procedure

    from .test_supplement import _signed_in

    make_procedure(org)
    dossier = dossier_services.accept(people["binh"], dossier_services.submit_online(people["an"], intake(), [
        Upload(name="don.pdf", stream=io.BytesIO(PDF), document_order=1),
        Upload(name="ban-ve.pdf", stream=io.BytesIO(PDF), document_order=2)]))
    page = page_factory(PHONE_390)
    _signed_in(page, live_server, people["an"])
    page.goto(f"/cong-dan/ho-so/{dossier.code}/")
    page.get_by_role("link", name="Phản ánh về hồ sơ này").click()
    page.wait_for_load_state("load")
    _look(page, "feedback-dossier-form-phone", PHONE_390["width"])
    page.locator("#id_title").fill("Hồ sơ bị yêu cầu bổ sung giấy tờ ngoài quy định")
    page.locator("#id_content").fill("Cán bộ yêu cầu nộp thêm bản sao sổ hộ khẩu, quy định không có.")
    page.locator("#id_phone").fill("0912345678")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state("load")
    item = FeedbackItem.objects.get()
    assert item.dossier_id == dossier.pk and item.topic == "conduct"
    assert item.code in page.locator(".receipt").inner_text()
