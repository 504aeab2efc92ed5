"""The internal processing (issue 6): a construction permit walked through every step by each persona, and
the rules of supplement, apology, consultation, refusal and visibility."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.test import Client

from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers import actions, issuing, services
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Consultation, Dossier, DossierEvent, IssuedForm, ProcessingStep
from motcua.dossiers.workflow import classification, late
from motcua.dossiers.workflow import services as wf
from motcua.dossiers.workflow.classification import classify_dossier

from .conftest import upload
from .workflow_helpers import construction_permit, in_progress, received, refused, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def permit(org):  # type: ignore[no-untyped-def]
    return construction_permit(org)


def kinds(d: Dossier) -> list[str]:
    return list(d.events.order_by("seq").values_list("kind", flat=True))


def open_steps(d: Dossier) -> list[tuple[int, str, str | None]]:
    return [(s.order, s.name, s.actor.username if s.actor else None)
            for s in ProcessingStep.objects.filter(dossier=d, open=True).select_related("actor").order_by("id")]


def test_construction_permit_through_every_step(people, permit, org):
    # Monday 3 August 2026, 09:00: Bình receives the dossier at the desk; 10 working days.
    d = received(people, t(2026, 8, 3, 9, 0))
    assert d.due_at == t(2026, 8, 17, 9, 0)
    d = services.transfer(people["binh"], d, at=t(2026, 8, 3, 9, 30))
    assert d.status == Status.IN_PROGRESS
    steps = list(d.steps.order_by("order", "id"))
    assert [s.order for s in steps] == [1, 2, 2, 3, 4, 5]
    assert steps[0].ended_at == t(2026, 8, 3, 9, 30) and steps[0].actor == people["binh"]
    appraisal, consultation_step = steps[1], steps[2]
    assert appraisal.due_at == t(2026, 8, 10, 9, 30)  # 5 working days, from the legal clock
    assert consultation_step.due_at == t(2026, 8, 5, 9, 30)  # 2 working days
    # A step without a budget is planned at its usual time, one working day.
    assert [s.budget_seconds for s in steps[3:]] == [8 * 3600] * 3
    d.refresh_from_db()
    assert d.current_step_id == appraisal.pk and d.current_unit_id == org["division"].pk

    # Dung (head of division) assigns the appraisal to Cường; Cường consults another agency.
    wf.assign(people["dung"], d, people["cuong"], step_id=appraisal.pk, at=t(2026, 8, 3, 10, 0))
    d.refresh_from_db()
    assert d.assigned_to == people["cuong"]
    c = wf.consult(people["cuong"], d, unit_code="T.SNN", question="Ý kiến về phòng cháy?", at=t(2026, 8, 3, 11, 0))
    assert c.due_at == t(2026, 8, 5, 11, 0) and c.silence_is_consent
    with pytest.raises(Conflict):  # waiting for the opinion
        wf.transfer_step(people["cuong"], d, at=t(2026, 8, 4, 9, 0))
    # No answer within 2 working days: deemed to agree (Decree 217/2026 Art. 54).
    report = late.tick(t(2026, 8, 5, 11, 5))
    assert report.deemed == 1
    c.refresh_from_db()
    assert c.deemed_agreed and c.agrees

    wf.transfer_step(people["cuong"], d, note="Đủ điều kiện cấp phép", at=t(2026, 8, 6, 10, 0))
    assert open_steps(d) == [(3, "Xem xét, trình ký", None)]
    consultation_step.refresh_from_db()
    assert consultation_step.outcome == "skipped"  # the parallel step nobody took was not needed
    wf.approve(people["dung"], d, at=t(2026, 8, 6, 14, 0))
    assert open_steps(d) == [(4, "Ký giấy phép", None)]
    with pytest.raises(PermissionDenied):
        wf.sign(people["dung"], d, at=t(2026, 8, 7, 8, 30))
    wf.sign(people["giang"], d, at=t(2026, 8, 7, 9, 0))
    assert open_steps(d) == [(5, "Trả kết quả", None)]

    # Fees, then the result with its digitised file, then the return (early: before 17/08 09:00).
    wf.request_payment(people["binh"], d, amount_vnd=150_000, at=t(2026, 8, 7, 9, 30))
    d.refresh_from_db()
    assert d.status == Status.PAYMENT_REQUESTED
    wf.confirm_payment(people["binh"], d, channel="online", receipt_number="BL-01", at=t(2026, 8, 7, 10, 0))
    result = wf.record_result(people["binh"], d, number="123/GPXD", issued_on=dt.date(2026, 8, 7),
                              upload=upload(name="gpxd.pdf", order=None), at=t(2026, 8, 7, 10, 30))
    assert result.signer == people["giang"] and result.attachment is not None
    d.refresh_from_db()
    assert d.status == Status.DONE and d.digitised_result and d.paid_online and d.fees_paid_vnd == 150_000
    wf.return_result(people["binh"], d, method="online", at=t(2026, 8, 7, 14, 0))
    d.refresh_from_db()
    assert d.status == Status.RETURNED and d.returned_at == t(2026, 8, 7, 14, 0)
    assert not ProcessingStep.objects.filter(dossier=d, open=True).exists()

    statuses = list(d.events.filter(kind=EventKind.STATUS_CHANGED).order_by("seq").values_list("status_after",
                                                                                              flat=True))
    assert statuses == [Status.IN_PROGRESS, Status.PAYMENT_REQUESTED, Status.IN_PROGRESS, Status.DONE,
                        Status.RETURNED]
    for kind in (EventKind.PROCESSING_STARTED, EventKind.ASSIGNED, EventKind.CONSULTED,
                 EventKind.CONSULTATION_DEEMED, EventKind.APPROVED, EventKind.SIGNED, EventKind.RESULT_RECORDED,
                 EventKind.RESULT_RETURNED):
        assert kind in kinds(d)
    record = d.events.get(kind=EventKind.RESULT_RECORDED)
    assert record.data["early"] is True  # announced to the applicant in advance

    # Early: done within the internal target of 8 working days; each hand-over classified too.
    klass = classify_dossier(d)
    assert klass is not None and klass["outcome"] == "early"
    sheet = issuing.issue(people["binh"], d, "control-sheet")
    assert sheet.number == "06"
    from motcua.documents import legal

    rows = legal.step_trail(d, t(2026, 8, 8, 9, 0))
    # The desk handed over on the day it had to, and the director signed on the day his budget ran out (on
    # time); the other steps ended before their last day (early).
    assert [r["result"] for r in rows] == ["Đúng hạn", "Trước hạn", "Trước hạn", "Đúng hạn", "Trước hạn"]
    assert "Cường" in rows[1]["giver"] and "Phạm Thị Dung" in rows[1]["receiver"]


def test_the_control_sheet_reads_early_by_the_day_rule_without_a_target(people, org):
    # No internal target: early is still measured, by the one rule (issue 13 item 1). 10 working days from
    # Monday 03/08/2026 09:00: due Monday 17/08 09:00.
    construction_permit(org, target=None)
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.assign(people["dung"], d, people["cuong"], at=t(2026, 8, 3, 10, 0))
    wf.transfer_step(people["cuong"], d, note="Đủ điều kiện", at=t(2026, 8, 5, 10, 0))
    wf.approve(people["dung"], d, at=t(2026, 8, 6, 9, 0))
    wf.sign(people["giang"], d, at=t(2026, 8, 6, 14, 0))
    wf.record_result(people["binh"], d, number="7/GPXD", issued_on=dt.date(2026, 8, 7), at=t(2026, 8, 7, 9, 0))
    d.refresh_from_db()
    assert d.events.get(kind=EventKind.RESULT_RECORDED).data["early"] is True  # announced early (Art. 20)
    klass = classify_dossier(d)
    assert klass is not None and klass["outcome"] == "early"
    assert klass["within_target"] is None  # no target: the separate measure is absent
    from motcua.documents import legal

    context = legal.control_context(d, t(2026, 8, 7, 10, 0))
    assert context["classification"] == "Trước hạn"
    # Each hand-over against its step's budget by the same rule: the desk (due 03/08 17:00) handed over at
    # 09:30 the same day: on time; the appraisal (due 10/08 09:30) ended 05/08: early; the review (due 06/08
    # 10:00) ended 06/08 09:00: on time; the signature (due 07/08 09:00) ended 06/08 14:00: early. The
    # consultation nobody took was skipped: no class.
    steps = {s.name: classification.classify_step(s, t(2026, 8, 7, 10, 0)) for s in d.steps.all() if s.ended_at}
    assert {name: c["outcome"] for name, c in steps.items() if c} == {
        "Tiếp nhận, kiểm tra hồ sơ": "on_time", "Thẩm định hồ sơ, kiểm tra thực địa": "early",
        "Xem xét, trình ký": "on_time", "Ký giấy phép": "early"}


def test_supplement_with_pause_keeps_the_time_left(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0), rule="pause")
    wf.assign(people["dung"], d, people["cuong"], at=t(2026, 8, 3, 10, 0))
    d = services.request_supplement(people["cuong"], d, [services.MissingItem("Bản vẽ", "Sai tỉ lệ")],
                                    at=t(2026, 8, 4, 9, 0))
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.due_at is None
    d = services.submit_supplement(people["binh"], d, at=t(2026, 8, 10, 9, 0))
    # 9 working days were left at the pause (04/08 09:00 → 17/08 09:00): they continue from 10/08 09:00.
    assert d.status == Status.IN_PROGRESS and d.due_at == t(2026, 8, 21, 9, 0)
    assert d.events.filter(kind=EventKind.CLOCK, reason="resumed").exists()
    appraisal = ProcessingStep.objects.get(dossier=d, open=True, name__startswith="Thẩm định")
    assert appraisal.due_at == t(2026, 8, 17, 9, 0)  # its 5 days again from the complete dossier


def test_supplement_with_restart_and_a_second_one_refused(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    d = services.request_supplement(people["cuong"], d, [services.MissingItem("Bản vẽ", "Sai tỉ lệ")],
                                    at=t(2026, 8, 4, 9, 0))
    d = services.submit_supplement(people["binh"], d, at=t(2026, 8, 10, 9, 0))
    # The full 10 working days again (Decree 61/2018 Art. 19(4)); Saturday 22/08/2026 is a working day in
    # the 2026 schedule (made up for the 2 September holiday).
    assert d.due_at == t(2026, 8, 22, 9, 0)
    count = DossierEvent.objects.filter(dossier=d).count()
    with pytest.raises(DomainError) as err:
        services.request_supplement(people["cuong"], d, [services.MissingItem("X", "Y")], at=t(2026, 8, 10, 10, 0))
    assert err.value.code == "supplement_already_requested"
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and DossierEvent.objects.filter(dossier=d).count() == count


def test_supplement_after_three_working_days_refused(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    # Received on Monday: the 3 whole working days are Tuesday to Thursday (Civil Code Art. 147), so Friday is late.
    with pytest.raises(Conflict) as err:
        services.request_supplement(people["cuong"], d, [services.MissingItem("Bản vẽ", "Sai")],
                                    at=t(2026, 8, 7, 8, 0))
    assert err.value.code == "supplement_too_late"
    assert err.value.details["until"] == t(2026, 8, 7, 0, 0).isoformat()
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.processing_supplements == 0


def _letter(d: Dossier) -> str:
    import io

    from pypdf import PdfReader

    pdf = issuing.read(IssuedForm.objects.get(dossier=d, role="apology"))
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_apology_is_drafted_by_the_officer_approved_by_the_head_and_signed_by_the_head_of_the_agency(people,
                                                                                                     permit):
    # Decree 61/2018 Art. 19(9); Circular 03/2025 form 04: signed by the head of the agency, after the head of
    # division checked it (the sign-off chain of a result).
    d = in_progress(people, t(2026, 8, 3, 9, 0))  # due Monday 17/08 09:00
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    draft = wf.draft_apology(people["cuong"], d, reason="Chờ ý kiến cơ quan phòng cháy",
                             new_due_at=t(2026, 8, 21, 16, 0), at=t(2026, 8, 13, 10, 0))
    d.refresh_from_db()
    # A draft moves nothing and is no letter yet.
    assert not draft.issued and draft.drafted_by == people["cuong"]
    assert d.due_at == t(2026, 8, 17, 9, 0) and d.original_due_at is None
    assert not IssuedForm.objects.filter(dossier=d, role="apology").exists()
    assert not d.events.filter(kind__in=[EventKind.CLOCK, EventKind.APOLOGY]).exists()
    assert d.events.filter(kind=EventKind.APOLOGY_DRAFTED, actor=people["cuong"]).count() == 1
    with pytest.raises(Conflict):
        issuing.issue(people["cuong"], d, "apology")
    # Neither the officer nor the head of division signs it; the officer does not approve it.
    for who in ("cuong", "dung"):
        with pytest.raises(PermissionDenied):
            wf.sign_apology(people[who], d, at=t(2026, 8, 13, 11, 0))
    with pytest.raises(PermissionDenied):
        wf.approve_apology(people["cuong"], d, at=t(2026, 8, 13, 11, 0))
    # The leader does not sign what the head has not approved.
    with pytest.raises(Conflict) as err:
        wf.sign_apology(people["giang"], d, at=t(2026, 8, 13, 11, 0))
    assert err.value.code == "not_approved"
    wf.approve_apology(people["dung"], d, at=t(2026, 8, 13, 14, 0))
    # Redrafted before the signature: the last draft is the one signed, once approved again.
    wf.draft_apology(people["cuong"], d, reason="Chờ ý kiến cơ quan phòng cháy và chữa cháy",
                     new_due_at=t(2026, 8, 21, 16, 0), at=t(2026, 8, 14, 9, 0))
    with pytest.raises(Conflict):
        wf.sign_apology(people["giang"], d, at=t(2026, 8, 14, 10, 0))
    wf.approve_apology(people["dung"], d, at=t(2026, 8, 14, 11, 0))
    a = wf.sign_apology(people["giang"], d, at=t(2026, 8, 14, 16, 0))  # Friday before the Monday due date
    d.refresh_from_db()
    assert a.issued and a.issued_by == people["giang"] and a.drafted_by == people["cuong"] and not a.late
    assert a.approved_by == people["dung"] and a.approved_at == t(2026, 8, 14, 11, 0)
    approvals = d.events.filter(kind=EventKind.DRAFT_APPROVED, actor=people["dung"])
    assert approvals.count() == 2 and approvals.last().data["paper"] == "apology"
    assert d.due_at == t(2026, 8, 21, 16, 0) and d.original_due_at == t(2026, 8, 17, 9, 0)
    assert a.original_due_at == t(2026, 8, 17, 9, 0)
    assert IssuedForm.objects.filter(dossier=d, role="apology", number="04", issued_by=people["giang"]).exists()
    assert d.events.filter(kind=EventKind.CLOCK, reason="extended").exists()
    signed = d.events.get(kind=EventKind.APOLOGY)
    assert signed.actor == people["giang"] and signed.data["late"] is False
    assert signed.reason == "Chờ ý kiến cơ quan phòng cháy và chữa cháy"
    letter = _letter(d)
    assert "THỦ TRƯỞNG CƠ QUAN" in letter and "Hoàng Văn Giang" in letter and "Lê Văn Cường" not in letter
    assert "sau thời hạn" not in letter
    # Once only: no second draft, no second signature.
    count = DossierEvent.objects.filter(dossier=d).count()
    with pytest.raises(Conflict) as err:
        wf.draft_apology(people["cuong"], d, reason="Lần hai", new_due_at=t(2026, 8, 28, 16, 0),
                         at=t(2026, 8, 17, 9, 0))
    assert err.value.code == "already_apologised"
    with pytest.raises(Conflict) as err:
        wf.sign_apology(people["giang"], d, at=t(2026, 8, 17, 9, 0))
    assert err.value.code == "already_apologised"
    d.refresh_from_db()
    assert d.due_at == t(2026, 8, 21, 16, 0) and DossierEvent.objects.filter(dossier=d).count() == count


@pytest.mark.parametrize("signed_at", [t(2026, 8, 15, 9, 0), t(2026, 8, 18, 10, 0)],
                         ids=["after the limit", "after the due date"])
def test_apology_after_the_limit_is_still_issued_and_marked_late(people, permit, signed_at):
    d = in_progress(people, t(2026, 8, 3, 9, 0))  # due Monday 17/08 09:00; limit Friday 14/08 17:00
    wf.draft_apology(people["cuong"], d, reason="Trễ", new_due_at=t(2026, 8, 21, 16, 0), at=t(2026, 8, 15, 8, 0))
    wf.approve_apology(people["dung"], d, at=t(2026, 8, 15, 8, 30))
    a = wf.sign_apology(people["giang"], d, at=signed_at)
    d.refresh_from_db()
    assert a.issued and a.late and a.limit == t(2026, 8, 14, 17, 0)
    assert d.due_at == t(2026, 8, 21, 16, 0) and d.original_due_at == t(2026, 8, 17, 9, 0)
    event = d.events.get(kind=EventKind.APOLOGY)
    assert event.data["late"] is True and event.data["limit"] == "2026-08-14T17:00:00+07:00"
    assert "Văn bản này được gửi sau thời hạn xin lỗi" in _letter(d)


def test_a_draft_whose_new_date_has_passed_is_not_signed(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.draft_apology(people["cuong"], d, reason="Trễ", new_due_at=t(2026, 8, 18, 9, 0), at=t(2026, 8, 12, 9, 0))
    wf.approve_apology(people["dung"], d, at=t(2026, 8, 12, 10, 0))
    count = DossierEvent.objects.filter(dossier=d).count()
    with pytest.raises(Conflict) as err:
        wf.sign_apology(people["giang"], d, at=t(2026, 8, 18, 10, 0))
    assert err.value.code == "apology_date_passed"
    d.refresh_from_db()
    assert d.due_at == t(2026, 8, 17, 9, 0) and DossierEvent.objects.filter(dossier=d).count() == count
    with pytest.raises(Conflict) as err:  # nothing drafted on another dossier: nothing to sign
        wf.sign_apology(people["giang"], in_progress(people, t(2026, 8, 4, 9, 0)), at=t(2026, 8, 5, 9, 0))
    assert err.value.code == "no_apology_draft"


def test_late_consultation_recorded_as_late(people, org):
    construction_permit(org, code="1.099999")  # not a construction permit under Art. 54: no deemed consent
    d = received(people, t(2026, 8, 3, 9, 0), code="1.099999")
    d = services.transfer(people["binh"], d, at=t(2026, 8, 3, 9, 30))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    c = wf.consult(people["cuong"], d, unit_code="T.SNN", question="Ý kiến?", days=2, at=t(2026, 8, 3, 10, 0))
    assert not c.silence_is_consent
    assert late.tick(t(2026, 8, 6, 9, 0)).consultations_late == 1
    assert late.tick(t(2026, 8, 6, 9, 5)).consultations_late == 0  # idempotent
    # Khánh (another agency's division) sees the dossier routed to his agency for an opinion, and answers.
    body = Client()
    body.force_login(people["khanh"])
    assert body.get(f"/api/v1/dossiers/{d.code}").status_code == 200
    c = wf.answer_consultation(people["khanh"], d, consultation_id=c.pk, answer="Đồng ý", agrees=True,
                               at=t(2026, 8, 6, 10, 0))
    assert c.late and not c.deemed_agreed
    assert DossierEvent.objects.filter(dossier=d, kind=EventKind.CONSULTATION_LATE).count() == 1


def _pdf_text(d: Dossier, role: str) -> str:
    import io

    from pypdf import PdfReader

    pdf = issuing.read(IssuedForm.objects.get(dossier=d, role=role))
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_refusal_after_appraisal_is_proposed_approved_and_signed_on_the_agencys_answer(people, permit):
    # Decree 61/2018 Art. 19(8): the agency's written answer with the reason, within the time limit; signed by
    # the leader after the head checked it, like a result. Form 03 is the desk's refusal at intake only.
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    with pytest.raises(DomainError):
        wf.propose_refusal(people["cuong"], d, reason="", at=t(2026, 8, 5, 9, 0))
    draft = wf.propose_refusal(people["cuong"], d, reason="Công trình không phù hợp quy hoạch",
                               at=t(2026, 8, 5, 9, 0))
    d.refresh_from_db()
    # The specialist alone ends nothing: the dossier is still processed, no paper is issued.
    assert d.status == Status.IN_PROGRESS and d.refused_at is None and not d.results.exists()
    assert not IssuedForm.objects.filter(dossier=d).exclude(role="receipt").exists()
    assert d.events.get(kind=EventKind.DRAFTED).actor == people["cuong"]
    # Only the head approves, only the leader signs, in that order.
    with pytest.raises(PermissionDenied):
        wf.approve_draft(people["cuong"], d, "refusal", at=t(2026, 8, 5, 10, 0))
    for who in ("cuong", "dung"):
        with pytest.raises(PermissionDenied):
            wf.sign_refusal(people[who], d, at=t(2026, 8, 5, 10, 0))
    with pytest.raises(Conflict) as err:
        wf.sign_refusal(people["giang"], d, at=t(2026, 8, 5, 10, 0))
    assert err.value.code == "not_approved"
    wf.approve_draft(people["dung"], d, "refusal", at=t(2026, 8, 5, 11, 0))
    result = wf.sign_refusal(people["giang"], d, at=t(2026, 8, 5, 14, 0))
    d.refresh_from_db()
    draft.refresh_from_db()
    assert d.status == Status.DONE and d.refused_at == t(2026, 8, 5, 14, 0) and result.kind == "refusal"
    symbol = issuing.agency_symbol(d.processing_unit.agency())
    assert result.signer == people["giang"] and result.number == f"01/TB-{symbol}"
    chain = (draft.drafted_by, draft.approved_by, draft.signed_by)
    assert chain == (people["cuong"], people["dung"], people["giang"])
    refused_event = d.events.get(kind=EventKind.REFUSED)
    assert refused_event.actor == people["giang"]
    assert refused_event.data["drafted_by"] == "Lê Văn Cường" and refused_event.data["approved_by"] == "Phạm Thị Dung"
    # The agency's answer, not form 03.
    assert not IssuedForm.objects.filter(dossier=d, role="refusal").exists()
    assert IssuedForm.objects.filter(dossier=d, role="refusal-answer", issued_by=people["giang"]).exists()
    text = _pdf_text(d, "refusal-answer")
    assert "TỪ CHỐI TIẾP NHẬN" not in text and "NGƯỜI TIẾP NHẬN" not in text
    assert f"Số: {result.number}" in text and "THÔNG BÁO" in text and "Công trình không phù hợp quy hoạch" in text
    # The leader's block (Decree 30/2020 Art. 13): no position recorded for him here, so the generic head's.
    assert "THỦ TRƯỞNG CƠ QUAN" in text and "Hoàng Văn Giang" in text and "Lê Văn Cường" not in text
    assert "Nơi nhận" in text and "Ông/Bà" in text
    assert open_steps(d) == [(5, "Trả kết quả", None)]
    wf.return_result(people["binh"], d, method="desk", at=t(2026, 8, 5, 15, 0),
                     collection=wf.Collection(name="Nguyễn Văn An", id_number="068090000123", signed=True))
    d.refresh_from_db()
    assert d.status == Status.RETURNED


def test_the_answer_names_an_organisation_and_takes_the_next_number(people, permit):
    first = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], first, at=t(2026, 8, 3, 9, 45))
    refused(people, first, "Không phù hợp", t(2026, 8, 4, 9, 0))
    company = services.Applicant(kind="organisation", name="Công ty TNHH Xây dựng Hòa Bình", tax_code="5800123456",
                                 address="5 Phan Bội Châu, Đà Lạt", phone="0263123456", email="hb@example.vn")
    d = services.transfer(people["binh"], received(people, t(2026, 8, 3, 10, 0), applicant=company),
                          at=t(2026, 8, 3, 10, 30))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 10, 45))
    result = refused(people, d, "Thiếu điều kiện về năng lực", t(2026, 8, 5, 9, 0))
    assert result.number.startswith("02/TB-")
    text = _pdf_text(d, "refusal-answer")
    assert "Kính gửi: Công ty TNHH Xây dựng Hòa Bình" in text and "ông/bà" not in text.lower()


def test_signing_with_the_results_number_records_it_and_the_dossier_is_done(people, permit):
    # The leader's signature with the draft result attached (number, date, file) records the result: the dossier
    # is done at once, with no separate "record the result", and neither button stays.
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    wf.transfer_step(people["cuong"], d, at=t(2026, 8, 4, 9, 0))
    wf.approve(people["dung"], d, at=t(2026, 8, 4, 10, 0))
    offered = {a.slug for a in actions.available(people["giang"], d)}
    assert "sign" in offered and "record-result" not in offered
    d = actions.perform(people["giang"], d, "sign", {"number": "125/GPXD", "issued_on": "2026-08-04"},
                        [upload(name="giay-phep.pdf", order=None)])
    assert d.status == Status.DONE and d.signed_at is not None and d.digitised_result
    [result] = d.results.all()
    assert (result.number, result.signer, result.issued_on) == ("125/GPXD", people["giang"], dt.date(2026, 8, 4))
    assert result.attachment is not None and result.attachment.original_name == "giay-phep.pdf"
    assert not {"sign", "record-result"} & {a.slug for a in actions.available(people["giang"], d)}
    assert "return-result" in {a.slug for a in actions.available(people["binh"], d)}


def test_a_signature_with_a_file_but_no_number_changes_nothing(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    wf.transfer_step(people["cuong"], d, at=t(2026, 8, 4, 9, 0))
    wf.approve(people["dung"], d, at=t(2026, 8, 4, 10, 0))
    count = DossierEvent.objects.filter(dossier=d).count()
    with pytest.raises(DomainError) as err:
        actions.perform(people["giang"], d, "sign", {"issued_on": "2026-08-04"}, [upload(order=None)])
    assert err.value.code == "invalid_input"
    d.refresh_from_db()
    assert d.signed_at is None and DossierEvent.objects.filter(dossier=d).count() == count


def test_refusal_after_the_deadline_refused(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    with pytest.raises(Conflict) as err:
        wf.propose_refusal(people["cuong"], d, reason="Không phù hợp", at=t(2026, 8, 17, 10, 0))
    assert err.value.code == "refusal_too_late"
    # Proposed in time but signed after the limit: refused too.
    wf.propose_refusal(people["cuong"], d, reason="Không phù hợp", at=t(2026, 8, 14, 10, 0))
    wf.approve_draft(people["dung"], d, "refusal", at=t(2026, 8, 14, 11, 0))
    with pytest.raises(Conflict) as err:
        wf.sign_refusal(people["giang"], d, at=t(2026, 8, 17, 10, 0))
    assert err.value.code == "refusal_too_late"
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.refused_at is None


def test_supplement_request_during_processing_is_sent_by_the_leaders_signature(people, permit, request):
    # Decree 61/2018 Art. 19(4): within 3 working days of receipt; drafted, approved, signed.
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    body = {"missing": [{"document": "Bản vẽ thiết kế", "reason": "Thiếu mặt cắt"}], "reason": "Bổ sung bản vẽ"}
    traveller = time_machine.travel(t(2026, 8, 4, 9, 0), tick=False)
    traveller.start()
    request.addfinalizer(traveller.stop)
    actions.perform(people["cuong"], d, "request-supplement", body)
    d.refresh_from_db()
    assert d.status == Status.IN_PROGRESS and d.processing_supplements == 0 and d.due_at is not None
    assert actions.REGISTRY["request-supplement"] not in actions.available(people["cuong"], d)
    with pytest.raises(Conflict):
        actions.perform(people["giang"], d, "sign-supplement", {})
    actions.perform(people["dung"], d, "approve-supplement", {})
    assert actions.REGISTRY["sign-supplement"] in actions.available(people["giang"], d)
    d = actions.perform(people["giang"], d, "sign-supplement", {"note": ""})
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.processing_supplements == 1 and d.due_at is None
    sent = d.events.get(kind=EventKind.STATUS_CHANGED, status_after=Status.SUPPLEMENT_REQUESTED)
    assert sent.actor == people["giang"] and sent.data["missing"][0]["reason"] == "Thiếu mặt cắt"
    assert sent.data["signed_off"]["drafted_by"] == "Lê Văn Cường"
    assert sent.data["signed_off"]["approved_by"] == "Phạm Thị Dung"


def test_return_to_previous_step_needs_a_reason_and_goes_back_to_the_same_officer(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    wf.transfer_step(people["cuong"], d, at=t(2026, 8, 4, 9, 0))
    with pytest.raises(DomainError):
        wf.return_step(people["dung"], d, reason="", at=t(2026, 8, 4, 10, 0))
    wf.return_step(people["dung"], d, reason="Bổ sung đánh giá kết cấu", at=t(2026, 8, 4, 10, 0))
    assert open_steps(d) == [(2, "Thẩm định hồ sơ, kiểm tra thực địa", "cuong")]
    assert EventKind.STEP_RETURNED in kinds(d)


def test_late_dossier_flagged_reminded_then_escalated(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    assert late.tick(t(2026, 8, 4, 9, 0)).flagged == 0
    d.refresh_from_db()
    assert d.risk_at is not None
    report = late.tick(d.risk_at + dt.timedelta(minutes=1))
    assert report.flagged == 1
    assert late.tick(t(2026, 8, 14, 9, 0)).escalated == 0  # the apology may still come today
    assert late.tick(t(2026, 8, 15, 9, 0)).escalated == 1
    assert late.tick(t(2026, 8, 15, 9, 5)).escalated == 0
    assert {EventKind.LATE_FLAGGED, EventKind.REMINDED, EventKind.ESCALATED} <= set(kinds(d))


def test_other_division_and_agency_get_404_and_change_nothing(people, permit, org, token_for):
    from motcua.accounts.choices import Role
    from tests.conftest import _person

    _person("mai", "Lê Thị Mai", org["division2"], Role.SPECIALIST)
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    before = (DossierEvent.objects.count(), list(ProcessingStep.objects.values_list("actor_id", "open")))
    for who in ("mai", "khanh"):
        client = Client()
        client.force_login(__import__("motcua.accounts.models", fromlist=["User"]).User.objects.get(username=who))
        assert client.get(f"/api/v1/dossiers/{d.code}").status_code == 404
        for action, body in (("claim", {}), ("transfer", {}), ("approve", {}), ("sign", {}),
                             ("refuse", {"reason": "x"}), ("draft-apology", {"reason": "x",
                                                                            "new_due_at": "2026-09-01T09:00+07:00"}),
                             ("sign-apology", {})):
            response = client.post(f"/api/v1/dossiers/{d.code}/actions/{action}", json.dumps(body),
                                   content_type="application/json")
            assert response.status_code == 404, (who, action)
    # Cường sees it (routed to his division) but may not sign; Khánh cannot claim it through the service.
    with pytest.raises(PermissionDenied):
        wf.claim(people["khanh"], d, at=t(2026, 8, 3, 10, 0))
    with pytest.raises((PermissionDenied, Conflict)):
        wf.sign(people["cuong"], d, at=t(2026, 8, 3, 10, 0))
    assert (DossierEvent.objects.count(), list(ProcessingStep.objects.values_list("actor_id", "open"))) == before


def test_api_walk_and_queue(people, permit, token_for):
    d = in_progress(people, t(2026, 8, 3, 9, 0))

    def act(who: str, action: str, body: dict | None = None) -> object:
        return Client().post(f"/api/v1/dossiers/{d.code}/actions/{action}", json.dumps(body or {}),
                             content_type="application/json", HTTP_AUTHORIZATION=token_for(who))

    queue = Client().get("/api/v1/queues/mine", HTTP_AUTHORIZATION=token_for("cuong")).json()
    assert queue["count"] == 1 and queue["items"][0]["dossier"]["code"] == d.code
    assert queue["counts"]["overdue"] == 1  # in 2026-11, the August step is long overdue
    assert act("dung", "assign", {"officer": "cuong"}).status_code == 200
    assert act("cuong", "claim").status_code == 409
    r = act("cuong", "consult", {"unit": "T.SNN", "question": "Ý kiến?"})
    assert r.status_code == 200
    assert act("khanh", "answer-consultation", {"consultation": Consultation.objects.get().pk,
                                                "answer": "Đồng ý", "agrees": True}).status_code == 200
    assert act("cuong", "transfer-step", {"note": "Đạt"}).json()["status_code"] == Status.IN_PROGRESS
    assert act("dung", "approve").status_code == 200
    assert act("giang", "sign").status_code == 200
    assert act("binh", "record-result", {"number": "9/GPXD", "issued_on": "2026-11-27"}).json()["status_code"] == 9
    returned = act("binh", "return-result", {"method": "post", "postal_tracking": "EB123456789VN"})
    assert returned.json()["status_code"] == 10
    detail = Client().get(f"/api/v1/dossiers/{d.code}", HTTP_AUTHORIZATION=token_for("giang")).json()
    assert [s["outcome"] for s in detail["steps"]][:3] == ["done", "done", "skipped"]
    assert detail["classification"]["outcome"] == "late"
    assert detail["consultations"][0]["answer"] == "Đồng ý"
    assert act("binh", "frobnicate").status_code == 404


def test_apology_through_the_api_and_the_leaders_queue(people, permit, token_for, client_for):
    d = in_progress(people, t(2026, 8, 3, 9, 0))  # due 17/08/2026: long past by now, so a signed letter is late

    def act(who: str, action: str, body: dict | None = None) -> object:
        return Client().post(f"/api/v1/dossiers/{d.code}/actions/{action}", json.dumps(body or {}),
                             content_type="application/json", HTTP_AUTHORIZATION=token_for(who))

    # An officer drafts it on the step they work on: a specialist who has not taken it may not.
    early = {"reason": "Chờ", "new_due_at": "2099-06-01T16:00:00+07:00"}
    assert act("cuong", "draft-apology", early).status_code == 403
    wf.claim(people["cuong"], d)
    assert act("cuong", "draft-apology", {"reason": "Chờ thẩm duyệt phòng cháy",
                                          "new_due_at": "2099-06-01T16:00:00+07:00"}).status_code == 200
    detail = Client().get(f"/api/v1/dossiers/{d.code}", HTTP_AUTHORIZATION=token_for("giang")).json()
    assert detail["apology"]["issued"] is False and detail["apology"]["form_url"] is None
    assert detail["apology"]["drafted_by"] == "Lê Văn Cường" and detail["due_at"].startswith("2026-08-17")
    # The head of division approves it first (not the officer, not the leader); the leader has nothing to sign yet.
    assert f"/ho-so/{d.code}/sign-apology/" not in client_for("giang").get(f"/ho-so/{d.code}/").content.decode()
    assert f"/ho-so/{d.code}/approve-apology/" in client_for("dung").get(f"/ho-so/{d.code}/").content.decode()
    assert act("giang", "sign-apology").status_code == 409
    assert act("cuong", "approve-apology").status_code == 403
    assert act("dung", "approve-apology").status_code == 200
    detail = Client().get(f"/api/v1/dossiers/{d.code}", HTTP_AUTHORIZATION=token_for("giang")).json()
    assert detail["apology"]["approved_by"] == "Phạm Thị Dung" and detail["apology"]["issued"] is False
    # The draft waits in the leader's queue and on the dossier page, with his button to sign it.
    queue = client_for("giang").get("/ho-so/?bucket=apologies").content.decode()
    assert d.code in queue and "?bucket=apologies" in queue
    assert "?bucket=apologies" not in client_for("cuong").get("/ho-so/").content.decode()
    assert f"/ho-so/{d.code}/sign-apology/" in client_for("giang").get(f"/ho-so/{d.code}/").content.decode()
    assert f"/ho-so/{d.code}/sign-apology/" not in client_for("cuong").get(f"/ho-so/{d.code}/").content.decode()
    # Only the head of the agency signs.
    assert act("cuong", "sign-apology").status_code == 403
    assert act("dung", "sign-apology").status_code == 403
    assert act("giang", "sign-apology").status_code == 200
    detail = Client().get(f"/api/v1/dossiers/{d.code}", HTTP_AUTHORIZATION=token_for("giang")).json()
    apology = detail["apology"]
    assert apology["issued"] is True and apology["issued_by"] == "Hoàng Văn Giang" and apology["late"] is True
    assert detail["due_at"].startswith("2099-06-01")
    pdf = Client().get(apology["form_url"], HTTP_AUTHORIZATION=token_for("cuong"))
    assert pdf.status_code == 200 and issuing.PREVIEW_HEADER not in pdf.headers
    assert d.code not in client_for("giang").get("/ho-so/?bucket=apologies").content.decode()
    page = client_for("cuong").get(f"/ho-so/{d.code}/").content.decode()
    assert f"/ho-so/{d.code}/draft-apology/" not in page  # the date moves once
