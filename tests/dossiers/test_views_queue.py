"""The processing screens (issue 6): my queue (due today, overdue, at risk; sortable, filterable, searchable)
and the dossier page with its documents, history, clock and forms, at a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from motcua.dossiers import services
from motcua.dossiers.choices import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as wf
from motcua.dossiers.workflow.models import ProcessingStep

from .conftest import intake

pytestmark = pytest.mark.django_db

# The buckets depend on the hour: late in the afternoon "due today" and "at risk" meet. The screens are
# tested on a Wednesday morning, working time, far from any holiday; the clock still moves (tick).
WEDNESDAY_MORNING = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture(autouse=True)
def _working_morning():  # type: ignore[no-untyped-def]
    with time_machine.travel(WEDNESDAY_MORNING, tick=True):
        yield


def _receive(people, n: int = 1, **overrides) -> list[Dossier]:  # type: ignore[no-untyped-def]
    return [services.receive_at_desk(people["binh"], intake(**overrides)) for _ in range(n)]


def _in_progress(people, n: int = 1, **overrides) -> list[Dossier]:  # type: ignore[no-untyped-def]
    """Received and handed to the processing unit, where the processing staff see it."""
    return [services.transfer(people["binh"], d) for d in _receive(people, n, **overrides)]


def _set_due(dossier: Dossier, due: dt.datetime) -> None:
    # Test set-up only: place the promised date (and the open step's deadline, which the queue's buckets go
    # by) where the bucket under test needs it.
    Dossier.objects.filter(pk=dossier.pk).update(due_at=due)
    ProcessingStep.objects.filter(dossier=dossier, open=True).update(due_at=due)


def _at_risk(people, dossier: Dossier) -> Dossier:  # type: ignore[no-untyped-def]
    """Make the dossier at risk by the real rule: its promised date comes an hour after its open step's
    deadline, less than the later steps' planned time; the claim recomputes ``risk_at`` (workflow services)."""
    step = ProcessingStep.objects.get(dossier=dossier, open=True)
    # About one working day ahead (the clock ticks in this test: not an exact day on a slow machine).
    assert step.due_at is not None and step.due_at > timezone.now() + dt.timedelta(hours=20)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=step.due_at + dt.timedelta(hours=1))
    wf.claim(people["cuong"], Dossier.objects.get(pk=dossier.pk))
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.risk_at is not None and dossier.risk_at <= timezone.now() < dossier.due_at
    return dossier


def test_anonymous_and_citizen(procedure, client_for):
    assert Client().get("/ho-so/").status_code == 302
    assert client_for("an").get("/ho-so/").status_code == 403


@pytest.mark.parametrize("who", ["binh", "cuong", "dung", "giang", "thanh"])
def test_every_member_of_staff_has_a_queue(procedure, people, client_for, who):
    d = _in_progress(people)[0]
    page = client_for(who).get("/ho-so/").content.decode()
    assert f"/ho-so/{d.code}/" in page


def test_the_queue_does_not_show_other_agencies_dossiers(procedure, people, client_for):
    d = _receive(people)[0]
    response = client_for("khanh").get("/ho-so/")
    assert response.status_code == 200 and f"/ho-so/{d.code}/" not in response.content.decode()


def test_buckets_due_today_overdue_at_risk(procedure, people, client_for):
    late, today, soon, later = _in_progress(people, 4)
    now = timezone.now()
    _set_due(late, now - dt.timedelta(hours=2))
    end_of_day = timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time.min))
    _set_due(today, now + (end_of_day - now) / 2)
    soon = _at_risk(people, soon)  # by the real rule (the stand-in "less than two working days" is gone)
    _set_due(later, now + dt.timedelta(days=60))
    client = client_for("cuong")

    def codes(bucket: str) -> set[str]:
        page = client.get("/ho-so/", {"bucket": bucket}).content.decode()
        return {d.code for d in (late, today, soon, later) if f"/ho-so/{d.code}/" in page}

    assert codes("overdue") == {late.code}
    assert codes("due_today") == {today.code}
    assert codes("at_risk") == {soon.code}
    assert codes("") == {late.code, today.code, soon.code, later.code}


def test_a_dossier_at_risk_by_the_real_rule_is_in_the_at_risk_bucket(procedure, people, client_for, token_for):
    """At risk = the working time left before the promised date is less than the remaining steps' budgets
    (``risk_at`` passed), even though the promised date is days away; the screen's bucket is the queue's."""
    risky, calm = _in_progress(people, 2)
    risky = _at_risk(people, risky)
    assert risky.due_at is not None and risky.due_at > timezone.now() + dt.timedelta(days=1)
    client = client_for("cuong")  # who took its step
    page = client.get("/ho-so/", {"bucket": "at_risk"}).content.decode()
    assert f"/ho-so/{risky.code}/" in page and f"/ho-so/{calm.code}/" not in page
    assert "flag-risk" in page and "Cường" in page  # the row says so, with the step's officer
    counts = client.get("/ho-so/").context["counts"]
    assert counts["at_risk"] == 1 and counts["due_today"] == 0 and counts["overdue"] == 0
    api = Client().get("/api/v1/queues/mine", {"bucket": "at_risk"}, HTTP_AUTHORIZATION=token_for("cuong"))
    assert api.status_code == 200  # the same queue behind the API
    assert [i["dossier"]["code"] for i in api.json()["items"]] == [risky.code]


