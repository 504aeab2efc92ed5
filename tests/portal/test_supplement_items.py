"""Item 15 of issue 14, the citizen's side: each item asked for with its reason and the deadline, one upload
box per item asked for and no other, and a status that says what it is."""

from __future__ import annotations

import io

import pytest

from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Attachment

from .conftest import PDF, submit

pytestmark = pytest.mark.django_db


def _ask(people, d, days=2):  # type: ignore[no-untyped-def]
    return dossier_services.request_supplement(people["binh"], d, [
        dossier_services.MissingItem("", "thiếu mặt bằng móng", order=2, kind="wrong"),
        dossier_services.MissingItem("Văn bản thẩm duyệt PCCC", "chưa có trong hồ sơ")],
        respond_working_days=days)


def test_the_citizen_sees_each_item_its_reason_and_the_deadline(people, procedure, templates, client_for):
    d = _ask(people, submit(people))
    page = client_for("an").get(f"/cong-dan/ho-so/{d.reference}/").content.decode()
    assert "Bản vẽ thiết kế</strong> — Sai: thiếu mặt bằng móng" in page
    assert "Văn bản thẩm duyệt PCCC</strong>: chưa có trong hồ sơ" in page
    assert "Hạn bổ sung" in page and "Chờ bổ sung" in page and "Yêu cầu bổ sung giấy tờ" in page


def test_without_a_time_the_page_says_none_was_given(people, procedure, templates, client_for):
    d = _ask(people, submit(people), days=None)
    page = client_for("an").get(f"/cong-dan/ho-so/{d.reference}/").content.decode()
    assert "Hạn bổ sung" not in page and "Yêu cầu bổ sung không nêu thời hạn" in page


def test_the_citizen_uploads_only_what_was_asked_for(people, procedure, templates, client_for):
    d = _ask(people, submit(people))
    client = client_for("an")
    form = client.get(f"/cong-dan/ho-so/{d.reference}/bo-sung/").content.decode()
    assert 'name="document_2"' in form and 'name="item_2"' in form
    assert 'name="document_1"' not in form  # the application form was not asked for
    before = Attachment.objects.filter(dossier=d).count()
    response = client.post(f"/cong-dan/ho-so/{d.reference}/bo-sung/", {
        "document_1": io.BytesIO(PDF), "document_2": io.BytesIO(PDF), "item_2": io.BytesIO(PDF)})
    assert response.status_code == 302, response.content.decode()[-4000:]
    added = list(Attachment.objects.filter(dossier=d).order_by("id")[before:])
    assert [a.document.order if a.document else None for a in added] == [2, None]
    d.refresh_from_db()
    assert d.status == Status.NEW
    page = client.get(f"/cong-dan/ho-so/{d.reference}/").content.decode()
    assert "Đã nộp bổ sung, chờ tiếp nhận" in page
    assert '<strong class="status status-1">Mới đăng ký</strong>' not in page
    home = client.get("/cong-dan/").content.decode()
    assert "Đã nộp bổ sung, chờ tiếp nhận" in home
    mine = client.get("/api/v1/me/dossiers").json()
    assert mine[0]["status_label"] == "Đã nộp bổ sung, chờ tiếp nhận"
