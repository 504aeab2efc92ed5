"""Each officer's own work (issue 14, item 14): after signing in, staff land on their own list (a citizen on
their own page); the queue has "assigned to me", "waiting for me to take", "waiting for my review or signature"
and "asked of my unit" besides the listings of everything, each sorted by what is due first."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as wf
from motcua.dossiers.workflow.models import ProcessingStep

from .conftest import intake
from .workflow_helpers import construction_permit

pytestmark = pytest.mark.django_db

VN = dt.timezone(dt.timedelta(hours=7))
# A Wednesday morning of working time, far from any holiday (the clock still moves).
WEDNESDAY_MORNING = dt.datetime(2026, 6, 10, 9, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def _working_morning():  # type: ignore[no-untyped-def]
    with time_machine.travel(WEDNESDAY_MORNING, tick=True):
        yield


@pytest.mark.parametrize(("username", "landing"), [
    ("cuong", "/ho-so/?bucket=mine"), ("dung", "/ho-so/?bucket=mine"), ("giang", "/ho-so/?bucket=mine"),
    ("binh", "/ho-so/?bucket=to_check"), ("thanh", "/ho-so/"), ("an", "/cong-dan/"),
])
def test_after_signing_in_each_lands_on_their_own_list(people, username, landing):
    client = Client()
    response = client.post("/tai-khoan/dang-nhap/", {"username": username, "password": "mat-khau-dai-1"})
    assert response.status_code == 302 and response["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_page_that_asked_for_the_sign_in_comes_first(people):
    response = Client().post("/tai-khoan/dang-nhap/?next=/ho-so/tim-kiem/",
                             {"username": "cuong", "password": "mat-khau-dai-1", "next": "/ho-so/tim-kiem/"})
    assert response["Location"] == "/ho-so/tim-kiem/"


def _in_progress(people, due: dt.datetime) -> Dossier:  # type: ignore[no-untyped-def]
    d = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    # Test set-up only: the step's deadline that the own lists sort by.
    ProcessingStep.objects.filter(dossier=d, open=True).update(due_at=due)
    return Dossier.objects.get(pk=d.pk)


def _codes(client: Client, bucket: str) -> list[str]:
    response = client.get("/ho-so/", {"bucket": bucket})
    assert response.status_code == 200
    return [row.dossier.code for row in response.context["rows"]]


def test_assigned_to_me_lists_only_mine_soonest_due_first(people, procedure, client_for):
    later = _in_progress(people, WEDNESDAY_MORNING + dt.timedelta(days=6))
    sooner = _in_progress(people, WEDNESDAY_MORNING + dt.timedelta(days=2))
    colleague = _in_progress(people, WEDNESDAY_MORNING + dt.timedelta(days=1))
    free = _in_progress(people, WEDNESDAY_MORNING + dt.timedelta(days=3))
    for d in (later, sooner):
        wf.assign(people["dung"], d, people["cuong"])
    wf.assign(people["dung"], colleague, people["dung"])

    cuong = client_for("cuong")
    assert _codes(cuong, "mine") == [sooner.code, later.code]
    assert _codes(cuong, "to_take") == [free.code]
    page = cuong.get("/ho-so/", {"bucket": "mine"})
    assert page.context["counts"]["mine"] == 2 and page.context["counts"]["to_take"] == 1
    html = page.content.decode()
    assert "Giao cho tôi" in html and "Chờ tôi nhận" in html and "Xin ý kiến gửi đơn vị tôi" in html
    assert "Chờ tôi ký/duyệt" not in html  # a specialist neither approves nor signs
    # The whole listing is still there.
    assert {colleague.code, free.code, sooner.code} <= set(_codes(cuong, ""))


@time_machine.travel(dt.datetime(2026, 8, 5, 9, 0, tzinfo=VN), tick=True)  # the permit's version is in force
def test_waiting_for_my_review_or_signature(people, org, client_for):
    construction_permit(org)
    reviewed = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    wf.assign(people["dung"], reviewed, people["cuong"])
    wf.transfer_step(people["cuong"], reviewed, note="Đạt")
    signed = services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake()))
    wf.assign(people["dung"], signed, people["cuong"])
    wf.transfer_step(people["cuong"], signed, note="Đạt")
    wf.approve(people["dung"], signed)

    dung = client_for("dung")
    assert _codes(dung, "to_sign") == [reviewed.code]  # the head reviews ("duyệt")
    assert "Chờ tôi ký/duyệt" in dung.get("/ho-so/").content.decode()
    assert _codes(client_for("giang"), "to_sign") == [signed.code]  # the leader signs ("ký")
    assert _codes(client_for("cuong"), "to_sign") == []
