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
                     "09 giờ 05 phút, ngày 10/03/2026", "09 giờ 05 phút, ngày 31/03/2026", "15 ngày làm việc",
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
    pdf = documents.apology_pdf(d, reason="Cần xác minh thực địa", signer="Hoàng Văn Giang",
                                new_due=dt.datetime(2026, 4, 7, 16, 0, tzinfo=VN))
    text, _ = text_of(pdf)
    assert "VĂN BẢN XIN LỖI" in text and "16 giờ 00 phút, ngày 07/04/2026" in text and "Cần xác minh" in text


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
