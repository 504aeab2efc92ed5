"""The online submission wizard: a draft saved at every step, every problem listed at once, then the code."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.dossiers.choices import Channel, Status
from motcua.dossiers.models import Dossier
from motcua.notifications.models import Message
from motcua.portal.models import Draft, DraftFile

from .conftest import APPLICANT, EXE, pdf_file

pytestmark = pytest.mark.django_db

def _start(client: Client) -> str:
    response = client.post("/cong-dan/nop-ho-so/1.013236/")
    assert response.status_code == 302
    return response["Location"].rsplit("/", 2)[0]


def test_the_whole_path_submits_a_dossier_and_shows_the_code(people, procedure, templates, client_for,
                                                             django_capture_on_commit_callbacks):
    client = client_for("an")
    assert client.get("/cong-dan/nop-ho-so/1.013236/").status_code == 200
    base = _start(client)
    assert client.post(f"{base}/applicant/", APPLICANT).status_code == 302
    assert client.post(f"{base}/questions/", {"subject": "Nhà ở 3 tầng"}).status_code == 302
    response = client.post(f"{base}/documents/", {"document_1": pdf_file(), "document_2": pdf_file("ban-ve.pdf")})
    assert response.status_code == 302
    assert DraftFile.objects.count() == 2
    assert client.post(f"{base}/fees/", {"acknowledged": "on"}).status_code == 302
    assert client.post(f"{base}/delivery/", {"method": "desk"}).status_code == 302
    review = client.get(f"{base}/review/")
    assert review.status_code == 200 and 'role="alert"' not in review.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the notice is sent after the commit
        response = client.post(f"{base}/nop/")
    assert response.status_code == 302 and response["Location"].endswith("?new=1")
    dossier = Dossier.objects.get()
    assert dossier.status == Status.NEW and dossier.channel == Channel.ONLINE and dossier.owner == people["an"]
    assert dossier.attachments.count() == 2
    assert not Draft.objects.exists() and not DraftFile.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert dossier.public_id in page and "data:image/svg+xml" in page
    assert Message.objects.filter(object_id=str(dossier.pk)).exists()  # the receipt by email
    assert client.post(f"{base}/nop/").status_code == 404  # a second click submits nothing


def test_the_draft_is_resumable_and_every_problem_is_listed_at_once(people, procedure, client_for):
    client = client_for("an")
    base = _start(client)
    client.post(f"{base}/applicant/", {**APPLICANT, "phone": ""})  # refused: shown next to the field
    review = client.get(f"{base}/review/").content.decode()
    assert 'role="alert"' in review
    for text in ("Đơn đề nghị cấp giấy phép xây dựng", "Bản vẽ thiết kế"):
        assert text in review
    assert review.count("<li><a href=") >= 5  # phone, questions, two documents, fees, delivery
    assert client.post(f"{base}/nop/").status_code == 302  # back to the review
    assert not Dossier.objects.exists()
    home = client.get("/cong-dan/").content.decode()
    assert base.split("/")[-1] in home


def test_a_bad_field_is_shown_next_to_it_with_a_summary(people, procedure, client_for):
    client = client_for("an")
    base = _start(client)
    response = client.post(f"{base}/applicant/", {**APPLICANT, "id_number": "123"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in body and 'id="id_id_number_error"' in body


def test_a_file_of_the_wrong_type_is_refused_next_to_its_document(people, procedure, client_for):
    client = client_for("an")
    base = _start(client)
    response = client.post(f"{base}/documents/", {"document_2": pdf_file("virus.pdf", EXE)})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="document_2_error"' in body and 'role="alert"' in body
    assert not DraftFile.objects.exists()


def test_a_conditional_document_is_asked_only_when_it_applies(people, procedure, client_for):
    client = client_for("an")
    base = _start(client)
    assert "Giấy ủy quyền" not in client.get(f"{base}/documents/").content.decode().split("<form")[1]
    client.post(f"{base}/questions/", {"subject": "", "conditions": ["3"]})
    assert "Giấy ủy quyền" in client.get(f"{base}/documents/").content.decode()


def test_anonymous_is_sent_to_sign_in_and_staff_are_refused(people, procedure, client_for):
    response = Client().get("/cong-dan/nop-ho-so/1.013236/")
    assert response.status_code == 302 and "dang-nhap" in response["Location"]
    assert client_for("binh").get("/cong-dan/nop-ho-so/1.013236/").status_code == 403
    assert client_for("binh").post("/cong-dan/nop-ho-so/1.013236/").status_code == 403


def test_another_citizen_cannot_open_my_draft(people, procedure, client_for):
    base = _start(client_for("an"))
    from motcua.accounts.models import User
    from motcua.portal.services import create_citizen

    create_citizen(username="chi", full_name="Lê Thị Chi")
    other = Client()
    other.force_login(User.objects.get(username="chi"))
    assert other.get(f"{base}/applicant/").status_code == 404
    assert other.post(f"{base}/nop/").status_code == 404
    assert other.post(f"{base}/xoa/").status_code == 404


def test_an_unknown_procedure_is_404(people, client_for):
    assert client_for("an").get("/cong-dan/nop-ho-so/9.999999/").status_code == 404


def test_a_draft_can_be_deleted(people, procedure, client_for):
    client = client_for("an")
    base = _start(client)
    client.post(f"{base}/documents/", {"document_1": pdf_file()})
    assert client.post(f"{base}/xoa/").status_code == 302
    assert not Draft.objects.exists()


def _fees_page(client: Client) -> str:
    base = _start(client)
    return client.get(f"{base}/fees/").content.decode()


@pytest.mark.parametrize("fee_status, amount", [("", 75000), ("charged", None), ("", None)])
def test_the_fees_step_does_not_add_up_a_fee_that_is_not_known(people, procedure, client_for, fee_status, amount):
    from motcua.catalogue.models import Fee
    version = procedure.versions.get()
    version.fee_status = fee_status
    version.save()
    Fee.objects.filter(version=version).update(amount_vnd=amount)
    page = _fees_page(client_for("an"))
    assert "Tổng cộng: <strong>0 đ" not in page and "Tổng cộng: <strong>Chưa xác định</strong>" in page


def test_the_fees_step_adds_up_known_fees_and_says_when_there_is_none(people, procedure, client_for):
    from motcua.catalogue.models import Fee
    version = procedure.versions.get()
    version.fee_status = "charged"
    version.save()
    Fee.objects.create(version=version, name="Phí thẩm định", amount_vnd=25000)
    assert "Tổng cộng: <strong>100.000 đ</strong>" in _fees_page(client_for("an"))
    version.fee_status = "free"
    version.save()
    page = _fees_page(client_for("an"))
    assert "Thủ tục này không mất phí." in page and "Tổng cộng" not in page
