"""The agency's work queue of personal-data requests (Law 91/2025/QH15 Art. 4: to have one's data corrected):
the citizen asks, the officers of the dossier's agency are told and answer by a due date on the working calendar;
an accepted correction changes the dossier through its history, so ``audit verify`` still passes; the citizen is
told and reads the answer. Each page and endpoint as anonymous, as officers and citizens without the right, and
as those with it; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from motcua.calendars import clock
from motcua.calendars import selectors as calendars
from motcua.dossiers import audit
from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notifications import defaults as notice_keys
from motcua.notifications.models import Message
from motcua.portal import services
from motcua.portal.models import CorrectionRequest

from .conftest import submit

pytestmark = pytest.mark.django_db

QUEUE = "/du-lieu-ca-nhan/yeu-cau/"
API = "/api/v1/personal-data/requests"


@pytest.fixture
def dossier(people, procedure, templates, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return dossier_services.accept(people["binh"], submit(people))


@pytest.fixture
def request_(dossier, people):  # type: ignore[no-untyped-def]
    return services.request_correction(people["an"], dossier, "address", "14 Trần Phú, Đà Lạt", "Nhập nhầm số nhà")


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _snapshot(dossier: Dossier) -> tuple:  # type: ignore[type-arg]
    d = Dossier.objects.get(pk=dossier.pk)
    return d.applicant_address, d.applicant_id_number, d.event_count


def test_a_request_is_due_on_the_working_calendar_and_the_agency_is_told(dossier, people, settings):
    settings.MOTCUA_CORRECTION_ANSWER_WORKING_DAYS = 10
    people["binh"].email = "binh@sxd.example.vn"
    people["binh"].save()
    request_ = services.request_correction(people["an"], dossier, "address", "14 Trần Phú", "Nhập nhầm số nhà")
    expected = calendars.compute_due(request_.created_at, 10, clock.WORKING_DAYS, clock.POLICY_END_OF_DAY,
                                     "T.SXD").due_at
    # Ten working days from any day of the week reach at least twelve calendar dates on (from a Sunday, the Friday
    # of the next week); compared as local dates, since the hour of the request is not the hour of the deadline.
    span = timezone.localtime(request_.due_at).date() - timezone.localtime(request_.created_at).date()
    assert request_.due_at == expected and span.days >= 12  # weekends skipped
    told = Message.objects.filter(key=notice_keys.DATA_REQUEST_RECEIVED)
    names = {m.recipient_name for m in told}
    assert {"Trần Thị Bình", "Hoàng Văn Giang"} <= names and "Đỗ Văn Khánh" not in names
    assert all(m.subject_ref == f"dossier:{dossier.public_id}" for m in told)
    assert QUEUE in told.get(recipient_name="Trần Thị Bình").body


def test_the_queue_is_closed_to_anonymous_citizens_and_inspectors(request_, people):
    assert Client().get(QUEUE).status_code == 302
    assert Client().get(f"{QUEUE}{request_.pk}/").status_code == 302
    for name in ("an", "thanh", "ha"):
        assert _client(people[name]).get(QUEUE).status_code == 403
        assert _client(people[name]).get(f"{QUEUE}{request_.pk}/").status_code == 403


def test_another_agencys_officer_sees_none_of_it(request_, dossier, people):
    khanh = _client(people["khanh"])
    page = khanh.get(QUEUE + "?xem=tat-ca")
    assert page.status_code == 200 and dossier.public_id not in page.content.decode()
    assert khanh.get(f"{QUEUE}{request_.pk}/").status_code == 404
    before = _snapshot(dossier)
    assert khanh.post(f"{QUEUE}{request_.pk}/", {"decision": "accept"}).status_code == 404
    assert _snapshot(dossier) == before and CorrectionRequest.objects.get().state == "open"


@pytest.mark.parametrize("officer", ["binh", "cuong", "dung", "giang"])
def test_the_dossiers_officers_see_the_request_with_its_values(request_, dossier, people, officer):
    client = _client(people[officer])
    body = client.get(QUEUE).content.decode()
    assert dossier.public_id in body and f"{QUEUE}{request_.pk}/" in body
    page = client.get(f"{QUEUE}{request_.pk}/").content.decode()
    assert "14 Trần Phú, Đà Lạt" in page and dossier.applicant_address in page and "Nhập nhầm số nhà" in page


def test_accepting_corrects_the_dossier_through_its_history_and_the_audit_still_passes(
        request_, dossier, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(people["binh"]).post(f"{QUEUE}{request_.pk}/", {"decision": "accept", "answer": ""})
    assert response.status_code == 302
    d = Dossier.objects.get(pk=dossier.pk)
    assert d.applicant_address == "14 Trần Phú, Đà Lạt"
    event = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert event is not None and event.kind == EventKind.APPLICANT_CORRECTED and event.actor == people["binh"]
    assert event.data["field"] == "address" and "14 Trần Phú" not in str(event.data)  # the log keeps no value
    assert audit.verify([d.pk], checkpoints="none").ok
    r = CorrectionRequest.objects.get()
    assert r.state == "done" and r.handled_by == people["binh"] and r.handled_at is not None
    answered = Message.objects.get(key=notice_keys.DATA_REQUEST_ANSWERED)
    assert answered.subject_ref == f"account:{people['an'].pk}" and "đã được thực hiện" in answered.body
    page = _client(people["an"]).get("/cong-dan/du-lieu-ca-nhan/").content.decode()
    assert "Đã chỉnh sửa" in page


def test_motcua_audit_verify_passes_across_a_correction_and_a_checkpoint(request_, dossier, people, settings,
                                                                         tmp_path, capsys):
    from django.core.management import call_command

    settings.MOTCUA_AUDIT_CHECKPOINT_DIR = tmp_path / "anchor"
    call_command("audit", "checkpoint")  # the head before the correction, anchored
    services.answer_request(people["binh"], request_, "accept", "")
    call_command("audit", "verify")  # raises (exit 1) on any broken chain or row
    assert "checked against 1 checkpoint(s)" in capsys.readouterr().out


def test_a_row_edited_after_a_correction_is_still_caught_by_the_audit(request_, dossier, people):
    services.answer_request(people["binh"], request_, "accept", "")
    assert audit.verify([dossier.pk], checkpoints="none").ok
    Dossier.objects.filter(pk=dossier.pk).update(applicant_address="99 Đường Khác")  # behind the services' back
    report = audit.verify([dossier.pk], checkpoints="none")
    assert not report.ok and "applicant" in str(report.problems[0])


def test_refusing_needs_a_reason_and_leaves_the_dossier_alone(request_, dossier, people,
                                                               django_capture_on_commit_callbacks):
    client = _client(people["dung"])
    before = _snapshot(dossier)
    response = client.post(f"{QUEUE}{request_.pk}/", {"decision": "refuse", "answer": ""})
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert CorrectionRequest.objects.get().state == "open"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{QUEUE}{request_.pk}/", {"decision": "refuse",
                                                          "answer": "Giấy tờ đã nộp ghi đúng số nhà 12."})
    assert response.status_code == 302 and _snapshot(dossier) == before
    r = CorrectionRequest.objects.get()
    assert r.state == "refused" and r.answer == "Giấy tờ đã nộp ghi đúng số nhà 12."
    assert "không được chấp nhận" in Message.objects.get(key=notice_keys.DATA_REQUEST_ANSWERED).body
    page = _client(people["an"]).get("/cong-dan/du-lieu-ca-nhan/").content.decode()
    assert "Giấy tờ đã nộp ghi đúng số nhà 12." in page


@pytest.mark.parametrize("values", [
    {"decision": "approve"},
    {"decision": ""},
    {"decision": "refuse", "answer": "x" * 2001},
])
def test_bad_answers_are_refused_with_a_message_and_change_nothing(request_, dossier, people, values):
    before = _snapshot(dossier)
    response = _client(people["binh"]).post(f"{QUEUE}{request_.pk}/", values)
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert _snapshot(dossier) == before and CorrectionRequest.objects.get().state == "open"


def test_a_value_the_intake_would_refuse_is_not_written(dossier, people):
    request = services.request_correction(people["an"], dossier, "id_number", "12345", "Số mới")
    before = _snapshot(dossier)
    response = _client(people["binh"]).post(f"{QUEUE}{request.pk}/", {"decision": "accept"})
    assert response.status_code == 400 and "12" in response.content.decode()
    assert _snapshot(dossier) == before and CorrectionRequest.objects.get().state == "open"


def test_an_answered_request_cannot_be_answered_again(request_, dossier, people):
    services.answer_request(people["binh"], request_, "refuse", "Không có căn cứ")
    before = _snapshot(dossier)
    response = _client(people["giang"]).post(f"{QUEUE}{request_.pk}/", {"decision": "accept"})
    assert response.status_code == 409 and _snapshot(dossier) == before
    assert CorrectionRequest.objects.get().state == "refused"


def test_the_citizen_cannot_answer_their_own_request_through_the_service(request_, dossier, people):
    from motcua.core.errors import NotFound

    with pytest.raises(NotFound):
        services.answer_request(people["an"], request_, "accept", "")
    assert Dossier.objects.get(pk=dossier.pk).applicant_address != "14 Trần Phú, Đà Lạt"


# --- the API -------------------------------------------------------------------------------------------------

def test_the_api_queue_by_caller(request_, dossier, people, token_for):
    assert Client().get(API).status_code == 401
    assert Client().get(API, HTTP_AUTHORIZATION=token_for("an")).status_code == 403
    assert Client().get(API, HTTP_AUTHORIZATION=token_for("thanh")).status_code == 403
    assert Client().get(API, HTTP_AUTHORIZATION=token_for("khanh")).json() == []
    mine = Client().get(API, HTTP_AUTHORIZATION=token_for("binh"))
    assert mine.status_code == 200 and mine["Cache-Control"].startswith("no-store")
    [item] = mine.json()
    assert item["dossier"] == dossier.public_id and item["field"] == "address" and item["state"] == "open"
    assert item["due_at"] and item["requested_value"] == "14 Trần Phú, Đà Lạt"
    bad = Client().get(API + "?state=whatever", HTTP_AUTHORIZATION=token_for("binh"))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_input"


def test_the_api_answer_by_caller(request_, dossier, people, token_for):
    url = f"{API}/{request_.pk}/answer"
    before = _snapshot(dossier)
    assert Client().post(url, {"decision": "accept"}, content_type="application/json").status_code == 401
    for name, status in (("an", 403), ("khanh", 404)):
        response = Client().post(url, {"decision": "accept"}, content_type="application/json",
                                 HTTP_AUTHORIZATION=token_for(name))
        assert response.status_code == status and response.json()["error"]["code"]
    bad = Client().post(url, {"decision": "refuse", "answer": ""}, content_type="application/json",
                        HTTP_AUTHORIZATION=token_for("binh"))
    assert bad.status_code == 400 and bad.json()["error"]["details"]["fields"][0]["field"] == "answer"
    assert _snapshot(dossier) == before
    ok = Client().post(url, {"decision": "accept"}, content_type="application/json",
                       HTTP_AUTHORIZATION=token_for("binh"))
    assert ok.status_code == 200 and ok.json()["state"] == "done"
    assert Dossier.objects.get(pk=dossier.pk).applicant_address == "14 Trần Phú, Đà Lạt"
    again = Client().post(url, {"decision": "accept"}, content_type="application/json",
                          HTTP_AUTHORIZATION=token_for("binh"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_answered"


def test_the_due_date_comes_from_the_setting(dossier, people, settings):
    settings.MOTCUA_CORRECTION_ANSWER_WORKING_DAYS = 1
    short = services.request_correction(people["an"], dossier, "phone", "0912000111", "Đổi số")
    assert short.due_at is not None and short.due_at - timezone.now() < timezone.timedelta(days=4)


# --- deletion, restriction, objection: recorded and answered in the same queue --------------------------------

RIGHTS = "/cong-dan/du-lieu-ca-nhan/yeu-cau-khac/"


def test_a_deletion_request_goes_to_the_agencys_queue_and_is_answered_with_a_reason(
        dossier, people, django_capture_on_commit_callbacks):
    an = _client(people["an"])
    assert an.get(RIGHTS).status_code == 200
    response = an.post(RIGHTS, {"dossier": dossier.public_id, "kind": "deletion",
                                "reason": "Tôi không còn xây nhà, xin xóa dữ liệu."})
    assert response.status_code == 302
    r = CorrectionRequest.objects.get()
    assert r.kind == "deletion" and r.state == "open" and r.due_at is not None and r.field == ""
    assert dossier.public_id in _client(people["binh"]).get(QUEUE).content.decode()
    before = _snapshot(dossier)
    # Accepting needs an answer saying what was done; nothing of the dossier changes either way.
    bad = _client(people["binh"]).post(f"{QUEUE}{r.pk}/", {"decision": "accept", "answer": ""})
    assert bad.status_code == 400 and CorrectionRequest.objects.get().state == "open"
    with django_capture_on_commit_callbacks(execute=True):
        ok = _client(people["binh"]).post(f"{QUEUE}{r.pk}/", {
            "decision": "refuse", "answer": "Hồ sơ phải lưu trữ theo quy định về lưu trữ."})
    assert ok.status_code == 302 and _snapshot(dossier) == before
    assert CorrectionRequest.objects.get().state == "refused"
    assert "Hồ sơ phải lưu trữ" in an.get("/cong-dan/du-lieu-ca-nhan/").content.decode()


@pytest.mark.parametrize("values", [
    {"kind": "correction", "reason": "x"},
    {"kind": "erase-everything", "reason": "x"},
    {"kind": "objection", "reason": ""},
])
def test_bad_data_right_requests_are_refused_and_record_nothing(dossier, people, values):
    response = _client(people["an"]).post(RIGHTS, {"dossier": dossier.public_id, **values})
    assert response.status_code == 400 and 'class="error"' in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_a_data_right_request_about_another_persons_dossier_is_refused(dossier, people):
    from motcua.accounts.services import create_citizen

    chi = create_citizen(username="chi@example.vn", full_name="Lê Thị Chi", email="chi@example.vn")
    assert Client().get(RIGHTS).status_code == 302
    response = _client(chi).post(RIGHTS, {"dossier": dossier.public_id, "kind": "objection", "reason": "x"})
    assert response.status_code == 400 and not CorrectionRequest.objects.exists()
