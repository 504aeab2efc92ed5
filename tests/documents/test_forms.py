"""The legal forms: their text (code, names, dates), page size, and their issue logged with the dossier."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from pypdf import PdfReader

from motcua.core.errors import Conflict
from motcua.documents import services as documents
from motcua.dossiers import issuing, services
from motcua.dossiers.choices import EventKind, Outcome
from motcua.dossiers.models import Dossier, IssuedForm
from tests.dossiers.conftest import intake, make_procedure, upload

VN = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MOTCUA_PUBLIC_BASE_URL = "https://motcua.example.gov.vn"


@pytest.fixture
def procedure(org):  # type: ignore[no-untyped-def]
    return make_procedure(org)


def text_of(pdf: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join((page.extract_text() or "") for page in reader.pages)
    return " ".join(text.split()), reader  # lines wrap in narrow cells


def issued_text(user, dossier, name: str) -> tuple[str, PdfReader]:  # type: ignore[no-untyped-def]
    return text_of(issuing.read(issuing.issue(user, dossier, name)))


def received(people, when=(2026, 3, 10, 9, 5)):  # type: ignore[no-untyped-def]
    with time_machine.travel(dt.datetime(*when, tzinfo=VN), tick=False):
        return services.receive_at_desk(people["binh"], intake(), [upload()])


def test_receipt_has_code_names_times_and_a5(people, procedure):
    d = received(people)
    text, reader = issued_text(people["binh"], d, "receipt")
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "T.SXD-260310-0001",
                     "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Nguyễn Văn An", "068090001234",
                     "09 giờ 05 phút, ngày 10 tháng 3 năm 2026", "09 giờ 05 phút, ngày 31 tháng 3 năm 2026",
                     "15 ngày làm việc",
                     "Trần Thị Bình", "Thông tư số 03/2025/TT-VPCP"):
        assert expected in text, expected
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert round(width / 72 * 25.4) == 148 and round(height / 72 * 25.4) == 210
    fonts = str(reader.pages[0]["/Resources"]["/Font"])
    assert fonts  # fonts are embedded by WeasyPrint
    assert d.events.filter(kind=EventKind.FORM_ISSUED, data__form="receipt").count() == 1


def test_receipt_under_2018_rules_cites_circular_01(people, procedure):
    d = received(people, when=(2025, 6, 2, 14, 0))
    text, _ = issued_text(people["binh"], d, "01")
    assert "Thông tư số 01/2018/TT-VPCP" in text and "T.SXD-250602-0001" in text


POSTAL = "Số 5 Lê Lợi, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng"


@pytest.mark.parametrize("when", [(2026, 3, 10, 9, 5), (2025, 6, 2, 14, 0)], ids=["2025 set", "2018 set"])
@pytest.mark.parametrize(("method", "address", "expected"), [
    ("desk", "", ["Hình thức nhận kết quả: Trực tiếp tại Bộ phận Một cửa", "Nhận kết quả tại:"]),
    ("post", POSTAL, ["Hình thức nhận kết quả: Qua dịch vụ bưu chính công ích",
                      f"Địa chỉ nhận kết quả qua bưu chính: {POSTAL}"]),
    ("online", "", ["Hình thức nhận kết quả: Trực tuyến (bản điện tử của kết quả)"]),
])
def test_receipt_states_how_the_result_is_returned(people, procedure, when, method, address, expected):
    with time_machine.travel(dt.datetime(*when, tzinfo=VN), tick=False):
        d = services.receive_at_desk(people["binh"], intake(result_method=method, result_address=address), [])
    text, _ = issued_text(people["binh"], d, "receipt")
    for phrase in expected:
        assert phrase in text, phrase
    assert (POSTAL in text) == (method == "post")  # the postal address only when the result goes by post
    assert ("Nhận kết quả tại:" in text) == (method == "desk")


def test_receipt_without_a_return_method_still_names_the_desk(people, procedure):
    text, _ = issued_text(people["binh"], received(people), "receipt")
    assert "Nhận kết quả tại:" in text and "Hình thức nhận kết quả" not in text


def test_supplement_request_lists_everything_missing(people, procedure):
    d = services.receive_at_desk(people["binh"], intake(outcome=Outcome.SUPPLEMENT, documents=[]), [])
    text, _ = issued_text(people["binh"], d, "supplement-request")
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Đơn đề nghị cấp giấy phép xây dựng" in text and "Bản vẽ thiết kế" in text


def test_refusal_gives_the_reason(people, procedure):
    d = services.receive_at_desk(people["binh"], intake(outcome=Outcome.REFUSE, reason="Không thuộc thẩm quyền"), [])
    text, _ = issued_text(people["binh"], d, "refusal")
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and "Không thuộc thẩm quyền" in text


def test_stop_notice_and_control_sheet(people, procedure):
    d = received(people)
    with time_machine.travel(dt.datetime(2026, 3, 10, 16, 0, tzinfo=VN), tick=False):
        services.transfer(people["binh"], d)  # after the transfer deadline (17:00)? no: on time
    text, _ = issued_text(people["binh"], d, "control-sheet")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text and "Đúng hạn" in text
    d = services.request_withdrawal(people["binh"], d, "Không có nhu cầu")
    d = services.stop(people["binh"], d)
    text, _ = issued_text(people["binh"], d, "stop-notice")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text and "T.SXD-260310-0001" in text
    assert IssuedForm.objects.filter(dossier=d, role="control-sheet").count() == 1
    issuing.issue(people["binh"], d, "control-sheet")
    assert IssuedForm.objects.filter(dossier=d, role="control-sheet").count() == 2  # the trail grew


def test_form_that_does_not_apply_is_refused(people, procedure):
    d = received(people)
    with pytest.raises(Conflict):
        issuing.issue(people["binh"], d, "refusal")


def test_apology_letter(people, procedure):
    d = received(people)
    pdf = documents.apology_pdf(d, reason="Cần xác minh thực địa", signer=people["giang"],
                                new_due=dt.datetime(2026, 4, 7, 16, 0, tzinfo=VN))
    text, _ = text_of(pdf)
    assert "VĂN BẢN XIN LỖI" in text and "16 giờ 00 phút, ngày 07 tháng 4 năm 2026" in text and "Cần xác minh" in text


def test_register_pdf_and_xlsx(people, procedure):
    d = received(people)
    Dossier.objects.filter(pk=d.pk).update(result_method="post")  # the method the applicant chose
    d.refresh_from_db()
    first = last = dt.date(2026, 3, 10)
    from motcua.dossiers.selectors import received_between

    rows = list(received_between(people["binh"], first, last))
    assert rows == [d]
    text, reader = text_of(documents.register_pdf(people["binh"], rows, first, last))
    assert "SỔ THEO DÕI HỒ SƠ" in text and d.code in text
    assert float(reader.pages[0].mediabox.width) > float(reader.pages[0].mediabox.height)  # landscape
    import zipfile

    xlsx = documents.register_xlsx(rows, first, last)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        strings = z.read("xl/sharedStrings.xml").decode()
        assert d.code in strings and "Qua dịch vụ bưu chính công ích" in strings  # "Hình thức nhận kết quả"


# --- Decree 30/2020/NĐ-CP layout -------------------------------------------------------------------------

MM = 25.4 / 72


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2026, 7, 5), "ngày 05 tháng 7 năm 2026"),
    (dt.date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
    (dt.date(2026, 2, 3), "ngày 03 tháng 02 năm 2026"),
    (dt.date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
    (dt.date(2026, 12, 10), "ngày 10 tháng 12 năm 2026"),
    (dt.datetime(2026, 10, 31, 18, 30, tzinfo=dt.UTC), "ngày 01 tháng 11 năm 2026"),  # Vietnam time
])
def test_dates_take_a_zero_only_below_day_10_and_in_months_1_and_2(day, expected):
    from motcua.core.dates import legal_date

    assert legal_date(day) == expected


@pytest.mark.parametrize(("when", "date", "not_written"), [
    ((2026, 7, 2, 9, 5), "ngày 02 tháng 7 năm 2026", "tháng 07"),
    ((2026, 2, 3, 9, 5), "ngày 03 tháng 02 năm 2026", "ngày 3 tháng"),
    ((2026, 11, 12, 9, 5), "ngày 12 tháng 11 năm 2026", "ngày 12/11/2026"),
])
def test_forms_write_dates_as_decree_30_does(people, procedure, when, date, not_written):
    d = received(people, when=when)
    text, _ = issued_text(people["binh"], d, "receipt")
    assert f"Lâm Đồng, {date}" in text  # the place and date of issue, under the national title
    assert f"09 giờ 05 phút, {date}" in text  # the time of receipt
    assert not_written not in text


def _positions(page) -> list[tuple[float, float, str]]:  # type: ignore[no-untyped-def]
    """(x from the left edge, baseline from the top edge, text) in mm of every piece of text on the page."""
    found: list[tuple[float, float, str]] = []
    height = float(page.mediabox.height)

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x * MM, (height - y) * MM, text.strip()))

    page.extract_text(visitor_text=visit)
    return found


def test_forms_keep_the_decree_30_margins_and_number_pages_from_the_second(people, procedure):
    d = received(people)
    receipt = text_of(issuing.read(issuing.issue(people["binh"], d, "receipt")))[1]  # A5, two pages
    apology = text_of(documents.apology_pdf(d, reason="Cần xác minh thực địa", signer=people["giang"],
                                            new_due=dt.datetime(2026, 4, 7, 16, 0, tzinfo=VN)))[1]  # A4
    first = last = dt.date(2026, 3, 10)
    register = text_of(documents.register_pdf(people["binh"], [d], first, last))[1]  # A4 landscape
    for reader in (receipt, apology, register):
        for number, page in enumerate(reader.pages, start=1):
            height = float(page.mediabox.height) * MM
            text = [p for p in _positions(page) if not (p[2] == str(number) and p[1] < 20)]
            # Left margin 30-35 mm: the text starts at 30 mm, never nearer the edge.
            assert min(x for x, _, _ in text) == pytest.approx(30, abs=0.2)
            # Top and bottom margins 20-25 mm: no line above 20 mm from the top or below 20 mm from the bottom.
            assert min(y for _, y, _ in text) > 20 + 2  # a baseline sits below the top of its line
            assert max(y for _, y, _ in text) < height - 20
            # Page numbers in the top margin, centred, from the second page only (Annex I).
            numbers = [(x, y) for x, y, t in _positions(page) if t == str(number) and y < 20]
            assert bool(numbers) == (number > 1)
    assert len(receipt.pages) == 2  # so the page number was checked


def test_register_numbers_run_through_the_year_not_the_daily_sequence(people, procedure):
    first = received(people, when=(2026, 3, 10, 9, 5))
    second = received(people, when=(2026, 3, 10, 10, 0))
    third = received(people, when=(2026, 3, 11, 9, 0))
    assert third.code.endswith("-0001")  # the code's sequence starts again each day (Circular 01/2018 Art. 19)
    assert [first.register_number, second.register_number, third.register_number] == [1, 2, 3]
    text, _ = issued_text(people["binh"], third, "receipt")
    assert "Số: 03/TNHS" in text and "Vào Sổ theo dõi hồ sơ, số thứ tự: 03" in text
    # The register of the 11th alone shows the number the dossier was entered under, not a row count.
    from motcua.dossiers.selectors import received_between

    day = dt.date(2026, 3, 11)
    text, _ = text_of(documents.register_pdf(people["binh"], list(received_between(people["binh"], day, day)),
                                             day, day))
    assert f"03 {third.code}" in text
    # A new year starts a new register at 01.
    new_year = received(people, when=(2027, 1, 4, 9, 0))
    assert new_year.register_number == 1
    assert "Vào Sổ theo dõi hồ sơ, số thứ tự: 01" in issued_text(people["binh"], new_year, "receipt")[0]
