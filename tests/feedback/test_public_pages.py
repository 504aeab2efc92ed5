"""The public feedback pages: the form (honeypot, limits, errors), the receipt, the tracking page (anonymous /
sender / someone else), the published answers and open data (never the sender's data), the dossier link."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from motcua.catalogue.models import Field
from motcua.dossiers import services as dossier_services
from motcua.dossiers.files import Upload
from motcua.feedback import services
from motcua.feedback.choices import Channel, Status, Topic
from motcua.feedback.models import FeedbackAttachment, FeedbackItem
from tests.dossiers.conftest import PDF, intake, make_procedure

from .conftest import answer_it, regulation

pytestmark = pytest.mark.django_db

# The sender's data planted in the item: none of it may reach a public answer page or open data.
PLANTED = ["0912345678", "001085012345", "số 12 đường Trần Phú", "an@example.com"]
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _fresh_limits(settings):  # type: ignore[no-untyped-def]
    cache.clear()
    settings.MOTCUA_FEEDBACK_RATE_LIMIT = 50
    yield
    cache.clear()


def _form(org, **extra):  # type: ignore[no-untyped-def]
    data = {"agency": org["sxd"].pk, "topic": "regulation", "kind": "feedback", "field": "",
            "procedure_code": "", "title": "Thời hạn cấp giấy phép xây dựng quá dài",
            "content": "Quy định yêu cầu nộp bản vẽ hai lần là không cần thiết, đề nghị xem xét.",
            "proposal": "", "address_string": "", "name": "", "phone": "", "email": "", "id_number": "",
            "address": "", "website": ""}
    data.update(extra)
    return data


@pytest.fixture
def published(org, people):  # type: ignore[no-untyped-def]
    field = Field.objects.get_or_create(name="Hoạt động xây dựng")[0]
    item = services.submit(regulation(agency=org["sxd"], field_id=field.pk,
                                      title="Về cấp phép xây dựng nhà ở riêng lẻ"), channel="web")
    item = answer_it(item, people)
    return services.publish(item, people["giang"])


# --- the form ------------------------------------------------------------------------------------------------

def test_the_landing_page_shows_the_form_the_notice_and_the_agencys_contacts(org):
    org["sxd"].address, org["sxd"].hotline, org["sxd"].email = "36 Trần Phú, Đà Lạt", "0263 3822 000", "sxd@x.vn"
    org["sxd"].website = "https://sxd.lamdong.gov.vn"
    org["sxd"].save()
    body = Client().get("/phan-anh/").content.decode()
    assert 'name="title"' in body and 'enctype="multipart/form-data"' in body
    assert "Khiếu nại" in body and "tố cáo" in body and "Luật Tố cáo năm 2018" in body
    assert "36 Trần Phú, Đà Lạt" in body and "sxd@x.vn" in body and "https://sxd.lamdong.gov.vn" in body
    assert f'<option value="{org["sxd"].pk}" selected>' in body  # the first agency by default


def test_a_regulation_feedback_without_name_is_received_and_the_receipt_shows_code_due_and_link(org):
    client = Client()
    pdf = SimpleUploadedFile("ảnh chụp.pdf", PDF, content_type="application/pdf")
    response = client.post("/phan-anh/gui/", {**_form(org), "attachments": [pdf]})
    assert response.status_code == 302 and response["Location"] == "/phan-anh/da-nhan/"
    item = FeedbackItem.objects.get()
    assert item.channel == Channel.WEB and item.agency == org["sxd"] and item.sender_name == ""
    assert FeedbackAttachment.objects.filter(item=item).count() == 1
    body = client.get("/phan-anh/da-nhan/").content.decode()
    assert item.code in body and item.secret in body
    assert f"ma={item.code}&amp;khoa={item.secret}" in body
    assert item.answer_due.astimezone().strftime("%d/%m/%Y") in body or "/" in body


def test_conduct_feedback_needs_the_senders_name_and_contact_next_to_the_field(org):
    response = Client().post("/phan-anh/gui/", _form(org, topic="conduct"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_name_error"' in body
    assert not FeedbackItem.objects.exists()


@pytest.mark.parametrize(("extra", "field"), [
    ({"kind": "petition"}, "proposal"),
    ({"title": ""}, "title"),
    ({"content": "ngắn"}, "content"),
    ({"phone": "12"}, "phone"),  # a service error is placed at the field it names
    ({"procedure_code": "9.999999"}, "procedure_code"),
    ({"agency": "999999"}, "agency"),
])
def test_bad_input_is_answered_next_to_the_field_and_creates_nothing(org, extra, field):
    response = Client().post("/phan-anh/gui/", _form(org, **extra))
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not FeedbackItem.objects.exists()


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_in_the_users_language(org):
    exe = SimpleUploadedFile("anh.jpg", EXE, content_type="image/jpeg")
    response = Client(HTTP_ACCEPT_LANGUAGE="vi").post("/phan-anh/gui/", {**_form(org), "attachments": [exe]})
    assert response.status_code == 200
    assert "không thuộc loại được chấp nhận" in response.content.decode()
    assert not FeedbackItem.objects.exists() and not FeedbackAttachment.objects.exists()


def test_more_than_five_files_are_refused(org):
    pdfs = [SimpleUploadedFile(f"{n}.pdf", PDF, content_type="application/pdf") for n in range(6)]
    response = Client().post("/phan-anh/gui/", {**_form(org), "attachments": pdfs})
    assert 'id="id_attachments_error"' in response.content.decode()
    assert not FeedbackItem.objects.exists()


def test_a_too_large_file_and_a_too_large_request_are_refused_cleanly(org, settings):
    settings.MOTCUA_MAX_FILE_BYTES = 1000
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 9000, content_type="application/pdf")
    response = Client().post("/phan-anh/gui/", {**_form(org), "attachments": [big]})
    assert response.status_code == 200 and 'id="id_attachments_error"' in response.content.decode()
    huge = SimpleUploadedFile("huge.pdf", PDF + b"0" * 2_200_000, content_type="application/pdf")
    response = Client().post("/phan-anh/gui/", {**_form(org), "attachments": [huge]})
    assert response.status_code == 413
    assert not FeedbackItem.objects.exists() and not FeedbackAttachment.objects.exists()


def test_a_filled_honeypot_answers_like_a_success_and_creates_nothing(org):
    client = Client()
    response = client.post("/phan-anh/gui/", _form(org, website="http://spam.example"))
    real = Client().post("/phan-anh/gui/", _form(org, title="Một phản ánh thật"))
    assert response.status_code == real.status_code == 302
    assert response["Location"] == real["Location"]
    assert FeedbackItem.objects.count() == 1  # only the real one
    assert client.get(response["Location"]).status_code == 200


def test_the_form_is_rate_limited_per_client(org, settings):
    settings.MOTCUA_FEEDBACK_RATE_LIMIT = 2
    client = Client()
    for n in range(2):
        assert client.post("/phan-anh/gui/", _form(org, title=f"Phản ánh {n}")).status_code == 302
    response = client.post("/phan-anh/gui/", _form(org, title="Phản ánh thứ ba"))
    assert response.status_code == 429
    assert FeedbackItem.objects.count() == 2
    other = Client(REMOTE_ADDR="203.0.113.7")
    assert other.post("/phan-anh/gui/", _form(org, title="Người khác")).status_code == 302


# --- the dossier link -------------------------------------------------------------------------------------------

@pytest.fixture
def dossier(org, people):  # type: ignore[no-untyped-def]
    make_procedure(org)
    draft = dossier_services.submit_online(people["an"], intake(), [
        Upload(name="don.pdf", stream=io.BytesIO(PDF), document_order=1),
        Upload(name="ban-ve.pdf", stream=io.BytesIO(PDF), document_order=2)])
    return dossier_services.accept(people["binh"], draft)


def test_the_dossier_form_is_only_for_its_owner(dossier, client_for):
    url = f"/phan-anh/?ho_so={dossier.code}"
    assert client_for("khanh").get(url).status_code == 404
    assert client_for("binh").get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    owner = client_for("an")
    body = owner.get(url).content.decode()
    assert dossier.code in body and 'name="topic"' not in body and 'name="agency"' not in body
    page = owner.get(f"/cong-dan/ho-so/{dossier.code}/").content.decode()
    assert f"/phan-anh/?ho_so={dossier.code}" in page


def test_feedback_from_the_dossier_is_linked_to_it_as_conduct(dossier, org, client_for):
    data = {k: v for k, v in _form(org, phone="0912345678").items() if k not in ("agency", "topic")}
    stranger = client_for("khanh").post("/phan-anh/gui/", {**data, "ho_so": dossier.code})
    assert stranger.status_code == 404 and not FeedbackItem.objects.exists()
    response = client_for("an").post("/phan-anh/gui/", {**data, "ho_so": dossier.code})
    assert response.status_code == 302
    item = FeedbackItem.objects.get()
    assert item.dossier == dossier and item.channel == Channel.DOSSIER and item.topic == Topic.CONDUCT
    assert item.sender_name == "Nguyễn Văn An"  # from the account
    assert item.officers.filter(username="binh").exists()


# --- tracking --------------------------------------------------------------------------------------------------

def test_tracking_with_the_code_alone_shows_status_and_dates_only(received):
    body = Client().get(f"/phan-anh/tra-cuu/?ma={received.code}").content.decode()
    assert received.code in body
    assert received.title not in body and "0912345678" not in body and "Nguyễn Văn An" not in body


def test_unknown_code_and_wrong_key_get_the_same_404(received):
    unknown = Client().get("/phan-anh/tra-cuu/?ma=T.SXD-PA26-99999")
    wrong = Client().get(f"/phan-anh/tra-cuu/?ma={received.code}&khoa=sai-khoa")
    assert unknown.status_code == wrong.status_code == 404
    assert received.title not in wrong.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "an", "khanh"])
def test_the_tracking_page_by_who_asks(received, client_for, who):
    """With the key: anyone holding the receipt's link is the sender. Without it: the sender's account sees the
    item only if it sent it; anyone else sees status and dates."""
    client = Client() if who == "anonymous" else client_for(who)
    with_key = client.get(f"/phan-anh/tra-cuu/?ma={received.code}&khoa={received.secret}").content.decode()
    assert received.title in with_key and "0912345678" in with_key  # the sender's own data, with the key
    without = client.get(f"/phan-anh/tra-cuu/?ma={received.code}").content.decode()
    assert received.title not in without


def test_the_account_that_sent_it_sees_it_without_the_key(org, people, client_for):
    item = services.submit(regulation(agency=org["sxd"]), channel="web", user=people["an"])
    assert item.title in client_for("an").get(f"/phan-anh/tra-cuu/?ma={item.code}").content.decode()
    assert item.title not in client_for("khanh").get(f"/phan-anh/tra-cuu/?ma={item.code}").content.decode()


def test_tracking_is_rate_limited(received, settings):
    settings.MOTCUA_TRACKING_RATE_LIMIT = 2
    client = Client()
    for _ in range(2):
        client.get(f"/phan-anh/tra-cuu/?ma={received.code}")
    assert client.get(f"/phan-anh/tra-cuu/?ma={received.code}").status_code == 429


def _act(client, item, **data):  # type: ignore[no-untyped-def]
    return client.post("/phan-anh/tra-cuu/", {"ma": item.code, "khoa": item.secret, **data})


def test_the_sender_provides_information_when_asked(received, people):
    item = services.classify(received, people["binh"], assignee_id=people["cuong"].pk)
    item = services.request_info(item, people["cuong"], message="Xin gửi ảnh chụp bản vẽ đã nộp.")
    page = Client().get(f"/phan-anh/tra-cuu/?ma={item.code}&khoa={item.secret}").content.decode()
    assert "Xin gửi ảnh chụp bản vẽ đã nộp." in page and 'value="info"' in page
    assert Client().post("/phan-anh/tra-cuu/", {"ma": item.code, "khoa": "sai", "action": "info",
                                                "text": "thêm"}).status_code == 404
    pdf = SimpleUploadedFile("ban-ve.pdf", PDF, content_type="application/pdf")
    response = _act(Client(), item, action="info", text="Đây là bản vẽ.", attachments=[pdf])
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.HANDLING and item.attachments.count() == 1


def test_the_sender_reacts_once_and_follows_up(received, people):
    item = answer_it(received, people)
    page = Client().get(f"/phan-anh/tra-cuu/?ma={item.code}&khoa={item.secret}").content.decode()
    assert "Sở Xây dựng đã xem xét" in page  # the answer, once approved
    assert _act(Client(), item, action="react", reaction="dissatisfied").status_code == 302
    item.refresh_from_db()
    assert item.reaction == "dissatisfied"
    again = _act(Client(), item, action="react", reaction="satisfied")
    assert again.status_code in (302, 400)
    item.refresh_from_db()
    assert item.reaction == "dissatisfied"
    client = Client()
    response = _act(client, item, action="follow", content="Câu trả lời chưa giải quyết việc nộp bản vẽ hai lần.")
    assert response.status_code == 302 and response["Location"] == "/phan-anh/da-nhan/"
    new = FeedbackItem.objects.get(follow_up_of=item)
    assert new.code in client.get("/phan-anh/da-nhan/").content.decode()


def test_an_empty_reaction_is_an_error_and_changes_nothing(received, people):
    item = answer_it(received, people)
    response = _act(Client(), item, action="react")
    assert response.status_code == 400 and 'id="id_reaction_error"' in response.content.decode()
    item.refresh_from_db()
    assert item.reaction == ""


# --- published answers and open data ---------------------------------------------------------------------------

def test_answers_are_searchable_without_diacritics_and_never_show_the_senders_data(published):
    body = Client().get("/phan-anh/tra-loi/?q=cap+phep").content.decode()
    assert published.public_title in body and f"/phan-anh/tra-loi/{published.code}/" in body
    assert published.public_title not in Client().get("/phan-anh/tra-loi/?q=khong+co+dau").content.decode()
    detail = Client().get(f"/phan-anh/tra-loi/{published.code}/").content.decode()
    assert published.public_answer.split()[0] in detail
    for page in (body, detail):
        for value in [*PLANTED, "Nguyễn Văn An"]:
            assert value not in page


def test_answers_filter_by_agency_field_and_year(published, org):
    year = timezone.localtime(published.published_at).year  # the page's year is the year in Việt Nam
    assert published.code in Client().get(f"/phan-anh/tra-loi/?agency={org['sxd'].pk}&year={year}").content.decode()
    assert published.code not in Client().get(f"/phan-anh/tra-loi/?agency={org['other'].pk}").content.decode()
    assert published.code not in Client().get(f"/phan-anh/tra-loi/?year={year - 1}").content.decode()
    assert published.code in Client().get(f"/phan-anh/tra-loi/?field={published.field_id}").content.decode()


def test_an_unpublished_or_conduct_item_has_no_public_page(received):
    assert Client().get(f"/phan-anh/tra-loi/{received.code}/").status_code == 404


def test_open_data_csv_has_a_bom_and_no_personal_data(published):
    response = Client().get("/phan-anh/tra-loi.csv?q=cap phep")
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == "code,agency,field,kind,received_date,published_date,title,question,answer"
    assert published.code in text and "Sở Xây dựng" in text
    for value in PLANTED:
        assert value not in text


def test_open_data_json_has_the_same_fields_and_no_personal_data(published):
    response = Client().get("/phan-anh/tra-loi.json")
    data = json.loads(b"".join(response.streaming_content))
    assert [row["code"] for row in data["items"]] == [published.code]
    assert set(data["items"][0]) == {"code", "agency", "field", "kind", "received_date", "published_date", "title",
                                     "question", "answer"}
    text = json.dumps(data, ensure_ascii=False)
    for value in PLANTED:
        assert value not in text
    assert Client().get("/phan-anh/tra-loi.json?year=abc").status_code == 400


def test_the_answers_page_paginates(published, org, people, settings):
    from motcua.feedback.views import public

    settings.DEBUG = False
    old = public.PAGE_SIZE
    public.PAGE_SIZE = 1
    try:
        second = services.publish(answer_it(services.submit(regulation(agency=org["sxd"]), channel="web"), people),
                                  people["giang"])
        first_page = Client().get("/phan-anh/tra-loi/").content.decode()
        assert 'rel="next"' in first_page
        assert second.code in first_page and published.code not in first_page
        assert published.code in Client().get("/phan-anh/tra-loi/?page=2").content.decode()
    finally:
        public.PAGE_SIZE = old


def test_the_navigation_and_footer_link_to_feedback(org):
    body = Client().get("/").content.decode()
    assert 'href="/phan-anh/"' in body and 'href="/phan-anh/tra-loi/"' in body


def test_the_receipt_names_the_days_off_it_skipped(org, settings, time_machine):  # type: ignore[no-untyped-def]
    """Received on 12/02/2026, the eve of Tết: the 15 working days skip the Tết holidays, named on the receipt."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    time_machine.move_to(dt.datetime(2026, 2, 12, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")), tick=False)
    client = Client()
    assert client.post("/phan-anh/gui/", _form(org)).status_code == 302
    body = client.get("/phan-anh/da-nhan/").content.decode()
    item = FeedbackItem.objects.get()
    assert item.code in body
    assert "Ngày nghỉ không tính" in body and "Tết" in body


