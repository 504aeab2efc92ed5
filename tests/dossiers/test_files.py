"""Opening a dossier's files (issue 14, item 1): inline for PDF and images, downloaded on request, for exactly
those who may see the dossier (404 for anyone else), never cached, each opening by staff logged like a read of
the personal data; a file lost from storage is a clear 410, not a server error."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from motcua.accounts import services as accounts_services
from motcua.accounts.models import User
from motcua.dossiers import services, serving
from motcua.dossiers.choices import EventKind
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.workflow import services as wf

from .conftest import PDF, intake, upload
from .workflow_helpers import construction_permit, in_progress, t

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def permit(org):  # type: ignore[no-untyped-def]
    return construction_permit(org)


@pytest.fixture
def online(people, permit) -> Dossier:  # type: ignore[no-untyped-def]
    """An's online dossier: the application form as PDF, the drawings as PNG."""
    return services.submit_online(people["an"], intake(), [upload(PDF, "đơn đề nghị.pdf", 1),
                                                           upload(PNG, "ban-ve.png", 2)])


def _files(d: Dossier) -> tuple[Attachment, Attachment]:
    pdf, png = Attachment.objects.filter(dossier=d).order_by("id")
    return pdf, png


def _views(d: Dossier) -> list[dict]:  # type: ignore[type-arg]
    return [e.data for e in d.events.filter(kind=EventKind.PERSONAL_DATA_VIEWED).order_by("seq")]


def _url(d: Dossier, a: Attachment) -> str:
    return f"/ho-so/{d.public_id}/tep/{a.pk}/"


def test_desk_opens_a_file_from_the_dossier_page_inline_and_it_is_logged(online, client_for):
    pdf, png = _files(online)
    client = client_for("binh")
    page = client.get(f"/ho-so/{online.public_id}/").content.decode()
    assert f'href="{_url(online, pdf)}"' in page and f'href="{_url(online, png)}?tai-ve=1"' in page

    response = client.get(_url(online, pdf))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%C4%91%C6%A1n" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Not sandboxed (Chromium's PDF viewer does not start in a sandbox): the site's policy, which the viewer runs under.
    assert "sandbox" not in response["Content-Security-Policy"]
    assert _views(online)[-1] == {"where": _url(online, pdf), "what": "file", "masked": False,
                                  "file": {"id": pdf.pk, "name": pdf.original_name}}

    history = client.get(f"/ho-so/{online.public_id}/").content.decode()
    assert "Xem thông tin cá nhân</strong>: đơn đề nghị.pdf" in history

    image = client.get(_url(online, png))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline;") and image["Content-Security-Policy"] == "sandbox"


