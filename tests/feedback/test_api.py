"""The feedback API as anonymous, as the sender with the receipt's secret, as the agency's officers, as an
officer of another agency (404) and as the inspector (reads, never writes); each error status; the OpenAPI
document; and a whole flow from submission to publication through the API alone."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.feedback import actions
from motcua.feedback.choices import Status
from motcua.feedback.models import FeedbackItem

from .conftest import GOOD_REVIEW

BASE = "/api/v1/feedback"
# Planted personal data: none of it may ever appear in a public answer.
PLANTED = {"name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.com",
           "id_number": "001085012345", "address": "số 12 đường Trần Phú, Đà Lạt"}
SUBMISSION = {"title": "Thời hạn cấp giấy phép xây dựng quá dài", "agency_code": "T.SXD",
              "content": "Quy định yêu cầu nộp bản vẽ hai lần là không cần thiết, đề nghị xem xét. Liên hệ "
                         "0912345678, CCCD 001085012345.", **PLANTED}


@pytest.fixture(autouse=True)
def _fresh_limits(settings):  # type: ignore[no-untyped-def]
    settings.MOTCUA_FEEDBACK_RATE_LIMIT = 1000
    cache.clear()
    yield
    cache.clear()


def post(path: str, body: Any, token: str = "", client: Client | None = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return (client or Client()).post(path, data, content_type="application/json", **headers)


def get(path: str, token: str = "") -> Any:
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    return Client().get(path, **headers)


def submitted(**extra: Any) -> dict[str, Any]:
    response = post(BASE, {**SUBMISSION, **extra})
    assert response.status_code == 201, response.content
    return response.json()


# --- submission ----------------------------------------------------------------------------------------------

def test_anyone_submits_and_gets_a_code_a_tracking_address_and_the_deadlines(people):
    body = submitted()
    item = FeedbackItem.objects.get(code=body["code"])
    assert body["code"].startswith("T.SXD-PA") and item.channel == "api" and item.sender_account is None
    assert body["status"] == Status.RECEIVED
    assert f"ma={item.code}" in body["tracking_url"] and f"khoa={item.secret}" in body["tracking_url"]
    assert body["secret"] == item.secret
    deadlines = body["deadlines"]
    assert deadlines["reject_due"] < deadlines["forward_due"] < deadlines["answer_due"]
    assert deadlines["publish_due"] is None


@pytest.mark.parametrize("change,field", [
    ({"title": ""}, "title"),
    ({"content": "ngắn"}, "content"),
    ({"kind": "petition"}, "proposal"),
    ({"agency_code": "KHONG.CO"}, "agency_code"),
    ({"id_number": "12345"}, "id_number"),
    ({"lat": 95.0, "long": 10.0}, "lat"),
    ({"topic": "conduct", "name": "", "phone": "", "email": "", "address": ""}, "name"),
])
def test_bad_submissions_are_400_naming_the_field_and_change_nothing(people, change, field):
    response = post(BASE, {**SUBMISSION, **change})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["details"]["field"] == field and error["message"]
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize("body", [
    {**SUBMISSION, "title": "a" * 301},
    {**SUBMISSION, "content": "Nội dung có ký tự \x00 rỗng ở giữa câu."},
    {"content": "thiếu tiêu đề nhưng đủ dài"},
    "không phải JSON",
])
def test_malformed_submissions_are_400(people, body):
    response = post(BASE, body)
    assert response.status_code == 400
    assert response.json()["error"]["message"]  # a body that is not JSON: ninja's own 400, in our format
    assert not FeedbackItem.objects.exists()


def test_the_message_is_in_the_callers_language(people):
    vi = Client().post(BASE, json.dumps({**SUBMISSION, "kind": "petition"}), content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="vi")
    en = Client().post(BASE, json.dumps({**SUBMISSION, "kind": "petition"}), content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["error"]["message"] == "A petition proposes a solution: write it."
    assert vi.status_code == 400 and vi.json()["error"]["message"]


def test_submissions_are_rate_limited_per_client(people, settings):
    settings.MOTCUA_FEEDBACK_RATE_LIMIT = 2
    assert post(BASE, SUBMISSION).status_code == 201
    assert post(BASE, SUBMISSION).status_code == 201
    third = post(BASE, SUBMISSION)
    assert third.status_code == 429 and third.json()["error"]["code"] == "throttled"
    assert FeedbackItem.objects.count() == 2
    # Another client (another address) is not held back by the first.
    other = Client(REMOTE_ADDR="10.0.0.9").post(BASE, json.dumps(SUBMISSION), content_type="application/json")
    assert other.status_code == 201


# --- the role matrix on the staff endpoints ------------------------------------------------------------------

def test_anonymous_gets_401_on_staff_endpoints(received):
    assert get(BASE).status_code == 401
    assert get(f"{BASE}/{received.code}").status_code == 401
    response = post(f"{BASE}/{received.code}/actions/classify", {})
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_a_citizen_is_not_staff(received, token_for):
    refused = Client().get(BASE, HTTP_AUTHORIZATION=token_for("an"), HTTP_ACCEPT_LANGUAGE="vi")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Chỉ cán bộ mới được tra cứu phản ánh, kiến nghị."
    assert get(f"{BASE}/{received.code}", token_for("an")).status_code == 404
    assert post(f"{BASE}/{received.code}/actions/classify", {}, token_for("an")).status_code == 404


def test_the_agencys_officer_lists_and_reads_with_the_senders_data(received, token_for):
    listing = get(BASE, token_for("binh")).json()
    assert listing["count"] == 1 and listing["items"][0]["code"] == received.code
    sender = listing["items"][0]["sender"]
    assert sender["phone"] == PLANTED["phone"] and sender["id_number"] == PLANTED["id_number"]
    assert sender["masked"] is False
    detail = get(f"{BASE}/{received.code}", token_for("binh")).json()
    assert detail["sender"]["address"] == PLANTED["address"]
    assert {"classify", "forward", "reject", "merge", "mark-spam"} <= set(detail["actions"])
    assert [s["step"] for s in detail["steps"]] == ["answer"] and detail["steps"][0]["met"] is None
    assert detail["history"][0]["kind"] == "received" and detail["attachments"] == []
    assert detail["on_time"] is True


def test_an_officer_of_another_agency_sees_nothing(received, token_for):
    listing = get(BASE, token_for("khanh"))
    assert listing.status_code == 200 and listing.json()["count"] == 0
    assert get(f"{BASE}/{received.code}", token_for("khanh")).status_code == 404
    response = post(f"{BASE}/{received.code}/actions/classify", {}, token_for("khanh"))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert FeedbackItem.objects.get(pk=received.pk).status == Status.RECEIVED


def test_the_inspector_reads_with_the_sender_masked(received, token_for):
    listing = get(f"{BASE}?view=all", token_for("thanh")).json()
    assert [i["code"] for i in listing["items"]] == [received.code]
    sender = listing["items"][0]["sender"]
    assert sender["masked"] is True and PLANTED["phone"] not in json.dumps(listing)
    assert PLANTED["id_number"] not in json.dumps(listing) and "Trần Phú" not in json.dumps(listing)
    detail = get(f"{BASE}/{received.code}", token_for("thanh")).json()
    assert detail["actions"] == [] and detail["sender"]["masked"] is True


@pytest.mark.parametrize("slug", sorted(actions.ACTIONS))
def test_the_inspector_may_take_no_action(received, token_for, slug):
    response = post(f"{BASE}/{received.code}/actions/{slug}", {}, token_for("thanh"))
    assert response.status_code == 403, (slug, response.content)
    assert response.json()["error"]["code"] == "forbidden"
    assert FeedbackItem.objects.get(pk=received.pk).status == Status.RECEIVED


def test_filters_and_views(received, people, token_for, org):
    token = token_for("binh")
    assert get(f"{BASE}?view=unclassified", token).json()["count"] == 1
    assert get(f"{BASE}?view=closed", token).json()["count"] == 0
    assert get(f"{BASE}?q={received.code}", token).json()["count"] == 1
    assert get(f"{BASE}?q=giay phep", token).json()["count"] == 0  # folded search is for published texts
    assert get(f"{BASE}?q=giấy phép", token).json()["count"] == 1
    assert get(f"{BASE}?topic=conduct", token).json()["count"] == 0
    assert get(f"{BASE}?status=received&agency_id={org['sxd'].pk}", token).json()["count"] == 1
    assert get(f"{BASE}?division_id={org['division'].pk}", token).json()["count"] == 0
    assert get(f"{BASE}?limit=1&offset=1", token).json() == {"count": 1, "items": []}
    for bad in ("view=nope", "status=nope", "limit=0", "limit=101", "offset=-1", "agency_id=abc"):
        response = get(f"{BASE}?{bad}", token)
        assert response.status_code == 400, bad
        assert "error" in response.json()


# --- actions: each error status ------------------------------------------------------------------------------

def test_action_errors(received, people, token_for):
    path = f"{BASE}/{received.code}/actions"
    unknown = post(f"{path}/fly", {}, token_for("binh"))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert post(f"{BASE}/T.SXD-PA26-99999/actions/classify", {}, token_for("binh")).status_code == 404
    assert post(f"{path}/classify", {}, token_for("cuong")).status_code == 403  # a specialist does not route
    wrong = post(f"{path}/publish", {}, token_for("giang"))
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "wrong_status"
    bad = post(f"{path}/classify", {"assignee_id": people["khanh"].pk}, token_for("binh"))
    assert bad.status_code == 400 and bad.json()["error"]["details"]["field"] == "assignee"
    assert post(f"{path}/classify", {"division_id": "abc"}, token_for("binh")).status_code == 400
    assert post(f"{path}/classify", "[1, 2]", token_for("binh")).status_code == 400
    assert post(f"{path}/classify", "{not json", token_for("binh")).status_code == 400
    assert post(f"{path}/reject", {"reason": "x"}, token_for("binh")).status_code == 400
    assert FeedbackItem.objects.get(pk=received.pk).status == Status.RECEIVED
    done = post(f"{path}/classify", {"assignee_id": people["cuong"].pk}, token_for("binh"))
    assert done.status_code == 200 and done.json()["status"] == Status.HANDLING
    assert done.json()["assignee"]["id"] == people["cuong"].pk


def test_a_session_write_needs_the_csrf_token(received, people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["binh"])
    assert post(f"{BASE}/{received.code}/actions/classify", {}, client=client).status_code == 403
    assert FeedbackItem.objects.get(pk=received.pk).status == Status.RECEIVED


# --- the OpenAPI document ------------------------------------------------------------------------------------

def test_the_openapi_document_has_one_operation_per_action(db):
    doc = Client().get("/api/v1/openapi.json").json()
    for slug, action in actions.ACTIONS.items():
        operation = doc["paths"][f"{BASE}/{{code}}/actions/{slug}"]["post"]
        assert {"200", "400", "401", "403", "404", "409"} <= set(operation["responses"]), slug
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        assert set(schema.get("properties", {})) == set(action.schema.model_fields), slug
    assert f"{BASE}/{{code}}/actions/{{slug}}" not in doc["paths"]
    for path, method in [(BASE, "get"), (BASE, "post"), (f"{BASE}/{{code}}", "get"), (f"{BASE}/public", "get"),
                         (f"{BASE}/public/{{code}}", "get"), (f"{BASE}/track/{{code}}", "get"),
                         (f"{BASE}/track/{{code}}/react", "post"), (f"{BASE}/track/{{code}}/info", "post"),
                         (f"{BASE}/track/{{code}}/follow-up", "post")]:
        responses = doc["paths"][path][method]["responses"]
        assert "400" in responses and "404" in responses, (method, path)
    assert "429" in doc["paths"][BASE]["post"]["responses"]
    assert doc["paths"][BASE]["post"].get("security") in (None, [])


# --- the sender ----------------------------------------------------------------------------------------------

def test_the_sender_tracks_with_the_secret_only(people, settings):
    body = submitted()
    code, secret = body["code"], body["secret"]
    mine = get(f"{BASE}/track/{code}?secret={secret}")
    assert mine.status_code == 200 and mine.json()["title"] == SUBMISSION["title"]
    assert mine.json()["may_react"] is False and mine.json()["answer"] == ""
    wrong = get(f"{BASE}/track/{code}?secret=sai")
    unknown = get(f"{BASE}/track/T.SXD-PA26-99999?secret={secret}")
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()  # the same answer: codes cannot be probed
    assert get(f"{BASE}/track/{code}").status_code == 404
    early = post(f"{BASE}/track/{code}/react", {"secret": secret, "reaction": "satisfied"})
    assert early.status_code == 409
    assert post(f"{BASE}/track/{code}/info", {"secret": secret, "text": "Đây"}).status_code == 409
    assert post(f"{BASE}/track/{code}/follow-up", {"secret": "sai", "content": "Chưa thoả đáng"}).status_code == 404
    settings.MOTCUA_TRACKING_RATE_LIMIT = 1
    cache.clear()
    assert get(f"{BASE}/track/{code}?secret={secret}").status_code == 200
    assert get(f"{BASE}/track/{code}?secret={secret}").status_code == 429


def test_the_sender_gives_the_information_asked_for(people, token_for):
    body = submitted()
    code, secret = body["code"], body["secret"]
    assert post(f"{BASE}/{code}/actions/classify", {"assignee_id": people["cuong"].pk},
                token_for("binh")).status_code == 200
    asked = post(f"{BASE}/{code}/actions/request-info", {"message": "Cho biết số hồ sơ đã nộp."}, token_for("cuong"))
    assert asked.status_code == 200 and asked.json()["status"] == Status.INFO_REQUESTED
    mine = get(f"{BASE}/track/{code}?secret={secret}").json()
    assert mine["may_provide_info"] and mine["info_request"] == "Cho biết số hồ sơ đã nộp."
    given = post(f"{BASE}/track/{code}/info", {"secret": secret, "text": "Hồ sơ số T.SXD-260310-0001"})
    assert given.status_code == 200 and given.json()["status"] == Status.HANDLING
    steps = get(f"{BASE}/{code}", token_for("cuong")).json()["steps"]
    assert {s["step"]: s["met"] for s in steps}["info"] is True


# --- the whole flow, and the public endpoints ----------------------------------------------------------------

def _public_text() -> str:
    listing = get(f"{BASE}/public")
    assert listing.status_code == 200
    return listing.content.decode()


def test_from_submission_to_publication_through_the_api(people, token_for):
    body = submitted()
    code, secret = body["code"], body["secret"]
    path = f"{BASE}/{code}/actions"

    def act(slug: str, who: str, data: dict[str, Any]) -> dict[str, Any]:
        response = post(f"{path}/{slug}", data, token_for(who))
        assert response.status_code == 200, (slug, response.content)
        return response.json()

    act("classify", "binh", {"assignee_id": people["cuong"].pk})
    partial = {k: v for k, v in GOOD_REVIEW.items() if k != "treaties"}
    incomplete = post(f"{path}/draft-answer", {"answer": "Sở đã xem xét kiến nghị của ông về bản vẽ.",
                                                "review": partial}, token_for("cuong"))
    assert incomplete.status_code == 400 and incomplete.json()["error"]["code"] == "review_incomplete"
    act("draft-answer", "cuong", {"answer": "Sở Xây dựng đã xem xét và sẽ kiến nghị sửa đổi quy định về số lượng "
                                            "bản vẽ. Cảm ơn ông Nguyễn Văn An (SĐT 0912345678, CCCD 001085012345).",
                                  "review": GOOD_REVIEW})
    assert _public_text().count(code) == 0
    act("review-answer", "dung", {"accept": True})
    approved = act("approve-answer", "giang", {"accept": True})
    assert approved["status"] == Status.APPROVED and approved["publish_due"]
    assert "publish" in approved["actions"] and "edit-publication" in approved["actions"]
    assert get(f"{BASE}/public/{code}").status_code == 404  # approved is not yet published
    leak = post(f"{path}/edit-publication", {"title": "Về bản vẽ", "content": "Câu hỏi về bản vẽ",
                                             "answer": "Trả lời ông, số điện thoại 0912 345 678."}, token_for("giang"))
    assert leak.status_code == 400 and leak.json()["error"]["code"] == "personal_data"
    published = act("publish", "giang", {"channels": "Cổng thông tin điện tử của Sở"})
    assert published["status"] == Status.PUBLISHED
    assert [s["met"] for s in published["steps"]] == [True, True]
    assert [h["kind"] for h in published["history"]] == ["received", "classified", "drafted", "reviewed",
                                                          "approved", "sent", "published"]

    # The public: the answer, never the sender.
    listing = get(f"{BASE}/public?q=giay phep xay dung").json()
    assert [i["code"] for i in listing["items"]] == [code] and listing["count"] == 1
    one = get(f"{BASE}/public/{code}")
    assert one.status_code == 200 and "bản vẽ" in one.json()["answer"]
    assert set(one.json()) == set(PublicAnswerKeys)
    for text in (json.dumps(listing, ensure_ascii=False), one.content.decode()):
        for planted in (*PLANTED.values(), "0912 345 678", "Trần Phú"):
            assert planted not in text, planted
    assert get(f"{BASE}/public?year=2001").json()["count"] == 0

    # The sender reads the answer, reacts once, follows up as a new linked item.
    mine = get(f"{BASE}/track/{code}?secret={secret}").json()
    assert mine["answer"] and mine["may_react"]
    reacted = post(f"{BASE}/track/{code}/react", {"secret": secret, "reaction": "dissatisfied"})
    assert reacted.status_code == 200 and reacted.json()["reaction"] == "dissatisfied"
    again = post(f"{BASE}/track/{code}/react", {"secret": secret, "reaction": "satisfied"})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reacted"
    bad = post(f"{BASE}/track/{code}/react", {"secret": secret, "reaction": "meh"})
    assert bad.status_code in (400, 409)
    followed = post(f"{BASE}/track/{code}/follow-up", {"secret": secret, "content": "Câu trả lời chưa nêu thời hạn "
                                                                                    "sửa đổi quy định."})
    assert followed.status_code == 201
    new = FeedbackItem.objects.get(code=followed.json()["code"])
    assert new.follow_up_of.code == code and new.secret == followed.json()["secret"]
    assert get(f"{BASE}/{new.code}", token_for("binh")).json()["follow_up_of"] == code

    # Spam is hidden from the public without being deleted.
    act("mark-spam", "giang", {"reason": "Thử ẩn"})
    assert get(f"{BASE}/public/{code}").status_code == 404 and get(f"{BASE}/public").json()["count"] == 0
    assert get(f"{BASE}?view=spam", token_for("binh")).json()["count"] == 1


PublicAnswerKeys = ("code", "agency", "field", "kind", "title", "question", "answer", "received_at",
                    "published_at")


def test_a_conduct_item_is_never_public(people, token_for):
    body = submitted(topic="conduct")
    code = body["code"]
    for slug, who, data in [("classify", "binh", {"assignee_id": people["cuong"].pk}),
                            ("draft-answer", "cuong", {"answer": "Sở đã kiểm tra và nhắc nhở cán bộ tiếp nhận."}),
                            ("review-answer", "dung", {}), ("approve-answer", "giang", {}), ("publish", "giang", {})]:
        assert post(f"{BASE}/{code}/actions/{slug}", data, token_for(who)).status_code == 200, slug
    assert get(f"{BASE}/public").json()["count"] == 0
    assert get(f"{BASE}/public/{code}").status_code == 404
    finding = post(f"{BASE}/{code}/actions/decide-finding", {"finding": "substantiated", "note": "Có căn cứ rõ"},
                   token_for("giang"))
    assert finding.status_code == 200 and finding.json()["finding"] == "substantiated"


def test_public_endpoints_need_no_sign_in_and_check_their_input(db):
    assert get(f"{BASE}/public").json() == {"count": 0, "items": []}
    assert get(f"{BASE}/public?year=1999").status_code == 400
    assert get(f"{BASE}/public?limit=1000").status_code == 400
    assert get(f"{BASE}/public/KHONG-CO").json()["error"]["code"] == "not_found"


def test_a_secret_with_non_ascii_characters_is_a_404_not_a_500(people):
    # compare_digest raised TypeError on a str with non-ASCII characters (found by the generated requests).
    code = submitted()["code"]
    assert get(f"{BASE}/track/{code}?secret=khóa").status_code == 404
    assert post(f"{BASE}/track/{code}/react", {"secret": "khóa", "reaction": "satisfied"}).status_code == 404


def test_a_submission_with_files_in_multipart(people, token_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.dossiers.conftest import EXE, PDF

    def send(**parts: Any) -> Any:
        return Client().post(BASE, {"data": json.dumps(SUBMISSION), **parts})

    refused = send(files=[SimpleUploadedFile("anh.pdf", PDF), SimpleUploadedFile("virus.pdf", EXE)])
    assert refused.status_code == 400 and not FeedbackItem.objects.exists()
    assert send(photo=SimpleUploadedFile("anh.pdf", PDF)).status_code == 400
    too_many = send(files=[SimpleUploadedFile(f"{n}.pdf", PDF) for n in range(6)])
    assert too_many.status_code == 400 and not FeedbackItem.objects.exists()
    assert Client().post(BASE, {"data": "{"}).status_code == 400
    sent = send(files=[SimpleUploadedFile("ban-ve.pdf", PDF)])
    assert sent.status_code == 201, sent.content
    detail = get(f"{BASE}/{sent.json()['code']}", token_for("binh")).json()
    assert [(a["name"], a["content_type"], a["public"]) for a in detail["attachments"]] == [
        ("ban-ve.pdf", "application/pdf", False)]


def test_a_nul_character_in_an_action_is_a_400(received, token_for):
    # PostgreSQL refuses NUL in text: without the check this was a 500 there.
    response = post(f"{BASE}/{received.code}/actions/reject", {"reason": "Không đúng\x00 thẩm quyền"},
                    token_for("binh"))
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_input"
    assert FeedbackItem.objects.get(pk=received.pk).status == Status.RECEIVED


@pytest.mark.parametrize("path", [f"{BASE}/public/a%00b", f"{BASE}/track/a%00b?secret=x", f"{BASE}/public?q=a%00b",
                                  f"{BASE}/a%00b", f"{BASE}?q=a%00b"])
def test_a_nul_character_in_a_path_or_query_is_a_400(people, token_for, path):
    # A 500 on PostgreSQL before (its text cannot hold NUL).
    response = get(path, token_for("binh"))
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_input"
