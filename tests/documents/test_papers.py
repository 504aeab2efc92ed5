"""Issue 14, items 5 and 6: every paper takes its number from the issuing agency's register of its kind and
year (Decree 30/2020 Art. 15), never from the dossier's reference; each names the person who really signs it,
with their position, authority and unit (Decree 30/2020 Art. 13), and the officer to contact in their own
unit."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.db import connection
from pypdf import PdfReader

from motcua.accounts import services as accounts
from motcua.accounts.choices import Role
from motcua.accounts.models import User
from motcua.dossiers import codes, issuing, services
from motcua.dossiers.models import Dossier, IssuedForm, PaperCounter, PaperNumber
from motcua.dossiers.workflow import services as wf
from tests.conftest import at_once
from tests.dossiers.workflow_helpers import construction_permit, in_progress, received, t

MM = 25.4 / 72


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"


@pytest.fixture
def permit(org):  # type: ignore[no-untyped-def]
    return construction_permit(org)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages).split())


def issued_text(user: User, dossier: Dossier, role: str) -> tuple[IssuedForm, str]:
    form = issuing.issue(user, dossier, role)
    return form, text_of(issuing.read(form))


def supplement_requested(people, day: int = 3) -> Dossier:  # type: ignore[no-untyped-def]
    """A dossier in processing whose specialist, Cường of the division, asks for a supplement."""
    d = in_progress(people, t(2026, 8, day, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, day, 9, 45))
    return services.request_supplement(people["cuong"], d, [services.MissingItem(
        "Bản vẽ mặt bằng móng", "Thiếu bản vẽ mặt bằng móng và mặt cắt")], at=t(2026, 8, day + 1, 9, 0))


# --- item 5: numbers from the register ---------------------------------------------------------------------

# The register's year is the year a paper is issued (Decree 30/2020 Art. 15): the tests that count in the 2026
# register issue their papers in August 2026, whatever the day they run.
IN_2026 = dt.datetime(2026, 8, 10, 2, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
@time_machine.travel(IN_2026, tick=False)
def test_papers_are_numbered_per_kind_in_the_agency_register_not_by_the_dossier_reference(people, permit):
    first, second = supplement_requested(people, 3), supplement_requested(people, 4)
    form, text = issued_text(people["cuong"], first, "supplement-request")
    assert form.reference == "01/YCBS" and "Số: 01/YCBS" in text
    assert f"{first.reference[:6]}/YCBS" not in text  # the old hex number
    assert issued_text(people["cuong"], second, "supplement-request")[0].reference == "02/YCBS"
    # Another kind has its own register, from 01.
    sheet, text = issued_text(people["binh"], first, "control-sheet")
    assert sheet.reference == "01/PKS" and "Số: 01/PKS" in text
    # Issued again: served again, same number; no number is taken twice.
    assert issuing.issue(people["cuong"], first, "supplement-request").reference == "01/YCBS"
    assert PaperNumber.objects.filter(role="supplement-request").count() == 2
    agency = first.processing_unit.agency()
    assert PaperCounter.objects.get(agency_code=agency.code, kind="supplement-request", year=2026).last_value == 2


@pytest.mark.django_db
def test_the_control_sheet_keeps_its_number_when_it_is_brought_up_to_date(people, permit):
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    assert issuing.issue(people["binh"], d, "control-sheet").reference == "01/PKS"
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    d = services.request_supplement(people["cuong"], d, [services.MissingItem("Bản vẽ", "Thiếu")],
                                    at=t(2026, 8, 4, 9, 0))  # the trail grows: the sheet is issued again
    again = issuing.issue(people["binh"], d, "control-sheet")
    assert again.version == 2 and again.reference == "01/PKS"


@pytest.mark.django_db
def test_a_new_year_opens_a_new_register_from_01(people, permit):
    with time_machine.travel(IN_2026, tick=False):
        first = issuing.issue(people["cuong"], supplement_requested(people, 3), "supplement-request")
    assert first.reference == "01/YCBS"
    late = supplement_requested(people, 4)
    with time_machine.travel(dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC), tick=False):
        assert issuing.issue(people["cuong"], late, "supplement-request").reference == "01/YCBS"


@pytest.mark.django_db
def test_a_preview_takes_no_number(people, permit):
    d = supplement_requested(people)
    _role, pdf = issuing.preview(d, "supplement-request")
    text = text_of(pdf)
    assert "Số: …/YCBS" in text and issuing.PREVIEW_MARK in text
    assert not PaperNumber.objects.exists() and not PaperCounter.objects.exists()


@pytest.mark.django_db
def test_any_kind_of_paper_gets_a_register_of_its_own(org):
    # A kind added later (the agency's answer after appraisal, say) needs no entry anywhere to be numbered.
    assert issuing.paper_reference(7, "refusal-after-appraisal") == "07/RAA"
    assert [codes.next_paper_number("T.SXD", "refusal-after-appraisal", 2026) for _ in range(3)] == [1, 2, 3]
    assert codes.next_paper_number("T.SNN", "refusal-after-appraisal", 2026) == 1  # per agency
    assert codes.next_paper_number("T.SXD", "refusal-after-appraisal", 2027) == 1  # per year


@pytest.fixture
def ten_supplements(people, permit):  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: PostgreSQL (in-memory SQLite is one connection)")
    return [supplement_requested(people, day) for day in (3, 4, 5, 6, 7, 10, 11, 12, 13, 14)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_of_different_dossiers_take_distinct_consecutive_numbers(people, ten_supplements):
    dossiers = iter(ten_supplements)
    _, errors = at_once(10, lambda: issuing.issue(people["cuong"], next(dossiers), "supplement-request").reference)
    assert errors == []
    numbers = sorted(IssuedForm.objects.filter(role="supplement-request").values_list("reference", flat=True))
    assert numbers == [f"{n:02d}/YCBS" for n in range(1, 11)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_of_one_paper_take_one_number(people, ten_supplements):
    d = ten_supplements[0]
    references, errors = at_once(10, lambda: issuing.issue(people["cuong"], d, "supplement-request").reference)
    assert errors == [] and set(references) == {"01/YCBS"}
    assert IssuedForm.objects.filter(dossier=d, role="supplement-request").count() == 1
    assert PaperNumber.objects.filter(dossier=d).count() == 1
    assert PaperCounter.objects.get(kind="supplement-request").last_value == 1


# --- item 6: the real people and places ----------------------------------------------------------------------

@pytest.mark.django_db
def test_the_supplement_request_sends_the_citizen_to_the_officer_in_his_own_unit(people, permit):
    d = supplement_requested(people)
    _, text = issued_text(people["cuong"], d, "supplement-request")
    assert "xin liên hệ Lê Văn Cường, Phòng Quản lý hoạt động xây dựng" in text
    assert "Lê Văn Cường, Bộ phận Một cửa" not in text
    # Issued in the name of the division that asked, under its agency (Decree 30/2020 Annex I).
    assert "SỞ XÂY DỰNG" in text and "PHÒNG QUẢN LÝ HOẠT ĐỘNG XÂY DỰNG" in text


def _apology(people, signer: User, reason: str = "Chờ ý kiến cơ quan phòng cháy.") -> str:  # type: ignore[no-untyped-def]
    d = in_progress(people, t(2026, 8, 3, 9, 0))  # due Monday 17/08 09:00
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    wf.draft_apology(people["cuong"], d, reason=reason, new_due_at=t(2026, 8, 21, 16, 0), at=t(2026, 8, 13, 10, 0))
    wf.approve_apology(people["dung"], d, at=t(2026, 8, 14, 9, 0))  # the head of division checks it first
    wf.sign_apology(signer, d, at=t(2026, 8, 14, 16, 0))
    return text_of(issuing.read(IssuedForm.objects.get(dossier=d, role="apology")))


@pytest.mark.django_db
def test_the_apology_is_signed_by_the_director_with_his_position_in_the_agency_name(people, permit, org):
    accounts.assign_role(people["giang"], Role.AGENCY_LEADER, org["sxd"], title="Giám đốc")
    text = _apology(people, people["giang"])
    assert "THỦ TRƯỞNG CƠ QUAN" not in text
    assert re.search(r"GIÁM ĐỐC \(Ký, ghi rõ họ tên, đóng dấu\) Hoàng Văn Giang", text)
    assert "KT." not in text
    assert "UBND TỈNH LÂM ĐỒNG" in text and "SỞ XÂY DỰNG" in text and "Số: 01/XLHS" in text
    assert "Sở Xây dựng xin lỗi" in text
    # The reason keeps one full stop.
    assert "Lý do: Chờ ý kiến cơ quan phòng cháy." in text and ".." not in text
    # Recipients: the applicant, the desk that keeps the promised date, the file.
    assert "Nơi nhận: - Như trên; - Bộ phận Một cửa Sở Xây dựng; - Lưu: VT" in text


@pytest.mark.django_db
def test_a_deputy_signs_for_the_director(people, permit, org):
    # Decree 30/2020 Art. 13(2): a deputy signs "KT." (for) the head, over their own position.
    accounts.assign_role(people["giang"], Role.AGENCY_LEADER, org["sxd"], title="Giám đốc")
    deputy = User.objects.create_user(username="mai", password="mat-khau-dai-1", full_name="Trịnh Thị Mai",
                                      unit=org["sxd"])
    accounts.assign_role(deputy, Role.AGENCY_LEADER, org["sxd"], title="Phó Giám đốc")
    text = _apology(people, deputy)
    assert re.search(r"KT\. GIÁM ĐỐC PHÓ GIÁM ĐỐC \(Ký, ghi rõ họ tên, đóng dấu\) Trịnh Thị Mai", text)


@pytest.mark.django_db
def test_a_leader_without_a_recorded_position_signs_as_head_of_the_agency(people, permit):
    text = _apology(people, people["giang"])
    assert "THỦ TRƯỞNG CƠ QUAN (Ký, ghi rõ họ tên, đóng dấu) Hoàng Văn Giang" in text


def _positions(pdf: bytes) -> list[tuple[float, float, str]]:
    """(x, baseline from the top, text) in mm of every piece of text on the first page."""
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    height = float(page.mediabox.height)
    found: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x * MM, round((height - y) * MM, 1), text.strip()))

    page.extract_text(visitor_text=visit)
    return found


@pytest.mark.django_db
def test_the_a5_receipt_header_fits_and_never_breaks_its_number(people, permit, org):
    org["desk"].name = "Bộ phận Tiếp nhận và Trả kết quả Sở Xây dựng tỉnh Lâm Đồng"  # a long, real-life name
    org["desk"].save()
    d = received(people, t(2026, 8, 3, 9, 0))
    pdf = issuing.read(issuing.issue(people["binh"], d, "receipt"))
    pieces = _positions(pdf)
    number = [(x, y, s) for x, y, s in pieces if s.startswith("Số:")]
    assert len(number) == 1 and number[0][2].replace("\xa0", " ") == "Số: 01/TNHS"  # one piece, one line
    # The issuing body's lines (left of the national title, above the number): at most four.
    top = number[0][1]
    left = {y for x, y, s in pieces if y < top and x < 70}  # the national title starts right of 70 mm
    assert len(left) <= 4, sorted(left)
