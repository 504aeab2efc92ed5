"""Sector clocks and the rules of the receipt day (issue 13, items 8 and 9).

- The supplement window during appraisal is a property of the procedure version, counted in whole working
  days after the day of receipt (Civil Code Arts. 147-148), not as N × 8 working hours from the instant.
- A new practising certificate (CCHN) counts its 6 working days from the notice of the evaluation result
  (Decree 212/2026 Arts. 30-31): no promised date until an officer records it, and the receipt says so.
- A dossier is handled under the procedure version in force on the day its complete dossier is received, not
  on the day of a first, incomplete submission (legal-timeline.md §1; the cut-over of 01/07/2026).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from motcua.catalogue.choices import VersionStatus
from motcua.catalogue.models import Field, Procedure, ProcedureVersion, RequiredDocument
from motcua.core.errors import Conflict
from motcua.dossiers import issuing, services
from motcua.dossiers.choices import EventKind, Outcome, Status
from motcua.dossiers.facts import facts_for
from motcua.dossiers.models import Dossier
from motcua.dossiers.timeliness import Outcome as Timeliness
from motcua.dossiers.timeliness import classify
from motcua.dossiers.workflow import services as wf
from motcua.portal import selectors as portal

from .conftest import intake, upload
from .workflow_helpers import construction_permit, in_progress, received, t

pytestmark = pytest.mark.django_db

MISSING = [services.MissingItem("Bản vẽ thiết kế", "Sai tỉ lệ")]


def cchn(org) -> Procedure:  # type: ignore[no-untyped-def]
    """A new practising certificate under Decree 212/2026: 6 working days from the notice of the evaluation
    result; one notice of what is missing within 5 working days of receipt."""
    field = Field.objects.get_or_create(name="Hoạt động xây dựng")[0]
    procedure = Procedure.objects.create(code="1.013237", field=field, agency=org["sxd"], for_individuals=True,
                                         name="Cấp chứng chỉ hành nghề hoạt động xây dựng (CCHN) lần đầu")
    procedure.receiving_units.add(org["desk"])
    version = ProcedureVersion.objects.create(
        procedure=procedure, label="Nghị định 212/2026/NĐ-CP", valid_from=dt.date(2026, 7, 1),
        legal_time_amount=Decimal(6), legal_time_unit="working_days", clock_start="evaluation_result",
        supplement_working_days=5, status=VersionStatus.PUBLISHED)
    RequiredDocument.objects.create(version=version, order=1, name="Đơn đề nghị cấp chứng chỉ hành nghề",
                                    template_name="Mẫu số 01 Phụ lục III")
    RequiredDocument.objects.create(version=version, order=2, name="01 ảnh màu cỡ 4 × 6 cm")
    return procedure


def post_json(path: str, body: dict, token: str = ""):  # type: ignore[no-untyped-def]
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    return Client().post(path, json.dumps(body), content_type="application/json", **headers)


def receipt_text(user, dossier: Dossier) -> str:  # type: ignore[no-untyped-def]
    reader = PdfReader(io.BytesIO(issuing.read(issuing.issue(user, dossier, "receipt"))))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


# --- item 8: the supplement window, in whole working days of the procedure version -----------------------

def test_a_supplement_on_the_afternoon_of_the_third_working_day_is_still_in_time(people, org):
    construction_permit(org)
    d = in_progress(people, t(2026, 8, 3, 10, 0))  # Monday 10:00
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 10, 45))
    # Tuesday, Wednesday, Thursday: the window closes at the end of Thursday, not at Thursday 10:00.
    d = services.request_supplement(people["cuong"], d, MISSING, at=t(2026, 8, 6, 16, 30))
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.processing_supplements == 1


def test_a_five_day_window_of_the_procedure_version_reaches_the_fifth_working_day(people, org):
    # Decree 217/2026 Art. 54: a permit for other works is appraised within 5 working days, and the one notice
    # of what is missing is sent within that appraisal.
    construction_permit(org)
    ProcedureVersion.objects.filter(procedure__code="1.013236").update(supplement_working_days=5)
    d = in_progress(people, t(2026, 8, 3, 10, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 10, 45))
    with pytest.raises(Conflict) as err:  # Tuesday 11/08 is the sixth working day
        services.request_supplement(people["cuong"], d, MISSING, at=t(2026, 8, 11, 8, 0))
    assert err.value.code == "supplement_too_late"
    assert err.value.details["until"] == t(2026, 8, 11, 0, 0).isoformat()
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.processing_supplements == 0
    # Monday 10/08 at 16:00, the fifth working day after Monday 03/08: in time (it closed at 10:00 before).
    d = services.request_supplement(people["cuong"], d, MISSING, at=t(2026, 8, 10, 16, 0))
    assert d.status == Status.SUPPLEMENT_REQUESTED


# --- item 8: a clock that starts at a later event (CCHN) ------------------------------------------------

def test_a_cchn_dossier_has_no_promised_date_until_the_evaluation_result(people, org, client_for, token_for):
    cchn(org)
    d = received(people, t(2026, 8, 3, 10, 0), code="1.013237")
    assert d.code and d.received_at == t(2026, 8, 3, 10, 0)
    assert d.due_at is None and d.clock_start_at is None
    assert d.clock["waits_for"] == "evaluation_result" and Decimal(d.clock["amount"]) == 6
    assert d.transfer_due_at is not None  # the desk still hands it over the same day

    # The receipt says when the time starts instead of a date counted from the receipt (11/08 10:00).
    text = receipt_text(people["binh"], d)
    assert "6 ngày làm việc, tính từ ngày có thông báo kết quả đánh giá" in text
    assert "chưa xác định tại thời điểm tiếp nhận" in text and "Nghị định số 212/2026/NĐ" in text
    assert "ngày 11/08/2026" not in text

    page = client_for("binh").get(f"/ho-so/{d.code}/").content.decode()
    assert "Thời hạn giải quyết được tính từ khi có thông báo kết quả đánh giá" in page
    body = Client().get(f"/api/v1/dossiers/{d.code}", HTTP_AUTHORIZATION=token_for("binh")).json()
    assert body["due_at"] is None and body["clock_waits_for"] == "evaluation_result"
    assert "thông báo kết quả đánh giá" in portal.public_status(d).due_explanation

    # Weeks pass while the council evaluates: nothing is due, so nothing is late.
    d = services.transfer(people["binh"], d, at=t(2026, 8, 3, 10, 30))
    facts, target = facts_for(d)
    judged = classify(facts, t(2026, 9, 30, 9, 0), target)
    assert judged.outcome == Timeliness.ON_TIME and judged.deadline_at is None and facts.start_at is None

    # The specialist records the notice of Thursday 13/08 15:00: 6 working days (48 working hours) from it.
    response = post_json(f"/api/v1/dossiers/{d.code}/actions/start-clock",
                         {"event_at": "2026-08-13T15:00:00+07:00", "reference": "12/TB-HĐ"}, token_for("cuong"))
    assert response.status_code == 200, response.content
    d.refresh_from_db()
    assert d.clock_start_at == t(2026, 8, 13, 15, 0) and d.due_at == t(2026, 8, 21, 15, 0)
    assert d.clock["start_event"] == "evaluation_result"
    started = d.events.get(kind=EventKind.CLOCK, reason="started")
    assert started.data["event"] == "evaluation_result" and started.data["reference"] == "12/TB-HĐ"
    assert Client().get(f"/api/v1/dossiers/{d.code}", HTTP_AUTHORIZATION=token_for("binh")).json()[
        "clock_waits_for"] == ""
    facts, target = facts_for(d)
    assert facts.promised_at == t(2026, 8, 21, 15, 0) and facts.start_at == t(2026, 8, 13, 15, 0)
    assert classify(facts, t(2026, 8, 24, 9, 0), target).outcome == Timeliness.LATE

    # Once only.
    d.refresh_from_db()
    count = d.event_count
    again = post_json(f"/api/v1/dossiers/{d.code}/actions/start-clock",
                      {"event_at": "2026-08-14T09:00:00+07:00"}, token_for("cuong"))
    assert again.status_code == 409 and again.json()["error"]["code"] == "clock_not_waiting"
    d.refresh_from_db()
    assert d.event_count == count and d.due_at == t(2026, 8, 21, 15, 0)


def test_the_staff_page_records_the_event_and_the_applicant_is_told_the_date(people, org, client_for, run):
    from motcua.notifications import services as notify_services
    from motcua.notifications.models import Message

    notify_services.seed_default_templates()
    cchn(org)
    d = run(received, people, t(2026, 8, 3, 10, 0), code="1.013237")
    web = client_for("binh")
    assert "/start-clock/" in web.get(f"/ho-so/{d.code}/").content.decode()  # offered while the clock waits
    response = run(web.post, f"/ho-so/{d.code}/start-clock/", {"event_at": "2026-08-13 15:00", "reference": "7/TB"})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.due_at == t(2026, 8, 21, 15, 0)
    assert "/start-clock/" not in web.get(f"/ho-so/{d.code}/").content.decode()
    [notice] = Message.objects.filter(object_id=str(d.pk), key="dossier.due_date_set")
    assert "thông báo kết quả đánh giá" in notice.body and "15:00 21/08/2026" in notice.body


def test_recording_the_event_is_refused_with_a_reason_and_changes_nothing(people, org, token_for):
    cchn(org)
    construction_permit(org)
    d = received(people, t(2026, 8, 3, 10, 0), code="1.013237")
    path = f"/api/v1/dossiers/{d.code}/actions/start-clock"
    before = (d.event_count, d.due_at, d.clock)
    cases = [
        ({"event_at": "2026-08-03T09:00:00+07:00"}, "binh", 400),  # before the receipt
        ({"event_at": (timezone.now() + dt.timedelta(days=1)).isoformat()}, "binh", 400),  # in the future
        ({"event_at": "2026-08-13T15:00:00+07:00", "reference": "x" * 101}, "binh", 400),
        ({"reference": "12/TB"}, "binh", 400),  # no date
        ({"event_at": "2026-08-13T15:00:00+07:00"}, "", 401),
        ({"event_at": "2026-08-13T15:00:00+07:00"}, "an", 404),  # not hers: not found
        ({"event_at": "2026-08-13T15:00:00+07:00"}, "khanh", 404),
    ]
    for body, who, status in cases:
        response = post_json(path, body, token_for(who) if who else "")
        assert response.status_code == status, (body, who, response.content)
        d.refresh_from_db()
        assert (d.event_count, d.due_at, d.clock) == before, (body, who)
    # A dossier whose time counts from its receipt has no later event to record.
    permit = received(people, t(2026, 8, 3, 10, 0))
    response = post_json(f"/api/v1/dossiers/{permit.code}/actions/start-clock",
                         {"event_at": "2026-08-13T15:00:00+07:00"}, token_for("binh"))
    assert response.status_code == 409 and response.json()["error"]["code"] == "clock_not_waiting"


def test_a_cchn_supplement_counts_its_window_from_the_receipt_and_pauses_no_clock(people, org):
    cchn(org)
    d = services.transfer(people["binh"], received(people, t(2026, 8, 3, 10, 0), code="1.013237"),
                          at=t(2026, 8, 3, 10, 30))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 11, 0))
    # Decree 212/2026: one notice of what is missing within 5 working days: Monday 10/08 is the fifth.
    d = services.request_supplement(people["cuong"], d, MISSING, at=t(2026, 8, 10, 16, 0))
    assert d.status == Status.SUPPLEMENT_REQUESTED and not d.events.filter(kind=EventKind.CLOCK).exists()
    d = services.submit_supplement(people["binh"], d, at=t(2026, 8, 12, 9, 0))
    assert d.status == Status.IN_PROGRESS and d.due_at is None and d.clock["waits_for"] == "evaluation_result"
    d = services.start_clock(people["cuong"], d, event_at=t(2026, 8, 13, 15, 0), at=t(2026, 8, 13, 16, 0))
    assert d.due_at == t(2026, 8, 21, 15, 0)
    # The supplement came before the time started: it is not subtracted from it.
    facts, _target = facts_for(d)
    assert facts.supplements == ()


# --- item 9: the version of the receipt day, not of the first submission ----------------------------------

@pytest.fixture
def two_regimes(org):  # type: ignore[no-untyped-def]
    """The construction permit under the Construction Law 2014 (20 days, until 30/06/2026) and under Decree
    217/2026 Art. 54 (10 working days, from 01/07/2026)."""
    procedure = construction_permit(org)
    old = ProcedureVersion.objects.create(
        procedure=procedure, label="Luật Xây dựng 2014", valid_from=dt.date(2025, 7, 1),
        valid_to=dt.date(2026, 6, 30), legal_time_amount=Decimal(20), legal_time_unit="days",
        status=VersionStatus.PUBLISHED)
    RequiredDocument.objects.create(version=old, order=1, name="Đơn đề nghị cấp giấy phép xây dựng",
                                    template_name="Mẫu số 01")
    RequiredDocument.objects.create(version=old, order=2, name="Bản vẽ thiết kế")
    return old, procedure.versions.get(valid_from=dt.date(2026, 7, 1))


def test_an_online_dossier_completed_after_the_cut_over_is_received_under_the_new_version(people, two_regimes):
    old, new = two_regimes
    d = services.submit_online(people["an"], intake(channel="online"), [upload()], at=t(2026, 6, 30, 10, 0))
    assert d.procedure_version_id == old.pk  # its checklist at submission
    d = services.request_supplement(people["binh"], d, MISSING, at=t(2026, 6, 30, 14, 0))
    d = services.submit_supplement(people["an"], d, at=t(2026, 7, 2, 9, 0))
    d = services.accept(people["binh"], d, at=t(2026, 7, 2, 10, 0))
    assert d.procedure_version_id == new.pk and d.snapshot["version"]["id"] == new.pk
    # 10 working days from the complete submission of Thursday 02/07 09:00, not 20 days (Wednesday 22/07).
    assert (d.clock["unit"], Decimal(d.clock["amount"])) == ("working_days", 10)
    assert d.due_at == t(2026, 7, 16, 9, 0)
    assert d.rules["key"] == "2025" and d.rules["switches"]["by_procedure"] == []
    assigned = d.events.get(kind=EventKind.CODE_ASSIGNED)
    assert assigned.data["version"] == new.pk and assigned.data["version_at_submission"] == old.pk
    assert Dossier.objects.get(pk=d.pk).procedure_version_id == new.pk
    assert [doc.name for doc in d.documents.all()] == ["Đơn đề nghị cấp giấy phép xây dựng", "Bản vẽ thiết kế"]


def test_a_paper_dossier_sent_back_before_the_cut_over_and_a_complete_one_received_before_it(people, two_regimes):
    old, new = two_regimes
    back = services.receive_at_desk(people["binh"], intake(outcome=Outcome.SUPPLEMENT, missing=MISSING),
                                    [upload()], at=t(2026, 6, 30, 15, 0))
    back = services.submit_supplement(people["binh"], back, at=t(2026, 7, 1, 8, 30))
    back = services.accept(people["binh"], back, at=t(2026, 7, 1, 9, 0))
    assert back.procedure_version_id == new.pk and back.due_at == t(2026, 7, 15, 9, 0)
    # Received complete on 30/06: it keeps the law of its receipt day, 20 days, even if handled in July.
    kept = received(people, t(2026, 6, 30, 10, 0))
    kept = services.transfer(people["binh"], kept, at=t(2026, 7, 1, 8, 0))
    assert kept.procedure_version_id == old.pk and kept.due_at == t(2026, 7, 20, 17, 0)
