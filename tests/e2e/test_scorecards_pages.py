"""The reform scorecard in a browser, on a phone and a desktop: the leader self-scores a criterion (with and
without JavaScript), reads where the next points are; the public reads a published ranking. Each page fits
the screen and axe finds nothing."""

from __future__ import annotations

import re

import pytest

from motcua.scorecards import services
from motcua.scorecards.models import Score
from tests.scorecards.conftest import assessments, council, tree, tree_spec  # noqa: F401 (fixtures)

from .conftest import DESKTOP, PHONE, axe_violations, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/tai-khoan/dang-nhap/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("mat-khau-dai-1")
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()
    page.wait_for_load_state("load")


def _fits(page, viewport) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"] + 1


@pytest.mark.parametrize(("viewport", "label", "javascript"),
                         [(PHONE, "phone", True), (DESKTOP, "desktop", True), (PHONE, "phone-nojs", False)])
def test_the_leader_self_scores_a_criterion(page_factory, assessments, viewport, label, javascript):  # noqa: F811
    page = page_factory(viewport, javascript=javascript)
    _sign_in(page, "giang")
    page.get_by_role("link", name="Chỉ số cải cách hành chính").first.click()
    page.wait_for_load_state("load")
    page.locator("main").get_by_role("link", name=re.compile("Sở Xây dựng")).first.click()
    page.wait_for_load_state("load")
    main = page.inner_text("main")
    assert "Không có dữ liệu" in main  # the automatic leaves of a department with no dossier
    _fits(page, viewport)
    assert not javascript or axe_violations(page) == []  # axe runs as a script: not without JavaScript
    page.get_by_text("Chấm điểm tiêu chí 1.1 hoặc thêm tài liệu kiểm chứng").click()
    form = page.locator("details[open] form").first
    form.get_by_label("Điểm tự chấm").fill("2,5")
    form.get_by_label("Ý kiến").fill("Kế hoạch ban hành ngày 05/01")
    form.get_by_role("button", name="Lưu điểm tự chấm").click()
    page.wait_for_load_state("load")
    s = Score.objects.get(assessment=assessments["sxd"], node__code="1.1")
    assert (str(s.self_points), s.self_comment) == ("2.50", "Kế hoạch ban hành ngày 05/01")
    assert "2,50" in page.inner_text("main")
    # Too many points: the form comes back open, with the message next to it, and nothing changes.
    page.get_by_text("Chấm điểm tiêu chí 1.2 hoặc thêm tài liệu kiểm chứng").click()
    form = page.locator("details[open] form").first
    form.get_by_label("Điểm tự chấm").fill("7")
    form.get_by_role("button", name="Lưu điểm tự chấm").click()
    page.wait_for_load_state("load")
    assert "từ 0 đến 2,00" in page.inner_text("main") or "từ 0 đến 2.00" in page.inner_text("main")
    assert page.locator("details[open]").count() >= 1
    assert Score.objects.get(assessment=assessments["sxd"], node__code="1.2").self_points is None
    _fits(page, viewport)
    assert not javascript or axe_violations(page) == []
    screenshot(page, f"scorecards-assessment-{label}")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_simulator_says_where_the_next_points_are(page_factory, assessments, council, viewport,  # noqa: F811
                                                      label):
    a = assessments["sxd"]
    for code, points in (("1.1", "2"), ("1.2", "1")):
        services.self_score(Score.objects.get(assessment=a, node__code=code), points, "", council["giang"])
    page = page_factory(viewport)
    _sign_in(page, "giang")
    page.goto(f"/cai-cach/danh-gia/{a.pk}/mo-phong/")
    page.get_by_label(re.compile("2.1")).first.fill("90%")
    page.get_by_role("button", name="Mô phỏng").click()
    page.wait_for_load_state("load")
    main = page.inner_text("main")
    assert "3,00" in main and "7,00" in main  # 2 + 1 now; + 4 points at 90% early
    _fits(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"scorecards-simulator-{label}")


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_public_reads_a_published_ranking(page_factory, org, council, viewport, label):  # noqa: F811
    last = services.create_tree(tree_spec(2025))
    for agency, points in ((org["sxd"], {"1.1": "3", "1.2": "2", "2.1": "4", "2.2": "0.9"}),
                           (org["other"], {"1.1": "2", "1.2": "2", "2.1": "3", "2.2": "0.8"})):
        services.import_results(last, agency, points, council["nga"], final=True)
    services.publish(last, council["nga"])
    page = page_factory(viewport)
    page.goto("/cai-cach/xep-hang/")
    page.get_by_role("link", name=re.compile("2025")).first.click()
    page.wait_for_load_state("load")
    main = page.inner_text("main")
    assert "Sở Xây dựng" in main and "9,90" in main and "Sở Nông nghiệp và Môi trường" in main
    _fits(page, viewport)
    assert axe_violations(page) == []
    screenshot(page, f"scorecards-ranking-{label}")
