"""The survey's QR code on the papers handed to the citizen (the receipt and the agency's answer that is the
result when a dossier is refused): its link, printed under the code too, answers the survey once."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from motcua.core import links
from motcua.dossiers import issuing
from motcua.dossiers.models import Dossier, IssuedForm
from motcua.surveys import services
from motcua.surveys.choices import Channel
from motcua.surveys.models import Response
from tests.dossiers.workflow_helpers import construction_permit, in_progress, received, refused, t

pytestmark = pytest.mark.django_db
BASE = "https://dichvucong.example.vn"


@pytest.fixture(autouse=True)
def _public_address(settings):  # type: ignore[no-untyped-def]
    settings.MOTCUA_PUBLIC_BASE_URL = BASE


@pytest.fixture
def permit(org):  # type: ignore[no-untyped-def]
    return construction_permit(org)


def pdf_text(pdf: bytes) -> str:
    """The text with every space and line break removed: the printed link is broken across lines."""
    return "".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def answers() -> dict[str, str]:
    return {f"c_{c.code}": "5" for c in services.per_dossier_form().criteria.all()}


def test_the_receipt_carries_the_survey_link_which_answers_once(people, permit):
    d: Dossier = received(people, t(2026, 8, 3, 9, 0))
    assert d.code
    url = links.absolute(links.survey_path(d.code))
    assert url.startswith(f"{BASE}/khao-sat/ma/")
    text = pdf_text(issuing.read(issuing.issue(people["binh"], d, "receipt")))
    assert "Quétmãđểđánhgiásựphụcvụ" in text
    assert url in text
    path = url.removeprefix(BASE)
    citizen = Client()
    page = citizen.get(path)
    assert page.status_code == 200 and 'name="c_' in page.content.decode()
    assert citizen.post(path, answers()).status_code == 200
    response = Response.objects.get()
    assert response.channel == Channel.QR and response.unit == d.processing_unit.agency()
    again = citizen.post(path, answers())
    assert again.status_code == 409
    assert Response.objects.count() == 1
    # A link for another dossier cannot be made from this one.
    forged = path.replace(d.code, d.code[:-1] + ("9" if d.code[-1] != "9" else "8"))
    assert Client().get(forged).status_code == 404


def test_the_agencys_refusal_answer_carries_the_survey_link(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    from motcua.dossiers.workflow import services as wf

    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    refused(people, d, "Công trình không phù hợp quy hoạch", t(2026, 8, 5, 9, 0))
    pdf = issuing.read(IssuedForm.objects.get(dossier=d, role="refusal-answer"))
    assert links.absolute(links.survey_path(d.code)) in pdf_text(pdf)


def test_a_preview_without_a_code_prints_no_survey_code(people, permit):
    from motcua.documents import legal

    d = received(people, t(2026, 8, 3, 9, 0))
    d.code = None
    assert legal.survey_block(d) == {}
