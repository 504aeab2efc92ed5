"""Who sees which open step in the work queue (``workflow.selectors.work_q`` / ``queue_for``, also behind
GET /api/v1/queues/mine and the queue screen).

A division head oversees every current step of their division, claimed or not, with the officer who holds
it; a specialist sees the steps of their division nobody holds yet and their own, never a colleague's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.accounts.models import RoleAssignment, User
from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import selectors as wf_selectors
from motcua.dossiers.workflow import services as wf
from motcua.dossiers.workflow.models import ProcessingStep

from .conftest import fresh, intake, officer, queue_codes
from .workflow_helpers import construction_permit, in_progress, t

pytestmark = pytest.mark.django_db


def _in_progress(people, n: int = 1) -> list[Dossier]:  # type: ignore[no-untyped-def]
    """Default steps: the specialist's step sits at the agency (Sở Xây dựng), open to each of its divisions."""
    return [services.transfer(people["binh"], services.receive_at_desk(people["binh"], intake())) for _ in range(n)]


def test_head_sees_a_step_a_specialist_of_the_division_claimed(procedure, people, head2):
    d = _in_progress(people)[0]
    assert d.code in queue_codes(people["dung"])
    wf.claim(people["cuong"], Dossier.objects.get(pk=d.pk))
    queue = wf_selectors.queue_for(fresh(people["dung"]))
    assert [s.dossier.code for s in queue.items] == [d.code]
    assert queue.items[0].actor_id == people["cuong"].pk  # who holds it
    assert queue.counts["total"] == 1 and queue.counts["unassigned"] == 0 and queue.counts["mine"] == 0
    # Held by an officer of another division: not this head's to oversee.
    assert d.code not in queue_codes(head2)


def test_head_of_another_division_sees_the_step_its_own_specialist_claimed(procedure, people, org, head2):
    d = _in_progress(people)[0]
    assert d.code in queue_codes(head2)  # unclaimed at the agency: open to each division
    khoa = officer("khoa", "Trịnh Văn Khoa", org["division2"])
    wf.claim(khoa, Dossier.objects.get(pk=d.pk))
    assert d.code in queue_codes(head2)
    assert d.code not in queue_codes(people["dung"])
    assert d.code in queue_codes(khoa) and d.code not in queue_codes(people["cuong"])


def test_head_sees_a_claimed_step_placed_at_the_division(people, org):
    construction_permit(org)
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], Dossier.objects.get(pk=d.pk), at=t(2026, 8, 3, 10, 0))
    assert d.code in queue_codes(people["dung"])


def test_head_still_sees_it_after_assigning(people, org, em):
    construction_permit(org)
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.assign(people["dung"], Dossier.objects.get(pk=d.pk), em, at=t(2026, 8, 3, 10, 0))
    assert d.code in queue_codes(people["dung"])
    assert d.code in queue_codes(em) and d.code not in queue_codes(people["cuong"])


def test_specialist_sees_unclaimed_and_own_but_not_a_colleagues(procedure, people, em):
    free, mine, theirs = _in_progress(people, 3)
    wf.claim(people["cuong"], Dossier.objects.get(pk=mine.pk))
    wf.claim(em, Dossier.objects.get(pk=theirs.pk))
    assert queue_codes(people["cuong"]) == {free.code, mine.code}
    assert queue_codes(em) == {free.code, theirs.code}
    assert queue_codes(people["dung"]) == {free.code, mine.code, theirs.code}
    counts = wf_selectors.queue_for(fresh(people["dung"])).counts
    assert counts["total"] == 3 and counts["unassigned"] == 1


def test_a_claim_by_someone_no_longer_in_the_division_is_not_the_heads(procedure, people, em):
    d = _in_progress(people)[0]
    wf.claim(em, Dossier.objects.get(pk=d.pk))
    RoleAssignment.objects.filter(user=em).update(valid_to=dt.date(2020, 1, 1))
    assert d.code not in queue_codes(people["dung"])


def test_queue_screen_and_api_show_the_head_who_holds_it(procedure, people, client_for, token_for):
    d = _in_progress(people)[0]
    wf.claim(people["cuong"], Dossier.objects.get(pk=d.pk))
    # Test set-up only: the step's deadline has passed (not the dossier's), so that it is in the screen's
    # "step past its deadline" work bucket.
    ProcessingStep.objects.filter(dossier=d, open=True).update(due_at=timezone.now() - dt.timedelta(hours=1))
    response = client_for("dung").get("/ho-so/", {"bucket": "step_overdue"})
    page = response.content.decode()
    assert f"/ho-so/{d.code}/" in page and "Lê Văn Cường" in page
    assert response.context["counts"]["step_overdue"] == 1 and response.context["counts"]["overdue"] == 0
    body = Client().get("/api/v1/queues/mine", HTTP_AUTHORIZATION=token_for("dung")).json()
    assert [i["dossier"]["code"] for i in body["items"]] == [d.code]
    assert body["items"][0]["step"]["officer"] == "Lê Văn Cường"
    body = Client().get("/api/v1/queues/mine", HTTP_AUTHORIZATION=token_for("cuong")).json()
    assert [i["dossier"]["code"] for i in body["items"]] == [d.code]
    other = Client().get("/api/v1/queues/mine", HTTP_AUTHORIZATION=token_for("khanh")).json()
    assert other["count"] == 0


def _count(user: User) -> int:
    with CaptureQueriesContext(connection) as ctx:
        wf_selectors.queue_for(fresh(user))
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["dung", "cuong"])
def test_query_count_does_not_grow_with_claimed_rows(procedure, people, em, who):
    for d in _in_progress(people, 2):
        wf.claim(people["cuong"], d)
    wf.claim(em, _in_progress(people)[0])
    few = _count(people[who])
    for d in _in_progress(people, 6):
        wf.claim(people["cuong"], d)
    for d in _in_progress(people, 3):
        wf.claim(em, d)
    _in_progress(people, 2)
    many = _count(people[who])
    assert many == few
    assert len(wf_selectors.queue_for(fresh(people[who])).items) == (14 if who == "dung" else 10)
