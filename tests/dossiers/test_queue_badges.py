"""Issue 14 item 9: the queue's badges say which deadline they mean, and every dossier still being processed
past its promised return date is overdue, whatever its status (reception included): the one definition of
``dossiers.timeliness.overdue_q``, the statistics' too."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow.models import ProcessingStep

from .conftest import intake

pytestmark = pytest.mark.django_db
WEDNESDAY_MORNING = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture(autouse=True)
def _working_morning():  # type: ignore[no-untyped-def]
    with time_machine.travel(WEDNESDAY_MORNING, tick=True):
        yield


def _set(dossier: Dossier, **fields) -> Dossier:  # type: ignore[no-untyped-def]
    # Test set-up only: dates placed where the case needs them.
    Dossier.objects.filter(pk=dossier.pk).update(**fields)
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def cases(procedure, people):  # type: ignore[no-untyped-def]
    now = timezone.now()
    # At reception since long ago, due a month ago: overdue, though no step says so.
    reception = _set(services.receive_at_desk(people["binh"], intake()), due_at=now - dt.timedelta(days=30))
    # Due in a week, but its current step is past its own deadline: a step overdue, not the dossier.
    step_late = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    step_late = _set(step_late, due_at=now + dt.timedelta(days=7))
    ProcessingStep.objects.filter(dossier=step_late, open=True).update(due_at=now - dt.timedelta(hours=3))
    # An apology moved its date into the future: still overdue against the promised date it replaced.
    apologised = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    apologised = _set(apologised, original_due_at=now - dt.timedelta(days=1), due_at=now + dt.timedelta(days=5))
    # Processing done, waiting for the applicant to collect the result: no longer being processed.
    done = _set(services.receive_at_desk(people["binh"], intake()), status=Status.DONE,
                due_at=now - dt.timedelta(days=2))
    return {"reception": reception, "step_late": step_late, "apologised": apologised, "done": done}


def _row_of(page: str, code: str) -> str:
    start = page.index(f'href="/ho-so/{code}/"')
    return page[page.rindex("<tr", 0, start):page.index("</tr>", start)]


@pytest.mark.parametrize("who", ["binh", "giang"])
def test_the_overdue_are_those_past_their_promised_date_in_any_status(cases, client_for, who):
    client = client_for(who)
    response = client.get("/ho-so/", {"bucket": "overdue"})
    page = response.content.decode()
    listed = {name for name, d in cases.items() if f"/ho-so/{d.code}/" in page}
    assert listed == {"reception", "apologised"}
    assert response.context["counts"]["overdue"] == 2
    assert "Quá hạn trả kết quả" in _row_of(page, cases["reception"].code)


def test_badges_name_the_deadline_they_mean(cases, client_for):
    page = client_for("giang").get("/ho-so/").content.decode()
    step_row = _row_of(page, cases["step_late"].code)
    assert "Bước quá hạn" in step_row and "Quá hạn trả kết quả" not in step_row
    assert "Quá hạn trả kết quả" in _row_of(page, cases["reception"].code)
    assert "Quá hạn" not in _row_of(page, cases["done"].code)
    # The bucket of steps past their own deadline holds the step, named as such.
    client = client_for("binh")
    counts = client.get("/ho-so/").context["counts"]
    assert counts["overdue"] == 2


def test_the_api_queue_names_the_dossier_and_the_step_apart(cases, people, token_for):
    from motcua.dossiers.workflow import services as wf

    wf.claim(people["cuong"], Dossier.objects.get(pk=cases["step_late"].pk))
    ProcessingStep.objects.filter(dossier=cases["step_late"], open=True).update(
        due_at=timezone.now() - dt.timedelta(hours=3))
    body = Client().get("/api/v1/queues/mine", HTTP_AUTHORIZATION=token_for("cuong")).json()
    states = {i["dossier"]["code"]: i["state"] for i in body["items"]}
    assert states[cases["step_late"].code] == "step_overdue"
    assert body["counts"]["step_overdue"] >= 1
    assert states.get(cases["apologised"].code, "overdue") == "overdue"


def test_a_second_supplement_request_is_overdue_in_the_queue_as_in_the_statistics(procedure, people, client_for):
    # Only an imported dossier can carry two (the services refuse a second: Decree 118/2025); 766 rule 6 counts
    # it late whatever its dates, and the queue and the dossier page say so too (docs/stats.md, "Overdue").
    now = timezone.now()
    twice = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    twice = _set(twice, due_at=now + dt.timedelta(days=9), processing_supplements=2)
    once = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    once = _set(once, due_at=now + dt.timedelta(days=9), processing_supplements=1)
    client = client_for("giang")
    page = client.get("/ho-so/", {"bucket": "overdue"}).content.decode()
    assert f"/ho-so/{twice.code}/" in page and f"/ho-so/{once.code}/" not in page
    assert "Quá hạn trả kết quả" in _row_of(page, twice.code)
    assert client.get(f"/ho-so/{twice.code}/").context["overdue"] is True
