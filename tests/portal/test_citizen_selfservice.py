"""Issue 14, items 2 and 17: the result reaches the citizen (its file, number and date, on their page and
through the notice's link), the desk records who collected a paper result or the postal tracking number, and
the citizen's self-service basics: a forgotten password, the withdrawal of their own dossier, the supplement
request (form 02) to download."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from motcua.accounts.models import User
from motcua.core.errors import Conflict, DomainError
from motcua.documents import legal
from motcua.dossiers import issuing, selectors
from motcua.dossiers import services as dossier_services
from motcua.dossiers.choices import Status
from motcua.dossiers.files import Upload
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as wf
from motcua.notifications.channels import memory
from motcua.portal.services import create_citizen

from .conftest import PDF, submit

pytestmark = pytest.mark.django_db

BASE = "https://motcua.example.gov.vn"


def signed_online(people: dict[str, Any], *, with_file: bool = True) -> Dossier:
    """An online dossier of An's, through the whole chain up to the recorded result 125/GPXD (status 9)."""
    d = dossier_services.accept(people["binh"], submit(people))
    d = dossier_services.transfer(people["binh"], d)
    wf.assign(people["dung"], d, people["cuong"])
    wf.transfer_step(people["cuong"], d, note="Đạt")
    wf.approve(people["dung"], d)
    wf.sign(people["giang"], d)
    upload = Upload(name="giay-phep-125.pdf", stream=io.BytesIO(PDF)) if with_file else None
    wf.record_result(people["binh"], d, number="125/GPXD", issued_on=dt.date(2026, 12, 3), upload=upload)
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == Status.DONE
    return d


