"""Query counts of the work queue and the dossier page do not grow with the number of rows; the demo runs."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.dossiers.workflow import selectors as wf_selectors
from motcua.dossiers.workflow import services as wf

from .workflow_helpers import construction_permit, in_progress, t

pytestmark = pytest.mark.django_db


def _dossiers(people, n: int) -> list:  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        d = in_progress(people, t(2026, 8, 3, 9, i))
        wf.assign(people["dung"], d, people["cuong"], at=t(2026, 8, 3, 10, 0))
        out.append(d)
    return out


def _count(fn) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["cuong", "dung", "giang", "binh"])
def test_queue_queries_do_not_grow_with_rows(people, org, who):
    construction_permit(org)
    _dossiers(people, 2)
    user = type(people[who]).objects.get(pk=people[who].pk)
    few = _count(lambda: wf_selectors.queue_for(user, wf_selectors.QueueFilters(q="nguyen")))
    _dossiers(people, 6)
    user = type(user).objects.get(pk=user.pk)  # a fresh request: no cached role assignments
    many = _count(lambda: wf_selectors.queue_for(user, wf_selectors.QueueFilters(q="nguyen")))
    assert many == few


def test_queue_and_dossier_page_through_the_api(people, org, token_for, django_assert_max_num_queries):
    construction_permit(org)
    ds = _dossiers(people, 8)
    token = token_for("cuong")
    with django_assert_max_num_queries(8):
        body = Client().get("/api/v1/queues/mine?sort=-due", HTTP_AUTHORIZATION=token).json()
    assert body["count"] == 8 and len(body["items"]) == 8 and body["counts"]["mine"] == 8
    with django_assert_max_num_queries(40):
        detail = Client().get(f"/api/v1/dossiers/{ds[0].code}", HTTP_AUTHORIZATION=token).json()
    assert len(detail["steps"]) == 6


def test_dossier_detail_queries_do_not_grow_with_history(people, org):
    construction_permit(org)
    d = _dossiers(people, 1)[0]
    user = people["giang"]
    short = _count(lambda: wf_selectors.dossier_detail(type(user).objects.get(pk=user.pk), d.code))
    wf.consult(people["cuong"], d, unit_code="T.SNN", question="?", at=t(2026, 8, 3, 11, 0))
    wf.consult(people["cuong"], d, unit_code="T.SNN", question="??", at=t(2026, 8, 3, 11, 5))
    wf.draft_apology(people["dung"], d, reason="Chờ ý kiến", new_due_at=t(2026, 8, 20, 9, 0), at=t(2026, 8, 4, 9, 0))
    wf.approve_apology(people["dung"], d, at=t(2026, 8, 4, 9, 30))
    wf.sign_apology(people["giang"], d, at=t(2026, 8, 4, 10, 0), issue_form=False)
    long = _count(lambda: wf_selectors.dossier_detail(type(user).objects.get(pk=user.pk), d.code))
    assert long == short


def test_demo_seeds_dossiers_through_the_services_and_is_idempotent(people, org, monkeypatch):
    from motcua.dossiers import demo
    from motcua.dossiers.models import Dossier

    construction_permit(org, code="1.013236")
    monkeypatch.setattr(demo, "CODES", ("1.013236",))
    monkeypatch.setattr(demo, "AGENCY", "T.SXD")
    monkeypatch.setattr(demo._Sim, "consult_unit", "T.SNN")
    out = io.StringIO()
    demo.seed(out, count=25)
    assert "25 construction dossiers" in out.getvalue()
    # and the construction permit withdrawn late and filed again (``seed_resubmission``), for the inspector
    assert Dossier.objects.count() == 25 + 2
    assert Dossier.objects.filter(applicant_id_number=demo.RESUBMIT_ID).count() == 2
    assert Dossier.objects.filter(status=10).exists() and Dossier.objects.filter(status=4).exists()
    demo.seed(out, count=25)
    assert Dossier.objects.count() == 25 + 2
