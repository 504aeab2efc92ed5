"""The work queue's "at risk" with the lateness model: the model's word replaces the fixed rule for the
dossiers it has scored, and only for them; without predictions (or without the provider) the fixed rule
stays. The rows and the API show the probability and the reasons in the reader's language."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from motcua.dossiers import risk, services
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import selectors as wf_selectors
from motcua.dossiers.workflow.models import ProcessingStep
from motcua.insight.models import LatenessModel, Prediction
from motcua.insight.prediction.selectors import Provider
from tests.dossiers.conftest import intake, procedure  # noqa: F401 - the dossiers' fixtures

pytestmark = pytest.mark.django_db
WEDNESDAY_MORNING = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
REASONS = [{"code": "step_wait", "weight": 0.3, "step": "Thẩm định hồ sơ", "days": 3.0, "percentile": 90},
           {"code": "supplements", "weight": 0.1, "count": 1}]


@pytest.fixture(autouse=True)
def _working_morning():  # type: ignore[no-untyped-def]
    with time_machine.travel(WEDNESDAY_MORNING, tick=True):
        yield


def _in_progress(people, **fields) -> Dossier:  # type: ignore[no-untyped-def]
    d = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    now = timezone.now()
    # Test set-up only: the dates the case needs; the current step due after now.
    Dossier.objects.filter(pk=d.pk).update(**fields)
    ProcessingStep.objects.filter(dossier=d, open=True).update(due_at=now + dt.timedelta(days=2))
    return Dossier.objects.get(pk=d.pk)


@pytest.fixture
def cases(procedure, people):  # type: ignore[no-untyped-def]  # noqa: F811
    now = timezone.now()
    ruled = _in_progress(people, risk_at=now - dt.timedelta(hours=1), due_at=now + dt.timedelta(days=3))
    calm = _in_progress(people, risk_at=None, due_at=now + dt.timedelta(days=5))
    return {"ruled": ruled, "calm": calm}


def _predict(d: Dossier, probability: float, reasons: list[dict] | None = None) -> Prediction:  # type: ignore[type-arg]
    m = LatenessModel.objects.filter(active=True).first() or LatenessModel.objects.create(
        library="test", artefact=b"", artefact_hmac="", active=True)
    return Prediction.objects.create(dossier=d, model=m, scored_at=timezone.now(), probability=probability,
                                     at_risk=probability >= settings.MOTCUA_INSIGHT_RISK_THRESHOLD,
                                     expected_finish=timezone.now() + dt.timedelta(days=6), reasons=reasons or [])


def _at_risk(user) -> set[str]:  # type: ignore[no-untyped-def]
    queue = wf_selectors.queue_for(user, wf_selectors.QueueFilters(bucket="at_risk"))
    codes = {s.dossier.code for s in queue.items}
    assert queue.counts["at_risk"] == len(codes)
    return codes


def test_the_model_replaces_the_rule_only_where_it_has_scored(cases, people):
    giang = people["giang"]
    assert isinstance(risk.provider(), Provider)  # registered by InsightConfig.ready
    assert _at_risk(giang) == {cases["ruled"].code}  # no prediction: the fixed rule
    _predict(cases["calm"], 0.8, REASONS)
    assert _at_risk(giang) == {cases["ruled"].code, cases["calm"].code}  # the model flags it; the other keeps the rule
    _predict(cases["ruled"], 0.05)
    assert _at_risk(giang) == {cases["calm"].code}  # the model clears the rule's flag
    registered = risk.provider()
    try:
        risk.register_risk_provider(None)
        assert _at_risk(giang) == {cases["ruled"].code}  # without the provider, the fixed rule everywhere
    finally:
        risk.register_risk_provider(registered)


def _row_of(page: str, code: str) -> str:
    start = page.index(f'href="/ho-so/{code}/"')
    return page[page.rindex("<tr", 0, start):page.index("</tr>", start)]


def test_the_queue_rows_show_the_probability_and_the_reasons_in_vietnamese_and_english(cases, client_for):
    _predict(cases["calm"], 0.8, REASONS)
    client = client_for("giang")
    page = client.get("/ho-so/", {"bucket": "at_risk"}).content.decode()
    row = _row_of(page, cases["calm"].code)
    assert "80% khả năng trễ hạn" in row and "Có nguy cơ trễ hẹn" in row
    assert "bước “Thẩm định hồ sơ” đang chờ 3 ngày làm việc, dài hơn 90% hồ sơ cùng loại" in row
    assert "đã yêu cầu bổ sung hồ sơ 1 lần" in row
    assert "80%" not in _row_of(page, cases["ruled"].code)  # no prediction: no probability shown
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    row = _row_of(client.get("/ho-so/", {"bucket": "at_risk"}).content.decode(), cases["calm"].code)
    assert "80% chance of ending late" in row
    assert "the step “Thẩm định hồ sơ” has been waiting 3 working days, longer than 90% of dossiers" in row


def test_the_api_queue_carries_the_prediction_in_the_request_language(cases, token_for):
    _predict(cases["calm"], 0.8, REASONS)
    body = Client().get("/api/v1/queues/mine", {"bucket": "at_risk"}, HTTP_AUTHORIZATION=token_for("giang"),
                        HTTP_ACCEPT_LANGUAGE="en").json()
    items = {i["dossier"]["code"]: i for i in body["items"]}
    assert items[cases["calm"].code]["state"] == "at_risk"
    got = items[cases["calm"].code]["risk"]
    assert got["probability"] == 0.8 and got["at_risk"] is True and got["expected_finish"]
    assert got["reasons"][0].startswith("the step “Thẩm định hồ sơ” has been waiting 3 working days")
    assert items[cases["ruled"].code]["risk"] is None
    vi = Client().get("/api/v1/queues/mine", {"bucket": "at_risk"}, HTTP_AUTHORIZATION=token_for("giang"),
                      HTTP_ACCEPT_LANGUAGE="vi").json()
    text = next(i for i in vi["items"] if i["dossier"]["code"] == cases["calm"].code)["risk"]["reasons"][0]
    assert text.startswith("bước “Thẩm định hồ sơ” đang chờ 3 ngày làm việc")