def page(client: Client, d: Dossier) -> str:
    response = client.get(f"/cong-dan/ho-so/{d.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def result_file_id(d: Dossier) -> int:
    return int(d.results.get(kind="result").attachment_id)


# --- item 2: the result reaches the citizen -----------------------------------------------------------------

def test_an_online_return_puts_the_result_file_number_and_date_on_the_citizens_page(people, procedure, templates,
                                                                                     client_for, run):
    d = signed_online(people)
    an = client_for("an")
    file_url = f"/cong-dan/ho-so/{d.public_id}/tep/{result_file_id(d)}/"
    # Signed but not yet handed over: the file is still the agency's.
    assert an.get(file_url).status_code == 404
    assert "125/GPXD" not in page(an, d)

    run(wf.return_result, people["binh"], d, method="online")
    body = page(an, d)
    section = body[body.index('id="ket-qua"'):body.index('id="docs-heading"')]
    assert "125/GPXD" in section and "03/12/2026" in section and file_url in section
    response = an.get(file_url + "?tai-ve=1")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store, private"
    assert response["Content-Disposition"].startswith('attachment; filename="giay-phep-125.pdf"')

    # The notice carries the number, the date and the absolute link that downloads the result.
    notice = next(m for m in mail.outbox if "125/GPXD" in m.body)
    assert f"{BASE}{file_url}?tai-ve=1" in notice.body and "03/12/2026" in notice.body
    # Another citizen, and anyone signed out, get nothing from the link.
    create_citizen(username="chi", full_name="Lê Thị Chi")
    other = Client()
    other.force_login(User.objects.get(username="chi"))
    assert other.get(file_url).status_code == 404
    assert Client().get(file_url).status_code == 302
    # Staff open it by the same safe path, and the opening is logged for the citizen to see.
    staff = client_for("giang").get(f"/ho-so/{d.public_id}/tep/{result_file_id(d)}/")
    assert staff.status_code == 200 and staff["Cache-Control"] == "no-store, private"
    assert d.events.filter(kind="personal_data_viewed", actor=people["giang"], data__what="file").exists()


def test_a_result_without_its_file_cannot_go_online(people, procedure, templates):
    d = signed_online(people, with_file=False)
    with pytest.raises(Conflict) as caught:
        wf.return_result(people["binh"], d, method="online")
    assert caught.value.code == "result_file_missing"
    assert Dossier.objects.get(pk=d.pk).status == Status.DONE


@pytest.mark.parametrize(("given", "field"), [
    ({}, "collector_name"),
    ({"name": "Nguyễn Văn An", "id_number": "12345"}, "collector_id_number"),
    ({"name": "Nguyễn Văn An", "id_number": "068090001234"}, "collector_signed"),
])
def test_a_paper_result_is_handed_over_only_to_a_named_person_who_signs(people, procedure, templates, given, field):
    d = signed_online(people)
    with pytest.raises(DomainError) as caught:
        wf.return_result(people["binh"], d, method="desk", collection=wf.Collection(**given))
    assert caught.value.details["fields"][0]["field"] == field
    assert Dossier.objects.get(pk=d.pk).status == Status.DONE


def test_the_desk_records_who_collected_the_paper_result(people, procedure, templates, client_for, token_for):
    d = signed_online(people)
    response = client_for("binh").post(f"/ho-so/{d.public_id}/return-result/", {
        "method": "desk", "collector_name": "Nguyễn Thị Mai", "collector_id_number": "068190004321",
        "collector_signed": "on"})
    assert response.status_code == 302
    d = Dossier.objects.get(pk=d.pk)
    assert (d.status, d.collector_name, d.collector_id_number, d.collector_signed) == (
        Status.RETURNED, "Nguyễn Thị Mai", "068190004321", True)
    staff_page = client_for("binh").get(f"/ho-so/{d.public_id}/").content.decode()
    assert "Nguyễn Thị Mai" in staff_page and "068190004321" not in staff_page  # masked until opened
    assert "068190004321" in client_for("binh").get(f"/ho-so/{d.public_id}/?ca-nhan=1").content.decode()
    assert "Nguyễn Thị Mai" in page(client_for("an"), d)
    # The register's "Ký nhận" names the collector; an inspector reads the ID number masked.
    row = legal.register_rows([d])[0]
    assert row[-1] == "Nguyễn Thị Mai, số định danh 068190004321 — đã ký nhận"
    masked = legal.register_rows(selectors.for_reader(people["thanh"], [d]))[0]
    assert "068190004321" not in masked[-1] and "Nguyễn Thị Mai" in masked[-1]
    # The API gives the same, masked for a reader who may not see the personal data.
    api = Client().get(f"/api/v1/dossiers/{d.public_id}", HTTP_AUTHORIZATION=token_for("binh")).json()
    assert api["collection"] == {"collector_name": "Nguyễn Thị Mai", "collector_id_number": "068190004321",
                                 "collector_signed": True, "postal_tracking": ""}
    inspector = Client().get(f"/api/v1/dossiers/{d.public_id}", HTTP_AUTHORIZATION=token_for("thanh")).json()
    assert inspector["collection"]["collector_id_number"] != "068190004321"


def test_a_posted_result_carries_its_tracking_number(people, procedure, templates, client_for, run):
    d = signed_online(people)
    refused = client_for("binh").post(f"/ho-so/{d.public_id}/return-result/", {"method": "post"})
    assert refused.status_code == 400 and Dossier.objects.get(pk=d.pk).status == Status.DONE
    run(wf.return_result, people["binh"], d, method="post", collection=wf.Collection(tracking="eb 123456789 vn"))
    d = Dossier.objects.get(pk=d.pk)
    assert d.postal_tracking == "EB123456789VN"
    assert "EB123456789VN" in page(client_for("an"), d)
    assert "EB123456789VN" in client_for("binh").get(f"/ho-so/{d.public_id}/").content.decode()
    assert legal.register_rows([d])[0][-2].endswith("mã bưu gửi EB123456789VN")
    assert any("EB123456789VN" in m.body for m in mail.outbox)


# --- item 17(b): withdrawal of one's own dossier --------------------------------------------------------------

def test_the_owner_asks_to_stop_with_a_reason_and_the_desk_stops_it(people, procedure, templates, client_for):
    d = dossier_services.accept(people["binh"], submit(people))
    an = client_for("an")
    assert f"/cong-dan/ho-so/{d.public_id}/rut/" in page(an, d)
    empty = an.post(f"/cong-dan/ho-so/{d.public_id}/rut/", {"reason": "", "confirm": "on"})
    assert empty.status_code == 400 and Dossier.objects.get(pk=d.pk).status == Status.RECEIVED
    done = an.post(f"/cong-dan/ho-so/{d.public_id}/rut/", {"reason": "Không xây dựng nữa", "confirm": "on"})
    assert done.status_code == 302
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == Status.WITHDRAWAL_REQUESTED
    assert d.events.filter(status_after=Status.WITHDRAWAL_REQUESTED, reason="Không xây dựng nữa",
                           actor=people["an"]).exists()
    assert f"/cong-dan/ho-so/{d.public_id}/rut/" not in page(an, d)
    # The desk issues the stop notice (Circular 03/2025 Art. 7); the citizen downloads it from their page.
    d = dossier_services.stop(people["binh"], d)
    issuing.issue(people["binh"], d, "stop-notice")
    assert f"/cong-dan/ho-so/{d.public_id}/phieu/stop-notice/" in page(an, d)
    assert an.get(f"/cong-dan/ho-so/{d.public_id}/phieu/stop-notice/").status_code == 200


def test_no_withdrawal_once_the_result_is_issued_or_for_someone_else(people, procedure, templates, client_for):
    d = signed_online(people)
    response = client_for("an").post(f"/cong-dan/ho-so/{d.public_id}/rut/", {"reason": "Thôi", "confirm": "on"})
    assert response.status_code == 302 and Dossier.objects.get(pk=d.pk).status == Status.DONE
    create_citizen(username="chi", full_name="Lê Thị Chi")
    other = Client()
    other.force_login(User.objects.get(username="chi"))
    fresh = dossier_services.accept(people["binh"], submit(people))
    assert other.post(f"/cong-dan/ho-so/{fresh.public_id}/rut/", {"reason": "x", "confirm": "on"}).status_code == 404
    assert Dossier.objects.get(pk=fresh.pk).status == Status.RECEIVED


# --- item 17(c): the supplement request (form 02) from the citizen's page -------------------------------------

def test_the_issued_supplement_request_is_downloaded_by_its_owner_only(people, procedure, templates, client_for):
    d = submit(people)
    d = dossier_services.request_supplement(
        people["binh"], d, [dossier_services.MissingItem("Bản vẽ thiết kế", "Thiếu bản vẽ mặt bằng móng")])
    an = client_for("an")
    url = f"/cong-dan/ho-so/{d.public_id}/phieu/supplement-request/"
    assert an.get(url).status_code == 404  # not issued yet: a preview is never the citizen's
    issuing.issue(people["binh"], d, "supplement-request")
    assert url in page(an, d)
    response = an.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store, private" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == f'inline; filename="{d.public_id}-supplement-request.pdf"'
    assert an.get(f"/cong-dan/ho-so/{d.public_id}/phieu/control-sheet/").status_code == 404
    create_citizen(username="chi", full_name="Lê Thị Chi")
    other = Client()
    other.force_login(User.objects.get(username="chi"))
    assert other.get(url).status_code == 404


# --- item 17(a): a forgotten password ---------------------------------------------------------------------------

def _reset_link(text: str) -> str:
    found = re.search(re.escape(BASE) + r"(/quen-mat-khau/[^/\s]+/[^/\s]+/)", text)
    assert found, text
    return found.group(1)


def test_a_forgotten_password_is_reset_through_the_emailed_link(people):
    User.objects.filter(pk=people["an"].pk).update(email="an@example.vn")
    client = Client()
    assert "/quen-mat-khau/" in client.get("/tai-khoan/dang-nhap/").content.decode()
    response = client.post("/quen-mat-khau/", {"identifier": "AN@example.vn"})
    assert response.status_code == 302 and response["Location"] == "/quen-mat-khau/da-gui/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["an@example.vn"]
    link = _reset_link(mail.outbox[0].body)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "mot-mat-khau-moi-7",
                                                    "new_password2": "mot-mat-khau-moi-7"})
    assert done.status_code == 302 and done["Location"] == "/quen-mat-khau/xong/"
    assert User.objects.get(pk=people["an"].pk).check_password("mot-mat-khau-moi-7")
    # The link worked once.
    assert 'name="new_password1"' not in Client().get(link, follow=True).content.decode()