def test_the_pages_speak_english(org, received):
    client = Client()
    client.cookies["django_language"] = "en"
    body = client.get("/phan-anh/").content.decode()
    assert "Complaints and denunciations are not feedback" in body
    body = client.get(f"/phan-anh/tra-cuu/?ma={received.code}&khoa={received.secret}").content.decode()
    assert "Handling history" in body and "Your feedback was received." in body


def test_a_published_answer_shows_at_once_on_the_kept_answers_pages(published, received, people):
    """The answers pages are kept per process under the feedback items' revision token (issue 20): publishing,
    hiding or editing an item replaces it, so no citizen reads a page from before."""
    first = Client().get("/phan-anh/tra-loi/")
    assert first.templates and published.code in first.content.decode()
    kept = Client().get("/phan-anh/tra-loi/")
    assert not kept.templates and published.code in kept.content.decode()  # served from the page cache
    answered = services.publish(answer_it(received, people), people["giang"])
    fresh = Client().get("/phan-anh/tra-loi/")
    assert fresh.templates and answered.code in fresh.content.decode()
    Client().get(f"/phan-anh/tra-loi/{published.code}/")
    hidden = FeedbackItem.objects.get(pk=published.pk)
    hidden.hidden = True
    hidden.save()
    assert published.code not in Client().get("/phan-anh/tra-loi/").content.decode()
    assert Client().get(f"/phan-anh/tra-loi/{published.code}/").status_code == 404
