"""The action registry drives the staff pages and the API alike: for every action × status × persona, the web
page and the API agree on who may, on the refusal's status and on the outcome.

Each status is reached through the services (never by writing the status), each request runs inside a
savepoint that is rolled back, so the web and the API start from the same dossier.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction
from django.test import Client

from motcua.accounts import services as accounts
from motcua.dossiers import actions, services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import MissingItem
from motcua.dossiers.workflow import services as wf

from .conftest import intake
from .workflow_helpers import construction_permit, received, t

STAFF = ("binh", "cuong", "dung", "giang", "khanh", "thanh")
AT = t(2026, 11, 2, 9, 0)

# A valid input for every action, as the staff page's form posts it and as the API's JSON body.
INPUTS: dict[str, tuple[dict[str, str], dict[str, object]]] = {
    "accept": ({}, {}),
    "request-supplement": ({"missing": "Bản vẽ thiết kế — mờ"},
                           {"missing": [{"document": "Bản vẽ thiết kế", "reason": "mờ"}]}),
    "refuse": ({"reason": "Không thuộc thẩm quyền"}, {"reason": "Không thuộc thẩm quyền"}),
    "submit-supplement": ({"doc1_provided": "on", "doc2_provided": "on"},
                          {"documents": [{"order": 1}, {"order": 2}]}),
    "transfer": ({}, {}),
    "start-clock": ({"event_at": "2026-11-02 09:30", "reference": "12/TB-HĐ"},
                    {"event_at": "2026-11-02T09:30:00+07:00", "reference": "12/TB-HĐ"}),
    "request-withdrawal": ({"reason": "Xin rút"}, {"reason": "Xin rút"}),
    "stop": ({"reason": ""}, {"reason": ""}),
    "claim": ({}, {}),
    "assign": ({"officer": "cuong"}, {"officer": "cuong"}),
    "transfer-step": ({"note": "Đạt"}, {"note": "Đạt"}),
    "return-step": ({"reason": "Làm lại"}, {"reason": "Làm lại"}),
    "consult": ({"unit": "T.SNN", "question": "Ý kiến?"}, {"unit": "T.SNN", "question": "Ý kiến?"}),
    "answer-consultation": ({"consultation": "999999", "answer": "Đồng ý", "agrees": "on"},
                            {"consultation": 999999, "answer": "Đồng ý", "agrees": True}),
    "approve": ({"note": ""}, {"note": ""}),
    "sign": ({"note": ""}, {"note": ""}),
    "refuse-after-appraisal": ({"reason": "Không đạt"}, {"reason": "Không đạt"}),
    "record-result": ({"number": "9/GPXD", "issued_on": "2026-11-27"}, {"number": "9/GPXD", "issued_on": "2026-11-27"}),
    "request-payment": ({"amount_vnd": "100000", "description": "Lệ phí"},
                        {"amount_vnd": 100000, "description": "Lệ phí"}),
    "confirm-payment": ({"channel": "desk", "receipt_number": "BL1"}, {"channel": "desk", "receipt_number": "BL1"}),
    "draft-apology": ({"reason": "Chậm", "new_due_at": "2027-01-20 16:00"},
                      {"reason": "Chậm", "new_due_at": "2027-01-20T16:00:00+07:00"}),
    "approve-apology": ({"note": ""}, {"note": ""}),
    "sign-apology": ({"note": ""}, {"note": ""}),
    "approve-refusal": ({"note": ""}, {"note": ""}),
    "sign-refusal": ({"note": ""}, {"note": ""}),
    "approve-supplement": ({"note": ""}, {"note": ""}),
    "sign-supplement": ({"note": ""}, {"note": ""}),
    "return-refusal": ({"reason": "Chưa đủ căn cứ"}, {"reason": "Chưa đủ căn cứ"}),
    "return-supplement": ({"reason": "Không cần bổ sung"}, {"reason": "Không cần bổ sung"}),
    "return-result": ({"method": "post", "postal_tracking": "EB123456789VN"},
                      {"method": "post", "postal_tracking": "EB123456789VN"}),
}


def test_every_action_has_an_input_here():
    assert set(INPUTS) == set(actions.REGISTRY)


def _signed(people) -> Dossier:  # type: ignore[no-untyped-def]
    d = services.transfer(people["binh"], received(people, AT), at=AT)
    wf.assign(people["dung"], d, people["cuong"], at=AT)
    wf.transfer_step(people["cuong"], d, note="Đạt", at=AT)
    wf.approve(people["dung"], d, at=AT)
    wf.sign(people["giang"], d, at=AT)
    return d


def _in_status(status: int, people) -> Dossier:  # type: ignore[no-untyped-def]
    """A dossier brought to ``status`` by the services, as it happens at the desk and in processing."""
    online = intake(procedure="1.013236", channel="online")
    if status == Status.NEW:
        d = services.submit_online(people["an"], online)
    elif status == Status.RECEIVED:
        d = received(people, AT)
    elif status == Status.NOT_RECEIVED:
        d = services.refuse_intake(people["binh"], services.submit_online(people["an"], online), "Sai thẩm quyền")
    elif status == Status.IN_PROGRESS:
        d = services.transfer(people["binh"], received(people, AT), at=AT)
    elif status == Status.SUPPLEMENT_REQUESTED:
        d = services.request_supplement(people["binh"], services.submit_online(people["an"], online),
                                        [MissingItem("Bản vẽ thiết kế", "mờ")])
    elif status == Status.PAYMENT_REQUESTED:
        d = services.transfer(people["binh"], received(people, AT), at=AT)
        wf.request_payment(people["binh"], d, amount_vnd=100000, at=AT)
    elif status == Status.WITHDRAWAL_REQUESTED:
        d = services.request_withdrawal(people["binh"], received(people, AT), "Xin rút")
    elif status == Status.STOPPED:
        d = services.stop(people["binh"], services.request_withdrawal(people["binh"], received(people, AT)))
    elif status == Status.DONE:
        d = _signed(people)
        wf.record_result(people["binh"], d, number="1/GPXD", issued_on=AT.date(), at=AT)
    else:
        d = _signed(people)
        wf.record_result(people["binh"], d, number="1/GPXD", issued_on=AT.date(), at=AT)
        wf.return_result(people["binh"], d, method="desk", at=AT,
                         collection=wf.Collection(name="Nguyễn Văn An", id_number="068090000123", signed=True))
    d = Dossier.objects.get(pk=d.pk)
    assert d.status == status
    return d


def _tried(client: Client, path: str, d: Dossier, ok: int, *args: object, **kwargs: object) -> tuple[object, ...]:
    """POST to ``path``, read what it did to the dossier, then undo it: the outcome ("ok" or the refusal's
    status), the dossier's status and its number of events."""
    point = transaction.savepoint()
    try:
        response = client.post(path, *args, **kwargs)
        after = Dossier.objects.get(pk=d.pk)
        return ("ok" if response.status_code == ok else response.status_code, after.status,
                DossierEvent.objects.filter(dossier=d).count())
    finally:
        transaction.savepoint_rollback(point)