def test_a_phone_account_gets_the_link_by_sms(people, templates, django_capture_on_commit_callbacks):
    user = create_citizen(username="0987654321", full_name="Lê Thị Chi", phone="0987654321")
    user.set_password("mat-khau-cu-dai-1")
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/quen-mat-khau/", {"identifier": "0987 654 321"})
    assert response.status_code == 302
    sms = [m for m in memory.outbox if m.to == "0987654321"]
    assert len(sms) == 1 and sms[0].channel == "sms" and not mail.outbox
    assert _reset_link(sms[0].body).startswith("/quen-mat-khau/")


def test_the_answer_does_not_tell_whether_an_account_exists(people):
    User.objects.filter(pk=people["an"].pk).update(email="an@example.vn")
    known = Client().post("/quen-mat-khau/", {"identifier": "an@example.vn"})
    unknown = Client().post("/quen-mat-khau/", {"identifier": "nobody@example.vn"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_password_reset_requests_are_rate_limited(people, settings):
    settings.MOTCUA_TRACKING_RATE_LIMIT = 3
    User.objects.filter(pk=people["an"].pk).update(email="an@example.vn")
    client = Client()
    codes = [client.post("/quen-mat-khau/", {"identifier": "an@example.vn"}).status_code for _ in range(4)]
    assert codes == [302, 302, 302, 429]
    assert len(mail.outbox) == 3


def test_a_bad_identifier_is_refused_next_to_the_field(db):
    response = Client().post("/quen-mat-khau/", {"identifier": "không phải"})
    assert response.status_code == 400 and 'id="id_identifier_error"' in response.content.decode()
    assert not mail.outbox
