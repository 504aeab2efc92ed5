"""Item 15 of issue 14: a supplement request names documents of the dossier's list, each with what is wrong
and why, plus free items, and may give the applicant a time to supplement; the desk's checklist names the
missing document once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.core.errors import DomainError
from motcua.dossiers import services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import DossierEvent

from .conftest import intake

pytestmark = pytest.mark.django_db

MONDAY_10 = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def _last_request(d):  # type: ignore[no-untyped-def]
    return DossierEvent.objects.filter(dossier=d, status_after=Status.SUPPLEMENT_REQUESTED).order_by("-seq").first()


def test_the_request_names_documents_of_the_list_with_what_is_wrong_and_a_deadline(procedure, people):
    d = services.submit_online(people["an"], intake())
    services.request_supplement(people["binh"], d, [
        services.MissingItem("", "thiếu mặt bằng móng và mặt cắt", order=2, kind="wrong"),
        services.MissingItem("Văn bản thẩm duyệt PCCC", "chưa có trong hồ sơ")],
        "Xin bổ sung một lần", at=MONDAY_10, respond_working_days=2)
    data = _last_request(d).data
    assert data["missing"][0] == {"document": "Bản vẽ thiết kế", "order": 2, "kind": "wrong",
                                  "detail": "thiếu mặt bằng móng và mặt cắt",
                                  "reason": "Sai — thiếu mặt bằng móng và mặt cắt"}
    assert data["missing"][1]["order"] is None and data["missing"][1]["document"] == "Văn bản thẩm duyệt PCCC"
    # Two whole working days after Monday: the end of Wednesday (Decree 217/2026 Art. 54: 2 WD to supplement).
    assert dt.datetime.fromisoformat(data["respond_by"]) == dt.datetime(2026, 12, 3, tzinfo=MONDAY_10.tzinfo)


@pytest.mark.parametrize("item, days", [
    (services.MissingItem("", "mờ", order=9, kind="wrong"), None),  # not in the dossier's list
    (services.MissingItem("", "mờ", order=2, kind="torn"), None),  # not a kind
    (services.MissingItem("", "mờ", order=2, kind="wrong"), 0),  # no time
    (services.MissingItem("", "mờ", order=2, kind="wrong"), 31),
    (services.MissingItem("", "mờ"), None),  # neither a document of the list nor a name
])
def test_a_bad_request_is_refused_and_changes_nothing(procedure, people, item, days):
    d = services.submit_online(people["an"], intake())
    with pytest.raises(DomainError) as error:
        services.request_supplement(people["binh"], d, [item], respond_working_days=days)
    assert error.value.code == "invalid_input"
    d.refresh_from_db()
    assert d.status == Status.NEW and d.intake_supplements == 0


def test_the_staff_form_ticks_documents_of_the_list(procedure, people, client_for):
    d = services.submit_online(people["an"], intake())
    client = client_for("binh")
    form = client.get(f"/ho-so/{d.reference}/request-supplement/").content.decode()
    assert "Bản vẽ thiết kế" in form and 'name="doc2_kind"' in form and 'name="respond_working_days"' in form
    # A reason without saying what is wrong is refused, naming the document.
    bad = client.post(f"/ho-so/{d.reference}/request-supplement/", {"doc2_reason": "mờ"})
    assert bad.status_code == 400 and "Bản vẽ thiết kế" in bad.content.decode()
    d.refresh_from_db()
    assert d.status == Status.NEW
    ok = client.post(f"/ho-so/{d.reference}/request-supplement/", {
        "doc2_kind": "invalid", "doc2_reason": "bản sao không chứng thực", "respond_working_days": "2",
        "missing": "Văn bản thẩm duyệt PCCC — chưa có"})
    assert ok.status_code == 302
    items = _last_request(d).data["missing"]
    assert [(i["document"], i["order"], i["kind"]) for i in items] == [
        ("Bản vẽ thiết kế", 2, "invalid"), ("Văn bản thẩm duyệt PCCC", None, "")]
    assert "respond_by" in _last_request(d).data


def test_the_api_takes_items_by_order(procedure, people, token_for):
    d = services.submit_online(people["an"], intake())
    response = Client().post(f"/api/v1/dossiers/{d.reference}/actions/request-supplement", {
        "missing": [{"order": 1, "kind": "missing"}], "respond_working_days": 2},
        content_type="application/json", HTTP_AUTHORIZATION=token_for("binh"))
    assert response.status_code == 200, response.content
    item = _last_request(d).data["missing"][0]
    assert item["document"] == "Đơn đề nghị cấp giấy phép xây dựng" and item["reason"] == "Thiếu"


FORM = {
    "channel": "desk", "applicant_kind": "individual", "applicant_name": "Nguyễn Văn An",
    "applicant_id_number": "068090001234", "applicant_address": "12 Trần Phú, tỉnh Lâm Đồng",
    "applicant_phone": "0912345678", "sets": "1", "result_method": "desk",
}


def test_the_checklist_names_each_missing_document_once(procedure, client_for):
    page = client_for("binh").post("/ho-so/tiep-nhan/1.013236/", {**FORM, "outcome": "receive"}).content.decode()
    for name in ("Đơn đề nghị cấp giấy phép xây dựng", "Bản vẽ thiết kế"):
        assert page.count(f"Thiếu giấy tờ bắt buộc “{name}”") == 1
    assert "Đã nộp: Thiếu" not in page


def test_the_checklist_asks_for_documents_of_the_list(procedure, people, client_for):
    response = client_for("binh").post("/ho-so/tiep-nhan/1.013236/", {
        **FORM, "outcome": "supplement", "doc1_provided": "on", "doc2_problem": "wrong",
        "doc2_note": "thiếu mặt cắt", "respond_working_days": "2"})
    assert response.status_code == 302, response.content.decode()[:3000]
    event = DossierEvent.objects.filter(status_after=Status.SUPPLEMENT_REQUESTED).get()
    assert event.data["missing"] == [{"document": "Bản vẽ thiết kế", "order": 2, "kind": "wrong",
                                      "detail": "thiếu mặt cắt", "reason": "Sai — thiếu mặt cắt"}]
    assert event.data["respond_by"]
