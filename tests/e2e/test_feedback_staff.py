"""The staff pages of feedback in a browser: the queue, the item page, the draft-answer form (the six criteria
of Decree 20/2008 Art. 14, a template chosen without JavaScript) and the redaction step before publishing; on
a phone and a desktop, Vietnamese and English; screenshots kept; axe clean; nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from motcua.feedback import services
from motcua.feedback.choices import Status
from tests.feedback.conftest import answer_it, regulation

from .conftest import DESKTOP, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PHONE_390 = {"width": 390, "height": 844}


def _sign_in(page: Any, user: Any, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


def _check(page: Any, viewport: dict[str, int], name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1, name
    screenshot(page, name)
    assert axe_violations(page) == [], name


@pytest.fixture
def items(org, people):  # type: ignore[no-untyped-def]
    handling = services.classify(services.submit(regulation(agency=org["sxd"]), channel="web"), people["binh"],
                                 division_id=org["division"].pk, assignee_id=people["cuong"].pk)
    approved = answer_it(services.submit(regulation(
        agency=org["sxd"], title="Hồ sơ cấp phép sửa chữa nhà yêu cầu quá nhiều giấy tờ"), channel="web"), people)
    services.submit(regulation(agency=org["sxd"], title="Đề nghị công khai quy hoạch chi tiết phường 3",
                               name="", phone="", email="", id_number="", address=""), channel="web")
    return {"handling": handling, "approved": approved}


@pytest.mark.parametrize(("viewport", "label"), [(PHONE_390, "phone"), (DESKTOP, "desktop")])
def test_feedback_staff_pages(page_factory, live_server, people, items, viewport, label):
    page = page_factory(viewport)
    _sign_in(page, people["giang"], live_server.url)
    page.goto("/")
    page.get_by_role("link", name="Xử lý phản ánh").click()
    assert page.url.endswith("/phan-anh/can-bo/")
    handling = items["handling"]
    row = page.locator("tr", has=page.locator(f"a[href='/phan-anh/can-bo/{handling.code}/']"))
    assert "N***" in row.inner_text() and "Nguyễn Văn An" not in row.inner_text()
    _check(page, viewport, f"feedback-queue-{label}")

    # The item page: sender, time limits, history, the leader's actions.
    page.goto(f"/phan-anh/can-bo/{handling.code}/")
    assert page.locator("section[aria-labelledby=sec-sender]").inner_text().count("Nguyễn Văn An") == 1
    assert page.locator("section[aria-labelledby=sec-deadlines] tbody tr").count() >= 1
    _check(page, viewport, f"feedback-item-{label}")

    # The draft form, as the assigned officer: pick a template (a GET form, no JavaScript needed).
    officer = page_factory(viewport)
    _sign_in(officer, people["cuong"], live_server.url)
    officer.goto(f"/phan-anh/can-bo/{handling.code}/draft-answer/")
    officer.select_option("#id_mau", "quy-dinh-giai-thich")
    officer.get_by_role("button", name="Dùng mẫu này").click()
    assert handling.code in officer.locator("#id_answer").input_value()
    assert officer.locator("fieldset.criteria input[type=radio]").count() == 18
    _check(officer, viewport, f"feedback-draft-{label}")
    for name in ("necessity", "reasonableness", "simplicity", "feasibility", "consistency", "treaties"):
        officer.locator(f"input[name={name}_verdict][value=met]").check()
    officer.get_by_role("button", name="Dự thảo trả lời").click()
    assert officer.url.endswith(f"/phan-anh/can-bo/{handling.code}/")
    handling.refresh_from_db()
    assert handling.status == Status.ANSWER_DRAFTED

    # The redaction step before publishing.
    approved = items["approved"]
    page.goto(f"/phan-anh/can-bo/{approved.code}/edit-publication/")
    assert "0912345678" in page.locator("section[aria-labelledby=sec-found]").inner_text()
    assert "0912345678" not in page.locator("#id_answer").input_value()
    _check(page, viewport, f"feedback-publication-{label}")

    # English.
    page.get_by_role("button", name="English").click()
    page.goto("/phan-anh/can-bo/")
    assert page.locator("h1").inner_text() == "Feedback and petitions"
    _check(page, viewport, f"feedback-queue-en-{label}")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE_390, "phone"), (DESKTOP, "desktop")])
def test_the_desk_enters_a_letter_and_gets_the_receipt(page_factory, live_server, people, org, viewport, label,
                                                         settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    page = page_factory(viewport)
    _sign_in(page, people["binh"], live_server.url)
    page.goto("/phan-anh/can-bo/")
    page.get_by_role("link", name="Vào sổ phản ánh nhận qua thư, điện thoại, trực tiếp").click()
    _check(page, viewport, f"feedback-entry-{label}")
    page.locator("input[name=channel][value=phone]").check()
    page.locator("#id_title").fill("Phản ánh qua điện thoại về lệ phí cấp phép")
    page.locator("#id_content").fill("Người gọi cho biết lệ phí cấp phép xây dựng thu hai lần.")
    page.locator("#id_name").fill("Phạm Văn Bình")
    page.get_by_role("button", name="Vào sổ").click()
    assert "/phan-anh/can-bo/T.SXD-PA" in page.url
    receipt = page.locator("section.receipt")
    assert "Phạm Văn Bình" in receipt.inner_text(), receipt.inner_text()
    _check(page, viewport, f"feedback-entered-{label}")