def test_download_is_an_attachment_and_office_files_are_never_inline(online, client_for):
    pdf, _ = _files(online)
    client = client_for("binh")
    download = client.get(_url(online, pdf) + "?tai-ve=1")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" not in download["Content-Security-Policy"] and download["Cache-Control"] == "no-store, private"
    Attachment.objects.filter(pk=pdf.pk).update(
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    office = client.get(_url(online, pdf))
    assert office["Content-Disposition"].startswith("attachment;")


def test_only_those_who_may_see_the_dossier_open_its_files(online, people, org, client_for):
    pdf, _ = _files(online)
    url = _url(online, pdf)
    assert client_for("khanh").get(url).status_code == 404  # another agency's officer
    assert client_for("thanh").get(url).status_code == 200  # the inspector
    missing = f"/ho-so/{online.public_id}/tep/{pdf.pk + 1000}/"
    assert client_for("binh").get(missing).status_code == 404
    # Anonymous: sent to sign in, the same for a file that exists and one that does not (nothing disclosed).
    anonymous = Client()
    assert anonymous.get(url).status_code == anonymous.get(missing).status_code == 302
    # A citizen uses the portal's route; the staff screen is closed to them.
    assert client_for("an").get(url).status_code == 403
    kinds = {e["where"] for e in _views(online)}
    assert kinds == {url}  # only the inspector's opening, and nothing for the refused ones


def test_a_consulted_agency_sees_the_drawings(people, permit, client_for):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    attachment = Attachment.objects.get(dossier=d)
    assert client_for("khanh").get(_url(d, attachment)).status_code == 404
    step = d.steps.get(order=2, name__startswith="Thẩm định")
    wf.assign(people["dung"], d, people["cuong"], step_id=step.pk, at=t(2026, 8, 3, 10, 0))
    wf.consult(people["cuong"], d, unit_code="T.SNN", question="Ý kiến về phòng cháy?", at=t(2026, 8, 3, 11, 0))
    assert client_for("khanh").get(_url(d, attachment)).status_code == 200


def test_a_file_of_another_dossier_is_not_reached_through_this_one(online, people, permit, client_for):
    other = services.submit_online(people["an"], intake(), [upload(PDF, "khac.pdf", 1)])
    foreign = Attachment.objects.get(dossier=other)
    assert client_for("binh").get(_url(online, foreign)).status_code == 404


def test_a_file_lost_from_storage_is_a_clear_410(online, client_for):
    pdf, _ = _files(online)
    default_storage.delete(pdf.file.name)
    before = len(_views(online))
    response = client_for("binh").get(_url(online, pdf))
    assert response.status_code == 410
    assert "không còn trong kho lưu trữ" in response.content.decode()
    assert len(_views(online)) == before


def test_control_characters_never_reach_the_header(online, client_for):
    pdf, _ = _files(online)
    Attachment.objects.filter(pk=pdf.pk).update(original_name='a"\r\nSet-Cookie: x=1\u202e.pdf')
    response = client_for("binh").get(_url(online, pdf))
    header = response["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and "\u202e" not in header
    assert serving.safe_filename("x\x00y\x1b.pdf") == "xy.pdf"


def test_api_lists_file_urls_and_serves_them_to_those_who_may_see(online, token_for):
    pdf, _ = _files(online)
    body = Client().get(f"/api/v1/dossiers/{online.public_id}", HTTP_AUTHORIZATION=token_for("binh")).json()
    url = body["documents"][0]["files"][0]["url"]
    assert url == f"/api/v1/dossiers/{online.public_id}/files/{pdf.pk}"
    response = Client().get(url, HTTP_AUTHORIZATION=token_for("binh"))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Disposition"].startswith("inline;") and response["Cache-Control"] == "no-store, private"
    assert _views(online)[-1]["file"] == {"id": pdf.pk, "name": pdf.original_name}
    download = Client().get(url + "?download=1", HTTP_AUTHORIZATION=token_for("binh"))
    assert download["Content-Disposition"].startswith("attachment;")
    assert Client().get(url, HTTP_AUTHORIZATION=token_for("khanh")).status_code == 404
    assert Client().get(url).status_code == 401
    owner = Client().get(url, HTTP_AUTHORIZATION=token_for("an"))
    assert owner.status_code == 200
    default_storage.delete(pdf.file.name)
    gone = Client().get(url, HTTP_AUTHORIZATION=token_for("binh"))
    assert gone.status_code == 410 and gone.json()["error"]["code"] == "file_missing"


def test_citizen_opens_own_files_on_the_portal_and_sees_who_opened_them(online, people, client_for):
    pdf, png = _files(online)
    client = client_for("an")
    page = client.get(f"/cong-dan/ho-so/{online.public_id}/").content.decode()
    own = f"/cong-dan/ho-so/{online.public_id}/tep/{pdf.pk}/"
    assert f'href="{own}"' in page and "ban-ve.png" in page
    response = client.get(own)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store, private"
    assert _views(online) == []  # the applicant's own readings are not staff readings
    stranger = User.objects.create_user(username="lan", password="mat-khau-dai-1", full_name="Lê Thị Lan")
    accounts_services.assign_role(stranger, "citizen", None)
    other = Client()
    other.force_login(stranger)
    assert other.get(own).status_code == 404
    assert client_for("binh").get(own).status_code == 404  # staff use their own screen

    client_for("binh").get(_url(online, png))
    log = client.get(f"/cong-dan/ho-so/{online.public_id}/truy-cap/").content.decode()
    assert "Đã mở tệp “ban-ve.png” của bạn" in log


