"""One-stop inter-agency (issue 18): a procedure of two agencies carried from receipt to return, each agency
working on its own part in its own queue against its share of the time, the lateness attributed to the agency
that caused it; the paper order; a commune desk's dossier of a provincial procedure returned where it was
received; and receipt regardless of administrative boundary, whose time counts from the competent agency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from motcua.accounts import services as accounts_services
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit
from motcua.catalogue import services as catalogue_services
from motcua.catalogue.models import Participant, Procedure, ProcedureVersion, Step
from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers import deadlines, services
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import AgencyPart, PaperNumber, ProcessingStep
from motcua.dossiers.workflow import interagency
from motcua.dossiers.workflow import selectors as wf_selectors
from motcua.dossiers.workflow import services as wf

from .conftest import officer, queue_codes, upload
from .workflow_helpers import construction_permit, received, t

pytestmark = pytest.mark.django_db


def two_agencies(org, mode: str = "parallel", share: str = "3") -> Procedure:  # type: ignore[no-untyped-def]
    """The construction permit with the land opinion of the Department of Agriculture and Environment as its
    part (3 working days of the 10), the Department of Construction leading."""
    procedure = construction_permit(org)
    version = procedure.versions.get()
    ProcedureVersion.objects.filter(pk=version.pk).update(interagency_mode=mode)
    Participant.objects.create(version=version, order=1, agency=org["other"], part="Cho ý kiến về đất đai",
                               share_amount=Decimal(share), share_unit="working_days")
    Participant.objects.create(version=version, order=2, agency=org["sxd"], lead=True,
                               part="Thẩm định, cấp giấy phép", share_amount=Decimal(7), share_unit="working_days")
    return procedure


def steps_of(d, part=None):  # type: ignore[no-untyped-def]
    return list(ProcessingStep.objects.filter(dossier=d, part=part).order_by("order", "id"))


def test_two_agencies_at_once_partner_late_is_blamed(people, org, client_for):  # type: ignore[no-untyped-def]
    two_agencies(org)
    # Monday 3 August 2026, 09:00: received at the department's desk; 10 working days, due 17/08 09:00.
    d = received(people, t(2026, 8, 3, 9, 0))
    d = services.transfer(people["binh"], d, at=t(2026, 8, 3, 9, 30))
    parts = list(AgencyPart.objects.filter(dossier=d).order_by("order"))
    assert [(p.agency, p.lead) for p in parts] == [(org["other"], False), (org["sxd"], True)]
    land, lead = parts
    # Sent at once, with a numbered transfer slip, due 3 working days later.
    assert land.sent_at == t(2026, 8, 3, 9, 30) and land.due_at == t(2026, 8, 6, 9, 30)
    assert land.slip_reference == "01/PCXL"
    assert PaperNumber.objects.filter(dossier=d, role=interagency.SLIP_ROLE).count() == 1
    sent = d.events.get(kind=EventKind.PART_SENT)
    assert sent.data["agency"] == org["other"].code and sent.data["from_unit"] == org["desk"].code
    # The partner's own step is in its own queue; the lead's appraisal runs meanwhile.
    (land_step,) = steps_of(d, land)
    assert land_step.open and land_step.unit == org["other"] and land_step.due_at == land.due_at
    assert d.code in queue_codes(people["khanh"])
    assert any(s.open for s in steps_of(d))  # the lead's appraisal started too (electronic: all at once)

    # The lead agency's specialist appraises; the head approves; the director may not sign before the land
    # opinion arrives.
    wf.claim(people["cuong"], d, at=t(2026, 8, 4, 9, 0))
    wf.transfer_step(people["cuong"], d, note="Đủ điều kiện", at=t(2026, 8, 4, 10, 0))
    lead_open = [s for s in steps_of(d) if s.open]
    if any(s.role == Role.SPECIALIST for s in lead_open):  # the parallel consultation step of the helper's plan
        wf.transfer_step(people["dung"], d, note="", at=t(2026, 8, 4, 10, 5))
    wf.approve(people["dung"], d, note="Trình ký", at=t(2026, 8, 4, 11, 0))
    with pytest.raises(Conflict) as caught:
        wf.sign(people["giang"], d, number="123/GPXD", at=t(2026, 8, 5, 9, 0))
    assert caught.value.code == "parts_pending"
    # Khánh (the other department) answers on 12/08, four working days after his deadline.
    wf.claim(people["khanh"], d, at=t(2026, 8, 12, 8, 0))
    wf.transfer_step(people["khanh"], d, note="Đất ở đô thị, phù hợp quy hoạch", at=t(2026, 8, 12, 9, 0))
    land.refresh_from_db()
    assert land.ended_at == t(2026, 8, 12, 9, 0) and land.late and land.answer == "Đất ở đô thị, phù hợp quy hoạch"
    assert d.events.filter(kind=EventKind.PART_ENDED).get().data["result"] == "late"
    # Now the director signs; the result is recorded on 18/08, after the promised return of 17/08.
    wf.sign(people["giang"], d, number="123/GPXD", at=t(2026, 8, 18, 9, 0))
    d.refresh_from_db()
    assert d.status == Status.DONE and d.processing_ended_at > d.due_at
    lead.refresh_from_db()
    assert lead.ended_at == t(2026, 8, 18, 9, 0)
    # The late dossier is attributed to the agency that caused it, not to the lead agency.
    assert interagency.responsible(d, list(d.parts.all())) == [org["other"]]
    shown = wf_selectors.agency_parts(d)
    assert [(p.judged, p.responsible) for p in shown] == [("late", True), ("late", False)]
    # The dossier page shows each part with its slip and result; the slip is a PDF.
    page = client_for("binh").get(f"/ho-so/{d.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "01/PCXL" in html and "Sở Nông nghiệp và Môi trường" in html
    slip = client_for("binh").get(f"/ho-so/{d.code}/phieu-chuyen/{land.order}/")
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
    assert slip.content.startswith(b"%PDF")
    # The desk returns the result where it was received.
    (ret,) = [s for s in steps_of(d) if s.open]
    assert ret.unit == org["desk"] and ret.role == Role.DESK_OFFICER


def test_partner_officer_acts_only_on_its_own_part(people, org, client_for):  # type: ignore[no-untyped-def]
    two_agencies(org)
    d = services.transfer(people["binh"], received(people, t(2026, 8, 3, 9, 0)), at=t(2026, 8, 3, 9, 30))
    # Khánh sees the dossier and may take his agency's step, not the lead's appraisal.
    wf.claim(people["khanh"], d, at=t(2026, 8, 3, 10, 0))
    (mine,) = [s for s in steps_of(d, d.parts.get(lead=False)) if s.open]
    assert mine.actor == people["khanh"]
    lead_steps = [s for s in steps_of(d) if s.open]
    assert all(s.actor_id != people["khanh"].pk for s in lead_steps)
    # He may not propose a refusal of the dossier nor sign: those are the lead agency's.
    api = client_for("khanh")
    r = api.post(f"/api/v1/dossiers/{d.code}/actions/refuse-after-appraisal", {"reason": "Không"},
                 content_type="application/json")
    assert r.status_code in (403, 404)
    # An officer of a third agency sees nothing of it.
    third = accounts_services.save_unit(OrgUnit(name="Sở Tài chính", short_name="STC", code="T.STC",
                                                kind=UnitKind.AGENCY, parent=org["province"]))
    stranger = officer("son", "Trương Văn Sơn", third)
    assert d.code not in queue_codes(stranger)
    assert not wf_selectors.takes_part(stranger, d)


def test_paper_order_one_agency_after_another(people, org):  # type: ignore[no-untyped-def]
    two_agencies(org, mode="sequential")
    d = services.transfer(people["binh"], received(people, t(2026, 8, 3, 9, 0)), at=t(2026, 8, 3, 9, 30))
    land = d.parts.get(lead=False)
    # On paper the first agency works alone; the lead agency's steps wait for it.
    assert land.sent_at is not None
    assert not any(s.open for s in steps_of(d))
    wf.claim(people["khanh"], d, at=t(2026, 8, 4, 9, 0))
    wf.transfer_step(people["khanh"], d, note="Phù hợp", at=t(2026, 8, 5, 9, 0))
    land.refresh_from_db()
    assert not land.late and interagency.judge_part(land) == "early"
    # The lead agency's appraisal starts when the dossier reaches it.
    opened = [s for s in steps_of(d) if s.open]
    assert opened and all(s.started_at == t(2026, 8, 5, 9, 0) for s in opened)


def test_participants_are_checked_before_publication(people, org):  # type: ignore[no-untyped-def]
    procedure = two_agencies(org, mode="sequential")
    version = procedure.versions.get()
    # On paper the lead agency comes last.
    Participant.objects.filter(version=version, lead=True).update(order=0)
    with pytest.raises(DomainError) as caught:
        catalogue_services.check_participants(version)
    assert caught.value.code == "interagency_lead_last"
    Participant.objects.filter(version=version, lead=True).update(order=2)
    # The shares may not exceed the legal time.
    Participant.objects.filter(version=version, lead=False).update(share_amount=Decimal(5))
    with pytest.raises(DomainError) as caught:
        catalogue_services.check_participants(version)
    assert caught.value.code == "interagency_shares_exceed"
    # Exactly one lead, the procedure's agency.
    Participant.objects.filter(version=version).update(lead=False, share_amount=Decimal(1))
    with pytest.raises(DomainError) as caught:
        catalogue_services.check_participants(version)
    assert caught.value.code == "interagency_lead"


def test_partner_steps_from_the_version(people, org):  # type: ignore[no-untyped-def]
    procedure = two_agencies(org)
    version = procedure.versions.get()
    # The other agency's own internal steps, as its internal procedure publishes them.
    Step.objects.create(version=version, order=1, name="Chuyên viên Phòng Đất đai xem xét", unit=org["other_division"],
                        role="specialist", budget_amount=Decimal(2), budget_unit="working_days")
    Step.objects.create(version=version, order=2, name="Lãnh đạo Sở ký văn bản", unit=org["other"],
                        role="agency_leader")
    d = services.transfer(people["binh"], received(people, t(2026, 8, 3, 9, 0)), at=t(2026, 8, 3, 9, 30))
    land = d.parts.get(lead=False)
    assert [s.name for s in steps_of(d, land)] == ["Chuyên viên Phòng Đất đai xem xét", "Lãnh đạo Sở ký văn bản"]
    # ... which are not the lead agency's steps.
    assert "Chuyên viên Phòng Đất đai xem xét" not in [s.name for s in steps_of(d)]
    leader = officer("phuc", "Mai Văn Phúc", org["other"], role=Role.AGENCY_LEADER)
    wf.claim(people["khanh"], d, at=t(2026, 8, 3, 10, 0))
    wf.transfer_step(people["khanh"], d, note="Đề xuất đồng ý", at=t(2026, 8, 4, 10, 0))
    assert not land.ended_at
    wf.transfer_step(leader, d, note="Đồng ý", at=t(2026, 8, 4, 11, 0))
    land.refresh_from_db()
    assert land.ended_at == t(2026, 8, 4, 11, 0) and land.answer == "Đồng ý"


# --- different levels ---------------------------------------------------------------------------------------

@pytest.fixture
def commune(org):  # type: ignore[no-untyped-def]
    ward = accounts_services.save_unit(OrgUnit(parent=org["province"], name="UBND phường Xuân Hương",
                                               short_name="UBND P. Xuân Hương", code="T.XH", kind=UnitKind.COMMUNE))
    desk = accounts_services.save_unit(OrgUnit(parent=ward, name="Bộ phận Một cửa phường Xuân Hương",
                                               short_name="BPMC Xuân Hương", code="T.XH.MC", kind=UnitKind.DESK))
    return {"ward": ward, "desk": desk, "officer": officer("yen", "Lý Thị Yến", desk, role=Role.DESK_OFFICER)}


def test_commune_desk_sends_up_and_returns_by_its_receipt(people, org, commune):  # type: ignore[no-untyped-def]
    construction_permit(org)
    yen = commune["officer"]
    d = services.receive_at_desk(yen, _intake(commune["desk"].code), [upload()], at=t(2026, 8, 3, 9, 0))
    assert d.receiving_unit == commune["desk"] and d.processing_unit == org["sxd"]
    # A provincial procedure received at the commune: its time counts from the receipt (it is not on the list of
    # procedures received regardless of boundary).
    assert d.due_at == t(2026, 8, 17, 9, 0)
    d = services.transfer(yen, d, at=t(2026, 8, 3, 10, 0))
    # The department works on it; the result comes back to the commune desk.
    wf.claim(people["cuong"], d, at=t(2026, 8, 4, 9, 0))
    wf.transfer_step(people["cuong"], d, note="Đạt", at=t(2026, 8, 4, 10, 0))
    if any(s.open and s.role == Role.SPECIALIST for s in steps_of(d)):
        wf.transfer_step(people["dung"], d, note="", at=t(2026, 8, 4, 10, 5))
    wf.approve(people["dung"], d, note="", at=t(2026, 8, 4, 11, 0))
    wf.sign(people["giang"], d, number="45/GPXD", at=t(2026, 8, 5, 9, 0))
    (ret,) = [s for s in steps_of(d) if s.open]
    assert ret.unit == commune["desk"]
    with pytest.raises(PermissionDenied):  # the department's desk does not return what the commune received
        wf.return_result(people["binh"], d, method="desk", at=t(2026, 8, 6, 9, 0))
    wf.return_result(yen, d, method="desk", collection=wf.Collection(name="Nguyễn Văn An", id_number="079123456789",
                                                                        signed=True), at=t(2026, 8, 6, 9, 0))
    d.refresh_from_db()
    assert d.status == Status.RETURNED


def _intake(unit_code: str):  # type: ignore[no-untyped-def]
    from .conftest import intake

    return intake(procedure="1.013236", receiving_unit=unit_code)


# --- receipt regardless of administrative boundary ----------------------------------------------------------

def test_receipt_anywhere_counts_from_the_competent_agency(people, org, commune):  # type: ignore[no-untyped-def]
    procedure = construction_permit(org)
    Procedure.objects.filter(pk=procedure.pk).update(receipt_anywhere=True,
                                                     receipt_anywhere_basis="Quyết định số 1/QĐ-UBND")
    yen = commune["officer"]
    # Received at the ward's centre on Monday 3/08 at 09:00: a receipt, a code, but no promised date yet.
    d = services.receive_at_desk(yen, _intake(commune["desk"].code), [upload()], at=t(2026, 8, 3, 9, 0))
    assert services.received_elsewhere(d)
    assert d.code and d.received_at == t(2026, 8, 3, 9, 0)
    assert d.due_at is None and deadlines.waits_for(d) == deadlines.ARRIVAL
    # The receipt says when the time will count from, instead of a promised date.
    import io

    from pypdf import PdfReader

    from motcua.dossiers import issuing

    receipt = " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(
        issuing.read(issuing.issue(yen, d, "receipt")))).pages).split())
    assert "cơ quan có thẩm quyền tiếp nhận hồ sơ" in receipt
    # The start-clock action is not offered: the arrival is recorded by the transfer itself.
    with pytest.raises(DomainError):
        services.start_clock(yen, d, event_at=t(2026, 8, 3, 10, 0))
    # The Department receives it on Tuesday 4/08 at 14:00: the 10 working days count from then.
    d = services.transfer(yen, d, at=t(2026, 8, 4, 14, 0))
    assert d.clock_start_at == t(2026, 8, 4, 14, 0) and d.received_at == t(2026, 8, 3, 9, 0)
    assert d.due_at == t(2026, 8, 18, 14, 0)
    clock = d.events.filter(kind=EventKind.CLOCK).get()
    assert clock.data["event"] == deadlines.ARRIVAL
    # At the department's own desk the same procedure counts from the receipt, as always.
    own = received(people, t(2026, 8, 3, 9, 0))
    assert not services.received_elsewhere(own) and own.due_at == t(2026, 8, 17, 9, 0)


def test_the_statistics_attribute_the_delay_to_the_agency_that_caused_it(people, org, client_for):  # type: ignore[no-untyped-def]
    from motcua.stats import evaluation
    from motcua.stats import interagency as stats_interagency

    two_agencies(org)
    d = services.transfer(people["binh"], received(people, t(2026, 8, 3, 9, 0)), at=t(2026, 8, 3, 9, 30))
    wf.claim(people["khanh"], d, at=t(2026, 8, 11, 8, 0))
    wf.transfer_step(people["khanh"], d, note="Đồng ý", at=t(2026, 8, 11, 9, 0))  # due 06/08: late
    wf.claim(people["cuong"], d, at=t(2026, 8, 11, 10, 0))
    wf.transfer_step(people["cuong"], d, note="Đạt", at=t(2026, 8, 11, 11, 0))
    if any(s.open and s.role == Role.SPECIALIST for s in steps_of(d)):
        wf.transfer_step(people["dung"], d, note="", at=t(2026, 8, 11, 11, 5))
    wf.approve(people["dung"], d, note="", at=t(2026, 8, 12, 9, 0))
    wf.sign(people["giang"], d, number="7/GPXD", at=t(2026, 8, 18, 9, 0))  # after the promised 17/08
    rows = {r["code"]: r for r in stats_interagency.by_agency(None, dt.date(2026, 8, 1), dt.date(2026, 8, 31))}
    assert rows[org["other"].code]["parts"] == 1 and rows[org["other"].code]["late"] == 1
    assert rows[org["other"].code]["caused"] == 1 and rows[org["sxd"].code]["caused"] == 0
    assert rows[org["other"].code]["on_time_rate"] == 0.0
    # Seen from the other department's own scope, only its own row.
    own = stats_interagency.by_agency(frozenset({org["other"].pk, org["other_division"].pk}), dt.date(2026, 8, 1),
                                      dt.date(2026, 8, 31))
    assert [(r["code"], r["caused"]) for r in own] == [(org["other"].code, 1)]
    # Indicator 2 of Circular 01/2018 (the time of each unit, coordinating units included): the late part scores 0.
    opinions = evaluation._opinions([d.pk])[d.pk]
    assert evaluation.score_steps(evaluation._steps([d.pk])[d.pk], opinions) == 0
    # The department's dashboard shows the table.
    page = client_for("giang").get(f"/thong-ke/don-vi/{org['sxd'].code}/?from=2026-08-01&to=2026-08-31")
    assert page.status_code == 200
    assert "interagency-h" in page.content.decode()


def test_through_the_api(people, org, client_for):  # type: ignore[no-untyped-def]
    two_agencies(org)
    binh, khanh = client_for("binh"), client_for("khanh")
    d = received(people, t(2026, 8, 3, 9, 0))
    r = binh.post(f"/api/v1/dossiers/{d.code}/actions/transfer", {}, content_type="application/json")
    assert r.status_code == 200, r.content
    body = khanh.get(f"/api/v1/dossiers/{d.code}").json()
    (land,) = [p for p in body["parts"] if not p["lead"]]
    assert land["agency"]["code"] == org["other"].code and land["slip"] == "01/PCXL" and land["ended_at"] is None
    # Khánh takes his agency's step and finishes it with the answer.
    r = khanh.post(f"/api/v1/dossiers/{d.code}/actions/claim", {}, content_type="application/json")
    assert r.status_code == 200
    r = khanh.post(f"/api/v1/dossiers/{d.code}/actions/transfer-step", {"note": "Đồng ý về đất đai"},
                   content_type="application/json")
    assert r.status_code == 200, r.content
    body = binh.get(f"/api/v1/dossiers/{d.code}").json()
    (land,) = [p for p in body["parts"] if not p["lead"]]
    # Received in August, answered now: after its three working days.
    assert land["answer"] == "Đồng ý về đất đai" and land["result"] == "late"
    slip = binh.get(f"/api/v1/dossiers/{d.code}/transfer-slips/1")
    assert slip.status_code == 200 and slip.content.startswith(b"%PDF")
    assert binh.get(f"/api/v1/dossiers/{d.code}/transfer-slips/2").status_code == 404  # the lead has no slip
    # Someone who may not see the dossier gets 404, as for the dossier itself.
    assert client_for("an").get(f"/api/v1/dossiers/{d.code}/transfer-slips/1").status_code == 404
    assert client_for("an").get(f"/ho-so/{d.code}/phieu-chuyen/1/").status_code in (302, 403, 404)


def test_slip_and_control_sheet_state_each_part(people, org):  # type: ignore[no-untyped-def]
    import io

    from pypdf import PdfReader

    from motcua.dossiers import issuing

    def text(pdf: bytes) -> str:
        return " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf)).pages).split())

    two_agencies(org)
    d = services.transfer(people["binh"], received(people, t(2026, 8, 3, 9, 0)), at=t(2026, 8, 3, 9, 30))
    _name, pdf = issuing.transfer_slip(d, 1)
    slip = text(pdf)
    assert "PHIẾU CHUYỂN XỬ LÝ" in slip and "01/PCXL" in slip
    assert "Cho ý kiến về đất đai" in slip and "Sở Xây dựng" in slip
    assert "09 giờ 30 phút, ngày 06 tháng 8 năm 2026" in slip
    with pytest.raises(DomainError):
        issuing.transfer_slip(d, 9)
    wf.claim(people["khanh"], d, at=t(2026, 8, 4, 9, 0))
    wf.transfer_step(people["khanh"], d, note="Đồng ý", at=t(2026, 8, 4, 10, 0))
    sheet = text(issuing.read(issuing.issue(people["binh"], d, "control-sheet")))
    assert "Sở Nông nghiệp và Môi trường" in sheet
    assert "PCXL" in sheet and "Cho ý kiến về đất đai" in sheet and "Trước hạn" in sheet