def test_dossier_page_shows_the_steps_current_step_and_officer(procedure, people, client_for):
    d = _in_progress(people)[0]
    wf.claim(people["cuong"], Dossier.objects.get(pk=d.pk))
    step = ProcessingStep.objects.get(dossier=d, open=True)
    page = client_for("cuong").get(f"/ho-so/{d.code}/").content.decode()
    assert 'id="sec-processing"' in page and 'aria-current="step"' in page
    assert step.name in page and "Lê Văn Cường" in page
    assert step.due_at is not None and timezone.localtime(step.due_at).strftime("%H:%M %d/%m/%Y") in page


def test_online_submissions_to_check_and_closed(procedure, people, client_for):
    online = services.submit_online(people["an"], intake())
    refused = services.receive_at_desk(people["binh"], intake(outcome="refuse", reason="Sai thẩm quyền"))
    client = client_for("binh")
    page = client.get("/ho-so/", {"bucket": "to_check"}).content.decode()
    assert f"/ho-so/{online.reference}/" in page
    assert f"/ho-so/{refused.reference}/" not in client.get("/ho-so/").content.decode()
    assert f"/ho-so/{refused.reference}/" in client.get("/ho-so/", {"bucket": "closed"}).content.decode()


def test_filter_by_status_and_search_and_sort(procedure, people, client_for):
    a = _receive(people)[0]
    b = _receive(people, applicant=services.Applicant(name="Lê Thị Mai", id_number="079190000001"))[0]
    services.transfer(people["binh"], b)
    client = client_for("binh")
    page = client.get("/ho-so/", {"status": Status.IN_PROGRESS}).content.decode()
    assert f"/ho-so/{b.code}/" in page and f"/ho-so/{a.code}/" not in page
    page = client.get("/ho-so/", {"q": "le thi mai"}).content.decode()
    assert f"/ho-so/{b.code}/" in page and f"/ho-so/{a.code}/" not in page
    _set_due(a, timezone.now() + dt.timedelta(days=3))
    _set_due(b, timezone.now() + dt.timedelta(days=9))
    page = client.get("/ho-so/", {"sort": "-due"}).content.decode()
    assert page.index(f"/ho-so/{b.code}/") < page.index(f"/ho-so/{a.code}/")
    page = client.get("/ho-so/", {"sort": "due"}).content.decode()
    assert page.index(f"/ho-so/{a.code}/") < page.index(f"/ho-so/{b.code}/")


def test_bad_filters_are_ignored_not_a_crash(procedure, people, client_for):
    _receive(people)
    response = client_for("binh").get("/ho-so/", {"status": "99", "sort": "drop table", "page": "x"})
    assert response.status_code == 200


def _queries_for(client: Client, path: str, django_assert_max_num_queries, limit: int) -> None:  # type: ignore[no-untyped-def]
    with django_assert_max_num_queries(limit):
        assert client.get(path).status_code == 200


def test_queue_query_count_does_not_grow_with_rows(procedure, people, client_for, django_assert_max_num_queries):
    _in_progress(people, 2)
    Dossier.objects.update(due_at=timezone.now() - dt.timedelta(minutes=5))  # two rows in the overdue listing
    client = client_for("dung")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/ho-so/")
    with CaptureQueriesContext(connection) as few_bucket:
        client.get("/ho-so/", {"bucket": "overdue"})
    _in_progress(people, 20)
    Dossier.objects.update(due_at=timezone.now() - dt.timedelta(minutes=5))
    ProcessingStep.objects.filter(open=True).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/ho-so/").status_code == 200
    with django_assert_max_num_queries(len(few_bucket.captured_queries)):
        response = client.get("/ho-so/", {"bucket": "overdue"})
    assert response.status_code == 200 and len(response.context["rows"]) == 22
    assert len(few.captured_queries) <= 20 and len(few_bucket.captured_queries) <= 20


def test_dossier_page_query_count_does_not_grow_with_events(procedure, people, client_for,
                                                            django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    d = _receive(people)[0]
    client = client_for("binh")
    client.get(f"/ho-so/{d.code}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/ho-so/{d.code}/")
    services.transfer(people["binh"], d)
    for _ in range(5):
        services.record_personal_data_view(people["binh"], Dossier.objects.get(pk=d.pk), "test")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/ho-so/{d.code}/").status_code == 200
    assert len(few.captured_queries) <= 30


def test_dossier_page_shows_documents_history_clock_and_forms(procedure, people, client_for):
    d = _in_progress(people)[0]
    client = client_for("cuong")
    client_for("binh").get(f"/ho-so/{d.code}/phieu/receipt/")
    page = client.get(f"/ho-so/{d.code}/").content.decode()
    for text in ("Đơn đề nghị cấp giấy phép xây dựng", "Bản vẽ thiết kế", d.code, "Trần Thị Bình",
                 timezone.localtime(d.due_at).strftime("%d/%m/%Y"), "15", "/phieu/receipt/", "/phieu/control-sheet/"):
        assert text in page, text
