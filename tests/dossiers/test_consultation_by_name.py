"""Requests for an opinion (issue 14, item 11): the unit is chosen by name, the consulted unit answers from its
own list without typing a number, and a request opens the dossier to the consulted unit's own officers only —
one addressed to the province's People's Committee does not open it to every department of the province."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from motcua.accounts import services as accounts
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.core.errors import DomainError, PermissionDenied
from motcua.dossiers.models import Consultation, DossierEvent
from motcua.dossiers.workflow import services as wf

from .workflow_helpers import construction_permit, in_progress, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit(org):  # type: ignore[no-untyped-def]
    return construction_permit(org)


def _officer(username: str, unit: OrgUnit, role: str = Role.SPECIALIST) -> User:
    user = User.objects.create_user(username=username, password="mat-khau-dai-1", full_name=username, unit=unit)
    accounts.assign_role(user, role, unit)
    return user


@pytest.fixture
def justice(org):  # type: ignore[no-untyped-def]
    """An officer of Sở Tư pháp, a department of the province like Sở Xây dựng."""
    agency = accounts.save_unit(OrgUnit(parent=org["province"], name="Sở Tư pháp", code="T.STP",
                                        kind=UnitKind.AGENCY))
    division = accounts.save_unit(OrgUnit(parent=agency, name="Phòng Hành chính tư pháp", code="T.STP.P1",
                                          kind=UnitKind.DIVISION))
    return _officer("tuphap", division)


def _taken(people):  # type: ignore[no-untyped-def]
    """A dossier in processing whose appraisal step the specialist Cường has taken: the step's actions (asking
    for an opinion among them) are his once he holds the step."""
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    return d


def _web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(client: Client, token: str, code: str, slug: str, body: dict[str, object]):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/dossiers/{code}/actions/{slug}", json.dumps(body), content_type="application/json",
                       HTTP_AUTHORIZATION=token)


def test_a_request_to_the_peoples_committee_does_not_open_the_dossier_to_every_department(
        people, permit, org, justice, token_for):
    d = _taken(people)
    c = wf.consult(people["cuong"], d, unit_code="T.H68", question="Ý kiến của UBND tỉnh?", at=t(2026, 8, 3, 11, 0))
    committee = _officer("ubnd", org["province"])  # an officer of the People's Committee itself

    # An officer of Sở Tư pháp (under the province) neither reads the dossier nor answers in the province's name.
    assert _web(justice).get(f"/ho-so/{d.code}/").status_code == 404
    token = f"Bearer {accounts.create_token(justice, 'test')[1]}"
    refused = _api(Client(), token, d.code, "answer-consultation",
                   {"consultation": c.pk, "answer": "Đồng ý", "agrees": True})
    assert refused.status_code in (403, 404)
    # Nor does an officer of a division of another department (Khánh, Sở Nông nghiệp và Môi trường).
    assert _web(people["khanh"]).get(f"/ho-so/{d.code}/").status_code == 404
    with pytest.raises(PermissionDenied):
        wf.answer_consultation(people["khanh"], d, consultation_id=c.pk, answer="Đồng ý", agrees=True)
    c.refresh_from_db()
    assert c.answered_at is None

    # The People's Committee's own officer reads it and answers.
    assert _web(committee).get(f"/ho-so/{d.code}/").status_code == 200
    token = f"Bearer {accounts.create_token(committee, 'test')[1]}"
    assert _api(Client(), token, d.code, "answer-consultation",
                {"consultation": c.pk, "answer": "Thống nhất", "agrees": True}).status_code == 200
    c.refresh_from_db()
    assert c.answered_by == committee and c.answer == "Thống nhất"


def test_a_request_to_a_department_is_read_and_answered_by_its_divisions_only(people, permit, org, justice):
    d = _taken(people)
    c = wf.consult(people["cuong"], d, unit_code="T.SNN", question="Ý kiến về đất đai?", at=t(2026, 8, 3, 11, 0))
    assert _web(people["khanh"]).get(f"/ho-so/{d.code}/").status_code == 200  # Phòng Đất đai of that department
    assert _web(justice).get(f"/ho-so/{d.code}/").status_code == 404
    with pytest.raises(PermissionDenied):
        wf.answer_consultation(justice, d, consultation_id=c.pk, answer="Đồng ý", agrees=True)
    wf.answer_consultation(people["khanh"], d, consultation_id=c.pk, answer="Phù hợp", agrees=True,
                           at=t(2026, 8, 4, 9, 0))
    c.refresh_from_db()
    assert c.answered_by == people["khanh"] and not c.late


def test_the_unit_is_chosen_by_name_in_the_api(people, permit, org, token_for):
    d = _taken(people)
    r = _api(Client(), token_for("cuong"), d.code, "consult",
             {"unit": "Sở Nông nghiệp và Môi trường", "question": "Ý kiến về đất đai?"})
    assert r.status_code == 200, r.content
    assert Consultation.objects.get().unit == org["other"]
    # Accents and case aside, as a name is typed.
    r = _api(Client(), token_for("cuong"), d.code, "consult", {"unit": "phong dat dai", "question": "Ý kiến?"})
    assert r.status_code == 200 and Consultation.objects.order_by("-id").first().unit == org["other_division"]
    # A name longer than any code.
    long = accounts.save_unit(OrgUnit(parent=org["other"], name="Phòng Quản lý nhà và thị trường bất động sản",
                                      code="T.SNN.P9", kind=UnitKind.DIVISION))
    r = _api(Client(), token_for("cuong"), d.code, "consult", {"unit": long.name, "question": "Ý kiến?"})
    assert r.status_code == 200 and Consultation.objects.order_by("-id").first().unit == long


def test_an_unknown_or_ambiguous_name_is_refused_and_changes_nothing(people, permit, org, token_for):
    accounts.save_unit(OrgUnit(parent=org["sxd"], name="Phòng Đất đai", code="T.SXD.DD", kind=UnitKind.DIVISION))
    d = _taken(people)
    before = DossierEvent.objects.filter(dossier=d).count()
    r = _api(Client(), token_for("cuong"), d.code, "consult", {"unit": "Phòng Đất đai", "question": "Ý kiến?"})
    assert r.status_code == 400
    body = r.json()["error"]
    assert "Phòng Đất đai" in body["message"] and body["details"]["fields"][0]["field"] == "unit"
    assert {u["code"] for u in body["details"]["units"]} == {"T.SNN.P2", "T.SXD.DD"}
    with pytest.raises(DomainError) as err:
        wf.consult(people["cuong"], d, unit_code="Sở Không Có", question="Ý kiến?")
    assert err.value.details["fields"][0]["field"] == "unit"
    assert not Consultation.objects.exists() and DossierEvent.objects.filter(dossier=d).count() == before


def test_the_consult_form_offers_the_units_by_name_grouped_by_agency(people, permit, org, client_for):
    d = _taken(people)
    client = client_for("cuong")
    page = client.get(f"/ho-so/{d.code}/consult/").content.decode()
    assert re.search(r'<optgroup label="Sở Nông nghiệp và Môi trường">\s*<option value="T.SNN"[^>]*>'
                     r'Sở Nông nghiệp và Môi trường</option>\s*<option value="T.SNN.P2"[^>]*>Phòng Đất đai</option>',
                     page), page
    assert 'name="unit"' in page and "<select" in page and 'value="T.SXD.MC"' not in page  # no desk to consult
    r = client.post(f"/ho-so/{d.code}/consult/", {"unit": "T.SNN.P2", "question": "Ý kiến về đất đai?"})
    assert r.status_code == 302
    assert Consultation.objects.get().unit == org["other_division"]


def test_the_consulted_unit_answers_from_its_list_without_a_number(people, permit, client_for):
    d = _taken(people)
    c = wf.consult(people["cuong"], d, unit_code="T.SNN", question="Ý kiến về quy hoạch sử dụng đất?")
    khanh = client_for("khanh")
    page = khanh.get("/ho-so/", {"bucket": "consultations"})
    html = page.content.decode()
    assert page.status_code == 200 and page.context["counts"]["consultations"] == 1
    assert "Ý kiến về quy hoạch sử dụng đất?" in html and d.code in html
    assert c.due_at.astimezone(t(2026, 1, 1).tzinfo).strftime("%d/%m/%Y %H:%M") in html
    assert f'name="consultation" value="{c.pk}"' in html and "Xin ý kiến gửi đơn vị tôi" in html
    # The asking officer's unit is not asked: nothing in his list.
    assert client_for("cuong").get("/ho-so/", {"bucket": "consultations"}).context["counts"]["consultations"] == 0

    r = khanh.post(f"/ho-so/{d.code}/answer-consultation/",
                   {"consultation": c.pk, "answer": "Phù hợp quy hoạch", "agrees": "yes",
                    "next": "/ho-so/?bucket=consultations"})
    assert r.status_code == 302 and r["Location"] == "/ho-so/?bucket=consultations"
    c.refresh_from_db()
    assert c.answered_by == people["khanh"] and c.agrees and c.answer == "Phù hợp quy hoạch"
    assert khanh.get("/ho-so/", {"bucket": "consultations"}).context["counts"]["consultations"] == 0


def test_the_answer_page_lists_the_requests_to_choose_from(people, permit, client_for):
    d = _taken(people)
    c = wf.consult(people["cuong"], d, unit_code="T.SNN", question="Ý kiến về đất đai?")
    page = client_for("khanh").get(f"/ho-so/{d.code}/answer-consultation/").content.decode()
    assert re.search(rf'<option value="{c.pk}"[^>]*>Sở Nông nghiệp và Môi trường: Ý kiến về đất đai\?', page)
    # Another site's address is not followed after the answer.
    r = client_for("khanh").post(f"/ho-so/{d.code}/answer-consultation/",
                                 {"consultation": c.pk, "answer": "Không", "agrees": "no",
                                  "next": "https://example.com/"})
    assert r.status_code == 302 and r["Location"] == f"/ho-so/{d.code}/"
    c.refresh_from_db()
    assert c.agrees is False