@pytest.mark.parametrize("status", list(Status))
def test_web_and_api_agree_for_every_action_and_persona(status, people, org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    construction_permit(org)
    d = _in_status(status, people)
    code = d.public_id
    clients, tokens = {}, {}
    for name in STAFF:
        clients[name] = Client()
        clients[name].force_login(people[name])
        tokens[name] = f"Bearer {accounts.create_token(people[name], 'test')[1]}"
    for name in STAFF:
        web, auth = clients[name], tokens[name]
        page = web.get(f"/ho-so/{code}/")
        d.refresh_from_db()  # the opening of the page is logged: one event more
        # The forms and the desk's scanning step are pages, not actions.
        buttons = set(re.findall(rf'href="/ho-so/{re.escape(code)}/([a-z-]+)/"', page.content.decode())) - {
            "phieu", "so-hoa"}
        allowed = set()
        for slug in [*actions.REGISTRY, "fly"]:
            form_data, body = INPUTS.get(slug, ({}, {}))
            # The API checks who and status before it reads the body: a body that is no JSON object shows
            # which check refused (404, 403, 409) or that both passed (400).
            precheck = Client().post(f"/api/v1/dossiers/{code}/actions/{slug}", "[]",
                                     content_type="application/json", HTTP_AUTHORIZATION=auth).status_code
            assert precheck in (400, 403, 404, 409), (name, slug, precheck)
            if precheck == 400:
                allowed.add(slug)
            by_web = _tried(web, f"/ho-so/{code}/{slug}/", d, 302, form_data)
            by_api = _tried(Client(), f"/api/v1/dossiers/{code}/actions/{slug}", d, 200, json.dumps(body),
                            content_type="application/json", HTTP_AUTHORIZATION=auth)
            assert by_web == by_api, (name, slug, by_web, by_api)
            if precheck != 400:  # refused before the input is read: nothing changed
                assert by_web == (precheck, d.status, d.event_count), (name, slug, by_web)
        # The page shows exactly what the API does not refuse before reading the input.
        assert buttons == allowed, (name, buttons, allowed)
