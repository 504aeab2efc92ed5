"""The staff pages of feedback (/phan-anh/can-bo/): the role matrix, each action's form (a happy path and a
bad input that changes nothing), the redaction step and the register entry."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.utils import timezone

from motcua.feedback import actions, services
from motcua.feedback.choices import Status, Topic
from motcua.feedback.models import FeedbackEvent, FeedbackItem

from .conftest import answer_it, regulation

QUEUE = "/phan-anh/can-bo/"
ENTRY = "/phan-anh/can-bo/nhap/"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
       b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def page(item: FeedbackItem, slug: str = "") -> str:
    return f"/phan-anh/can-bo/{item.code}/" + (f"{slug}/" if slug else "")


def snapshot(item: FeedbackItem) -> tuple:  # type: ignore[type-arg]
    item.refresh_from_db()
    return (item.status, item.assignee_id, item.division_id, item.answer, item.public_answer, item.reason,
            item.hidden, item.events.count())


# --- the role matrix -------------------------------------------------------------------------------------------

def test_anonymous_is_sent_to_sign_in(client, received):
    for url in (QUEUE, ENTRY, page(received), page(received, "classify")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_a_citizen_gets_403(client_for, received):
    client = client_for("an")
    for url in (QUEUE, ENTRY, page(received)):
        assert client.get(url).status_code == 403


def test_an_officer_of_another_agency_gets_404_on_the_item_and_sees_none_in_the_queue(client_for, received):
    client = client_for("khanh")
    assert client.get(page(received)).status_code == 404
    assert client.get(page(received, "classify")).status_code == 404
    assert client.post(page(received, "classify"), {"topic": "regulation", "kind": "feedback"}).status_code == 404
    response = client.get(QUEUE + "?xem=all")
    assert response.status_code == 200 and received.code not in response.content.decode()
    assert client.get(ENTRY).status_code == 403  # a specialist does not enter feedback


def test_the_agency_officers_see_the_queue_and_the_item_with_the_sender(client_for, received):
    response = client_for("binh").get(QUEUE)
    body = response.content.decode()
    assert response.status_code == 200 and received.code in body
    assert "N***" in body and "Nguyễn Văn An" not in body  # the sender is masked in the list
    detail = client_for("cuong").get(page(received)).content.decode()
    assert "Nguyễn Văn An" in detail and "0912345678" in detail
    assert f"/phan-anh/can-bo/{received.code}/classify/" not in detail  # a specialist does not route


def test_the_inspector_reads_everything_and_may_do_nothing(client_for, received):
    client = client_for("thanh")
    assert received.code in client.get(QUEUE).content.decode()
    body = client.get(page(received)).content.decode()
    assert "/classify/" not in body and 'id="sec-actions"' not in body
    # The sender's identity and the receipt's secret are for the agency's own officers, not a tree-wide reader.
    assert "Nguyễn Văn An" not in body and "0912345678" not in body and received.secret not in body
    assert client.get(page(received) + "?phieu=1").status_code == 404
    before = snapshot(received)
    for slug in actions.ACTIONS:
        assert client.post(page(received, slug), {"reason": "Lý do đủ dài", "topic": "regulation"}).status_code == 403
    assert client.get(ENTRY).status_code == 403
    assert snapshot(received) == before


def test_the_queue_tabs_count_and_filter(client_for, received, org, people):
    other = services.submit(regulation(agency=org["sxd"], title="Phí thẩm định quá cao", topic=Topic.CONDUCT,
                                       dossier_code=""), channel="web")
    client = client_for("giang")
    body = client.get(QUEUE + "?xem=unclassified").content.decode()
    assert received.code in body and other.code in body
    body = client.get(QUEUE + "?xem=all&topic=conduct").content.decode()
    assert other.code in body and received.code not in body
    body = client.get(QUEUE + "?xem=all&q=ph%C3%AD+th%E1%BA%A9m").content.decode()
    assert other.code in body and received.code not in body
    assert client.get(QUEUE + "?xem=nonsense&page=x").status_code == 200
    # The answer date with the badge that names it.
    FeedbackItem.objects.filter(pk=received.pk).update(answer_due=timezone.now() - dt.timedelta(hours=1))
    body = client.get(QUEUE + "?xem=overdue").content.decode()
    assert received.code in body and "flag-overdue" in body and other.code not in body


def test_the_navigation_links_the_queue_for_staff_only(client_for):
    assert 'href="/phan-anh/can-bo/"' in client_for("binh").get("/").content.decode()
    assert 'href="/phan-anh/can-bo/"' not in client_for("an").get("/").content.decode()


# --- the register entry ----------------------------------------------------------------------------------------

def _entry_data(**extra):  # type: ignore[no-untyped-def]
    came = timezone.localtime() - dt.timedelta(days=3)
    data = {"channel": "letter", "received_at": came.strftime("%Y-%m-%dT%H:%M"),
            "topic": "regulation", "kind": "feedback", "title": "Thư phản ánh về thời hạn cấp phép",
            "content": "Thời hạn cấp giấy phép xây dựng quá dài so với quy định.", "name": "Trần Văn Bưu",
            "address": "Thôn 3, xã Đạ Tẻh"}
    data.update(extra)
    return data


def test_the_desk_enters_a_letter_with_the_day_it_came_and_a_scan(client_for, org):
    data = _entry_data(scans=SimpleUploadedFile("thu.png", PNG, content_type="image/png"))
    response = client_for("binh").post(ENTRY, data)
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert response["Location"].startswith(f"/phan-anh/can-bo/{item.code}/")
    assert item.channel == "letter" and item.agency == org["sxd"] and item.received_by.username == "binh"
    assert timezone.localdate(item.received_at) == timezone.localdate() - dt.timedelta(days=3)
    body = client_for("binh").get(page(item)).content.decode()
    assert 'id="sec-receipt"' in body and item.code in body
    attachment = item.attachments.get()
    file_url = f"/phan-anh/can-bo/{item.code}/tep/{attachment.pk}/"
    assert file_url in body
    served = client_for("cuong").get(file_url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
    assert client_for("khanh").get(file_url).status_code == 404
    printed = client_for("binh").get(page(item) + "?phieu=1").content.decode()
    assert "Phiếu" in printed or "Receipt" in printed


def test_the_register_refuses_a_day_in_the_future(client_for):
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_for("binh").post(ENTRY, _entry_data(received_at=future))
    assert response.status_code == 400
    assert "tương lai" in response.content.decode()
    assert not FeedbackItem.objects.exists()


def test_the_register_shows_the_services_refusal_next_to_the_field(client_for):
    response = client_for("binh").post(ENTRY, _entry_data(kind="petition", proposal=""))
    assert response.status_code == 400 and not FeedbackItem.objects.exists()
    assert 'id="id_proposal_error"' in response.content.decode()


# --- the actions -----------------------------------------------------------------------------------------------

def test_classify_routes_to_a_division_and_officer_and_refuses_another_agencys(client_for, received, org, people):
    client = client_for("binh")
    form = client.get(page(received, "classify")).content.decode()
    assert "Phòng Quản lý hoạt động xây dựng" in form and "Lê Văn Cường" in form and "Phòng Đất đai" not in form
    before = snapshot(received)
    bad = client.post(page(received, "classify"), {"topic": "regulation", "kind": "feedback",
                                                   "division": org["other_division"].pk})
    assert bad.status_code == 400 and snapshot(received) == before
    ok = client.post(page(received, "classify"), {"topic": "regulation", "kind": "feedback",
                                                  "division": org["division"].pk, "assignee": people["cuong"].pk})
    assert ok.status_code == 302
    received.refresh_from_db()
    assert received.status == Status.HANDLING and received.assignee == people["cuong"]
    # Reassign.
    before = snapshot(received)
    assert client.post(page(received, "assign"), {}).status_code == 400 and snapshot(received) == before
    assert client.post(page(received, "assign"), {"assignee": people["dung"].pk}).status_code == 302
    received.refresh_from_db()
    assert received.assignee == people["dung"]


def test_an_action_not_open_now_says_so(client_for, received):
    response = client_for("giang").get(page(received, "publish"))
    assert response.status_code == 409
    assert client_for("giang").post(page(received, "publish"), {"channels": ["website"]}).status_code == 409
    assert client_for("giang").get(page(received, "no-such-action")).status_code == 404


@pytest.mark.parametrize(("slug", "bad", "good", "status"), [
    ("reject", {"reason": ""}, {"reason": "Nội dung là khiếu nại, theo Luật Khiếu nại."}, Status.REJECTED),
    ("forward", {"reason": "Thuộc thẩm quyền Sở khác"}, {"to_name": "Sở Tài chính",
                                                         "reason": "Thuộc thẩm quyền Sở Tài chính"}, Status.FORWARDED),
])
def test_routing_actions(client_for, received, slug, bad, good, status):
    client = client_for("binh")
    before = snapshot(received)
    assert client.post(page(received, slug), bad).status_code == 400
    assert snapshot(received) == before
    assert client.post(page(received, slug), good).status_code == 302
    received.refresh_from_db()
    assert received.status == status


def test_merge_needs_another_item_of_the_agency(client_for, received, org):
    earlier = services.submit(regulation(agency=org["sxd"]), channel="web")
    client = client_for("binh")
    before = snapshot(received)
    response = client.post(page(received, "merge"), {"into_code": "KHONG-CO"})
    assert response.status_code == 400 and 'id="id_into_code_error"' in response.content.decode()
    assert snapshot(received) == before
    assert client.post(page(received, "merge"), {"into_code": earlier.code}).status_code == 302
    received.refresh_from_db()
    assert received.status == Status.MERGED and received.duplicate_of == earlier


def test_spam_hides_and_unhides(client_for, received):
    client = client_for("binh")
    assert client.post(page(received, "mark-spam"), {"reason": "Quảng cáo"}).status_code == 302
    received.refresh_from_db()
    assert received.hidden
    assert client.post(page(received, "mark-spam"), {}).status_code == 409  # not offered any more
    assert client.post(page(received, "unmark-spam"), {}).status_code == 302
    received.refresh_from_db()
    assert not received.hidden


def test_request_info_and_extend(client_for, received, people):
    services.classify(received, people["binh"], assignee_id=people["cuong"].pk)
    client = client_for("cuong")
    before = snapshot(received)
    assert client.post(page(received, "request-info"), {"message": ""}).status_code == 400
    assert snapshot(received) == before
    assert client.post(page(received, "request-info"), {"message": "Xin gửi bản chụp văn bản đã nhận."}
                       ).status_code == 302
    received.refresh_from_db()
    assert received.status == Status.INFO_REQUESTED
    leader = client_for("giang")
    assert leader.post(page(received, "extend"), {"reason": ""}).status_code == 400
    assert leader.post(page(received, "extend"), {"reason": "Chờ ý kiến của Bộ Xây dựng"}).status_code == 302
    received.refresh_from_db()
    assert received.extended_at is not None


def test_the_draft_form_has_the_six_criteria_and_templates(client_for, received, people):
    services.classify(received, people["binh"], assignee_id=people["cuong"].pk)
    client = client_for("cuong")
    form = client.get(page(received, "draft-answer")).content.decode()
    for name in ("necessity", "reasonableness", "simplicity", "feasibility", "consistency", "treaties"):
        assert f'name="{name}_verdict"' in form and f'name="{name}_note"' in form
    assert 'name="mau"' in form
    filled = client.get(page(received, "draft-answer") + "?mau=quy-dinh-tiep-thu").content.decode()
    assert received.code in filled.split('name="answer"')[1].split("</textarea>")[0]
    before = snapshot(received)
    answer = "Sở Xây dựng đã xem xét và sẽ kiến nghị sửa đổi quy định về số lượng bản vẽ."
    data = {"answer": answer, **{f"{c}_verdict": "met" for c in (
        "necessity", "reasonableness", "simplicity", "feasibility", "consistency")}}
    response = client.post(page(received, "draft-answer"), data)  # the sixth criterion missing
    assert response.status_code == 400 and 'id="id_treaties_verdict_error"' in response.content.decode()
    assert snapshot(received) == before
    data["treaties_verdict"] = "not_applicable"
    data["necessity_note"] = "Cần thiết"
    assert client.post(page(received, "draft-answer"), data).status_code == 302
    received.refresh_from_db()
    assert received.status == Status.ANSWER_DRAFTED and received.review["treaties"]["verdict"] == "not_applicable"
    assert received.review["necessity"]["note"] == "Cần thiết"


def test_review_and_approval_send_back_with_a_note_or_pass_on(client_for, received, people):
    from .conftest import GOOD_REVIEW

    services.classify(received, people["binh"], assignee_id=people["cuong"].pk)
    services.draft_answer(received, people["cuong"], answer="Một câu trả lời đủ dài cho người gửi.",
                          review=GOOD_REVIEW)
    head = client_for("dung")
    before = snapshot(received)
    assert head.post(page(received, "review-answer"), {"accept": "no", "note": ""}).status_code == 400
    assert snapshot(received) == before
    assert head.post(page(received, "review-answer"), {"accept": "yes"}).status_code == 302
    received.refresh_from_db()
    assert received.status == Status.ANSWER_REVIEWED
    assert client_for("giang").post(page(received, "approve-answer"), {"accept": "yes"}).status_code == 302
    received.refresh_from_db()
    assert received.status == Status.APPROVED


def test_the_redaction_step_shows_what_was_found_and_refuses_a_leak(client_for, received, people):
    item = answer_it(received, people)
    leader = client_for("giang")
    form = leader.get(page(item, "edit-publication")).content.decode()
    assert "0912345678" in form  # in the list of what was found and the sender's original, for the approver
    assert "***" in form.split('name="answer"')[1].split("</textarea>")[0]
    before = snapshot(item)
    response = leader.post(page(item, "edit-publication"), {
        "title": item.public_title, "content": item.public_content,
        "answer": "Trả lời ông, số điện thoại 0912 345 678."})
    assert response.status_code == 400 and "0912 345 678" in response.content.decode()
    assert snapshot(item) == before
    ok = leader.post(page(item, "edit-publication"), {"title": "Về số lượng bản vẽ", "content": item.public_content,
                                                      "answer": "Sở sẽ kiến nghị sửa đổi quy định."})
    assert ok.status_code == 302
    item.refresh_from_db()
    assert item.public_answer == "Sở sẽ kiến nghị sửa đổi quy định." and item.status == Status.APPROVED
    assert leader.post(page(item, "publish"), {}).status_code == 400  # no means chosen
    assert leader.post(page(item, "publish"), {"channels": ["website", "letter"]}).status_code == 302
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED and item.published_at is not None


def test_a_conduct_item_gets_a_finding(client_for, org, people):
    item = services.submit(regulation(agency=org["sxd"], topic=Topic.CONDUCT), channel="web")
    item = services.classify(item, people["binh"], assignee_id=people["cuong"].pk)
    leader = client_for("giang")
    assert leader.post(page(item, "decide-finding"), {"finding": "maybe", "note": "Đã xác minh"}).status_code == 400
    assert leader.post(page(item, "decide-finding"), {"finding": "substantiated", "note": "Đã xác minh"}
                       ).status_code == 302
    item.refresh_from_db()
    assert item.finding == "substantiated"
    assert FeedbackEvent.objects.filter(item=item, kind="finding").count() == 1


def test_the_item_page_explains_each_time_limit(client_for, received):
    body = client_for("binh").get(page(received)).content.decode()
    assert 'id="sec-deadlines"' in body and "15" in body and 'id="sec-history"' in body


def test_english(client_for, received):
    client = client_for("binh")
    client.cookies["django_language"] = "en"
    body = client.get(QUEUE).content.decode()
    assert "Feedback and petitions" in body and "Everything open" in body


def test_the_item_page_names_the_days_off_each_limit_skipped(client_for, org, people):
    # Entered from the register with the day the letter came, just before Tết 2026 (17/02/2026): the 15 working
    # days skip the Tết holiday, and the page says which days were not counted.
    from zoneinfo import ZoneInfo

    came = dt.datetime(2026, 2, 12, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    item = services.submit(regulation(agency=org["sxd"], received_at=came), channel="letter", user=people["binh"])
    body = client_for("binh").get(page(item)).content.decode()
    deadlines_section = body.split('id="sec-deadlines"')[1].split("</section>")[0]
    assert "17/02" in deadlines_section and "18/02" in deadlines_section
    assert item.answer_due.date() > dt.date(2026, 3, 5)
