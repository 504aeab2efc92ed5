"""The register of legal documents: the rules of an entry and of its review, who keeps and who reads which
agency's register, the pages, the export, and the measure of the index it feeds ("legal_lawful")."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from auditlog.models import LogEntry
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from motcua.core.errors import DomainError, PermissionDenied
from motcua.scorecards import metrics
from motcua.scorecards.choices import ReviewStatus
from motcua.scorecards.models import LegalDocument
from motcua.scorecards.selectors import register as selectors
from motcua.scorecards.services import register as services

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 27)
FIRST, LAST = dt.date(2026, 1, 1), dt.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))),
                             tick=False):
        yield


def _data(number: str = "12/2026/QĐ-UBND", **extra: object) -> dict[str, object]:
    return {"number": number, "title": "Quy định phân cấp quản lý quy hoạch xây dựng", "issuer": "UBND tỉnh Lâm Đồng",
            "issued_on": dt.date(2026, 3, 10), "effective_on": dt.date(2026, 3, 20), **extra}


def _doc(org, people, number: str = "12/2026/QĐ-UBND", agency: str = "sxd", by: str = "cuong",
         **extra: object) -> LegalDocument:  # type: ignore[no-untyped-def]
    return services.save_document(org[agency], _data(number, **extra), people[by])


def _field(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return str(exc.value.details.get("field"))


# --- services -------------------------------------------------------------------------------------------


def test_an_officer_adds_a_document_in_nfc_and_the_change_is_audited(org, people):  # type: ignore[no-untyped-def]
    decomposed = "Quy \u0111i\u0323nh"  # "định" typed with a combining dot below
    doc = services.save_document(org["sxd"], _data(title=f"  {decomposed}   mới "), people["cuong"])
    assert doc.title == "Quy định mới" and doc.agency == org["sxd"] and doc.updated_by == people["cuong"]
    assert doc.review_status == ReviewStatus.NOT_REVIEWED
    entry = LogEntry.objects.get_for_object(doc).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == people["cuong"]
    services.save_document(org["sxd"], _data(title="Quy định sửa"), people["binh"], document=doc)
    doc.refresh_from_db()
    assert doc.title == "Quy định sửa" and doc.updated_by == people["binh"]
    update = LogEntry.objects.get_for_object(doc).filter(action=LogEntry.Action.UPDATE).get()
    assert update.actor == people["binh"] and "title" in update.changes_dict


def test_the_number_is_unique_in_an_agency_whatever_its_spelling(org, people):  # type: ignore[no-untyped-def]
    first = _doc(org, people)
    for spelling in ("12/2026/QĐ-UBND", "12/2026/qđ-ubnd", "12/2026/ QĐ-UBND"):
        with pytest.raises(DomainError) as exc:
            _doc(org, people, spelling)
        assert exc.value.code == "duplicate_number" and _field(exc) == "number"
    # Another document may not take it on edit either; the same document keeps it.
    second = _doc(org, people, "13/2026/QĐ-UBND")
    with pytest.raises(DomainError):
        services.save_document(org["sxd"], _data("12/2026/QĐ-UBND"), people["cuong"], document=second)
    services.save_document(org["sxd"], _data("12/2026/QĐ-UBND", title="Tên mới"), people["cuong"], document=first)
    # Another agency has its own numbering.
    assert _doc(org, people, agency="other", by="khanh").number == "12/2026/QĐ-UBND"
    assert LegalDocument.objects.count() == 3


@pytest.mark.parametrize(("change", "field"), [
    ({"number": "  "}, "number"), ({"title": ""}, "title"), ({"issuer": ""}, "issuer"),
    ({"issued_on": None}, "issued_on"), ({"issued_on": "10/03/2026"}, "issued_on"),
    ({"issued_on": dt.date(2026, 11, 28)}, "issued_on"),
    ({"effective_on": dt.date(2026, 3, 1)}, "effective_on"),
])
def test_an_entry_missing_or_wrong_is_refused(org, people, change, field):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        services.save_document(org["sxd"], _data(**change), people["cuong"])
    assert _field(exc) == field
    assert not LegalDocument.objects.exists()


def test_a_document_may_come_into_force_after_today(org, people):  # type: ignore[no-untyped-def]
    doc = _doc(org, people, effective_on=dt.date(2027, 1, 1))
    assert doc.effective_on == dt.date(2027, 1, 1)


def _review(doc, status, reviewed_on=dt.date(2026, 6, 1), findings="", correction="", corrected_on=None,
            by=None):  # type: ignore[no-untyped-def]
    return services.review_document(doc, status, reviewed_on, findings, correction, corrected_on, by)


def test_the_review_rules(org, people):  # type: ignore[no-untyped-def]
    doc, cuong = _doc(org, people), people["cuong"]
    with pytest.raises(DomainError) as exc:
        _review(doc, ReviewStatus.LAWFUL, reviewed_on=None, by=cuong)
    assert _field(exc) == "reviewed_on"
    with pytest.raises(DomainError) as exc:
        _review(doc, ReviewStatus.FINDINGS, findings="  ", by=cuong)
    assert _field(exc) == "findings"
    with pytest.raises(DomainError) as exc:
        _review(doc, ReviewStatus.CORRECTED, findings="Sai thẩm quyền", corrected_on=dt.date(2026, 7, 1), by=cuong)
    assert _field(exc) == "correction"
    with pytest.raises(DomainError) as exc:
        _review(doc, ReviewStatus.CORRECTED, findings="Sai thẩm quyền", correction="Đã sửa", by=cuong)
    assert _field(exc) == "corrected_on"
    with pytest.raises(DomainError) as exc:
        _review(doc, ReviewStatus.CORRECTED, findings="Sai thẩm quyền", correction="Đã sửa",
                corrected_on=dt.date(2026, 5, 31), by=cuong)
    assert _field(exc) == "corrected_on"
    with pytest.raises(DomainError) as exc:
        _review(doc, ReviewStatus.LAWFUL, reviewed_on=dt.date(2026, 11, 28), by=cuong)
    assert _field(exc) == "reviewed_on"
    with pytest.raises(DomainError) as exc:
        _review(doc, ReviewStatus.LAWFUL, reviewed_on=dt.date(2026, 3, 9), by=cuong)  # before its issue
    assert _field(exc) == "reviewed_on"
    with pytest.raises(DomainError) as exc:
        _review(doc, "bogus", by=cuong)
    assert _field(exc) == "review_status"
    doc.refresh_from_db()
    assert doc.review_status == ReviewStatus.NOT_REVIEWED and doc.reviewed_on is None

    _review(doc, ReviewStatus.FINDINGS, findings=" Sai thẩm quyền\r\n  Thiếu căn c\u01b0\u0301 ", by=cuong)
    doc.refresh_from_db()
    assert doc.findings == "Sai thẩm quyền\nThiếu căn cứ"  # NFC, line by line
    _review(doc, ReviewStatus.FINDINGS, findings="Sai thẩm quyền ban hành", by=cuong)
    _review(doc, ReviewStatus.CORRECTED, findings="Sai thẩm quyền ban hành", correction="Thay thế bằng QĐ 20",
            corrected_on=dt.date(2026, 6, 1), by=cuong)  # the same day as the review is fine
    doc.refresh_from_db()
    assert doc.review_status == ReviewStatus.CORRECTED and doc.corrected_on == dt.date(2026, 6, 1)
    # A later lawful review keeps the findings and the correction for the record.
    _review(doc, ReviewStatus.LAWFUL, reviewed_on=dt.date(2026, 9, 1), findings=doc.findings,
            correction=doc.correction, corrected_on=doc.corrected_on, by=cuong)
    doc.refresh_from_db()
    assert doc.review_status == ReviewStatus.LAWFUL and doc.findings == "Sai thẩm quyền ban hành"
    assert doc.correction == "Thay thế bằng QĐ 20"
    assert LogEntry.objects.get_for_object(doc).filter(action=LogEntry.Action.UPDATE).count() == 4


@pytest.mark.parametrize("who", ["khanh", "long", "nga", "thanh", "ha", "an"])
def test_only_the_agencys_officers_write_in_its_register(org, council, who):  # type: ignore[no-untyped-def]
    doc = _doc(org, council)
    with pytest.raises(PermissionDenied):
        services.save_document(org["sxd"], _data("99/2026/QĐ-UBND"), council[who])
    with pytest.raises(PermissionDenied):
        services.save_document(org["sxd"], _data(title="Đổi"), council[who], document=doc)
    with pytest.raises(PermissionDenied):
        _review(doc, ReviewStatus.LAWFUL, by=council[who])
    doc.refresh_from_db()
    assert doc.review_status == ReviewStatus.NOT_REVIEWED and LegalDocument.objects.count() == 1


def test_a_document_is_edited_under_its_own_agency_only(org, people):  # type: ignore[no-untyped-def]
    doc = _doc(org, people, agency="other", by="khanh")
    with pytest.raises(PermissionDenied):  # Cường is an officer of Sở Xây dựng, not of the document's agency
        services.save_document(org["sxd"], _data(), people["cuong"], document=doc)


# --- selectors and the measure --------------------------------------------------------------------------


def _three(org, people):  # type: ignore[no-untyped-def]
    """1 lawful, 1 corrected, 1 not reviewed, issued in 2026; and 1 repealed and 1 of 2025, both left out."""
    cuong = people["cuong"]
    lawful = _doc(org, people, "1/2026/QĐ-UBND", title="Quy định về quy hoạch đô thị")
    _review(lawful, ReviewStatus.LAWFUL, by=cuong)
    corrected = _doc(org, people, "2/2026/QĐ-UBND", title="Quy định cấp giấy phép xây dựng")
    _review(corrected, ReviewStatus.CORRECTED, findings="Thiếu căn cứ", correction="Bổ sung căn cứ",
            corrected_on=dt.date(2026, 7, 1), by=cuong)
    _doc(org, people, "3/2026/QĐ-UBND", title="Quy định về nhà ở")
    repealed = _doc(org, people, "4/2026/QĐ-UBND", title="Quy định đã bãi bỏ")
    _review(repealed, ReviewStatus.REPEALED, reviewed_on=None, by=cuong)
    _doc(org, people, "9/2025/QĐ-UBND", title="Quy định năm trước", issued_on=dt.date(2025, 5, 5),
         effective_on=None)


def test_the_measure_reads_the_register(org, people):  # type: ignore[no-untyped-def]
    agency = org["sxd"]
    scope = {agency.pk: (agency.code, frozenset({agency.pk}))}
    empty = metrics.read_many(scope, ["legal_lawful"], FIRST, LAST)[agency.pk]["legal_lawful"]
    assert empty.value is None and empty.denominator == 0 and empty.link == "/cai-cach/van-ban/"
    _three(org, people)
    reading = metrics.read_many(scope, ["legal_lawful"], FIRST, LAST)[agency.pk]["legal_lawful"]
    assert reading.value == pytest.approx(2 / 3)
    assert (reading.numerator, reading.denominator) == (2, 3)
    assert selectors.lawful_share(agency, FIRST, LAST) == {"total": 3, "lawful": 2, "share": pytest.approx(2 / 3)}
    assert selectors.lawful_share(org["other"], FIRST, LAST)["share"] is None


def test_the_selectors_filter_count_and_search_folded(org, people):  # type: ignore[no-untyped-def]
    _three(org, people)
    agency = org["sxd"]
    assert [d.number for d in selectors.documents(agency)][-1] == "9/2025/QĐ-UBND"
    assert len(selectors.documents(agency, selectors.Filter(year=2026))) == 4
    assert [d.number for d in selectors.documents(agency, selectors.Filter(status=ReviewStatus.CORRECTED))] == [
        "2/2026/QĐ-UBND"]
    assert [d.number for d in selectors.documents(agency, selectors.Filter(q="giay phep xay dung"))] == [
        "2/2026/QĐ-UBND"]
    assert len(selectors.documents(agency, selectors.Filter(q="qd-ubnd 2026"))) == 4
    assert selectors.counts(agency, 2026) == {"not_reviewed": 1, "lawful": 1, "findings": 0, "corrected": 1,
                                              "repealed": 1}
    assert selectors.counts(agency)["not_reviewed"] == 2
    assert selectors.years(agency) == [2026, 2025]


# --- pages ----------------------------------------------------------------------------------------------

URL = "/cai-cach/van-ban/"


def _client(client_for, who: str) -> Client:  # type: ignore[no-untyped-def]
    return Client() if who == "anonymous" else client_for(who)


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("an", 403), ("cuong", 200), ("khanh", 200),
                                             ("nga", 200), ("thanh", 200), ("ha", 200)])
def test_who_opens_the_register(client_for, council, who, status):  # type: ignore[no-untyped-def]
    assert _client(client_for, who).get(URL).status_code == status


def test_an_officer_sees_the_own_agencys_register(client_for, org, people):  # type: ignore[no-untyped-def]
    _three(org, people)
    _doc(org, people, "5/2026/QĐ-UBND", agency="other", by="khanh", title="Văn bản của sở khác")
    page = client_for("cuong").get(URL + "?year=2026").content.decode()
    assert "1/2026/QĐ-UBND" in page and "Văn bản của sở khác" not in page and "9/2025" not in page
    assert "66,7 %" in page and "/cai-cach/van-ban/them/" in page
    # Khánh sees his own agency's, and may not ask for Sở Xây dựng's.
    khanh = client_for("khanh")
    assert "Văn bản của sở khác" in khanh.get(URL).content.decode()
    assert khanh.get(URL + "?agency=T.SXD").status_code == 403
    page = client_for("cuong").get(URL + "?q=giay+phep&status=corrected").content.decode()
    assert "2/2026/QĐ-UBND" in page and "1/2026/QĐ-UBND" not in page


@pytest.mark.parametrize("who", ["nga", "thanh", "ha"])
def test_readers_of_every_register_choose_the_agency(client_for, org, council, who):  # type: ignore[no-untyped-def]
    _three(org, council)
    client = client_for(who)
    page = client.get(URL).content.decode()
    assert "1/2026/QĐ-UBND" not in page and 'name="agency"' in page
    page = client.get(URL + "?agency=T.SXD&year=2026").content.decode()
    assert "1/2026/QĐ-UBND" in page and "66,7 %" in page
    assert "/cai-cach/van-ban/them/" not in page  # they read, they do not write
    assert client.get(URL + "?agency=NOPE").status_code == 400


def test_a_bad_filter_is_a_400(client_for, org, people):  # type: ignore[no-untyped-def]
    response = client_for("cuong").get(URL + "?status=bogus")
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    assert client_for("cuong").get(URL + "?year=1999").status_code == 400


def test_no_document_says_no_data(client_for, org, people):  # type: ignore[no-untyped-def]
    page = client_for("cuong").get(URL).content.decode()
    assert "không có dữ liệu" in page.lower() or "no data" in page.lower()


ADD = "/cai-cach/van-ban/them/"
FORM = {"number": "12/2026/QĐ-UBND", "title": "Quy định phân cấp", "issuer": "UBND tỉnh Lâm Đồng",
        "issued_on": "2026-03-10", "effective_on": "2026-03-20"}


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("an", 403), ("khanh", 200), ("nga", 403),
                                             ("thanh", 403), ("ha", 403)])
def test_who_opens_the_add_page(client_for, council, who, status):  # type: ignore[no-untyped-def]
    assert _client(client_for, who).get(ADD).status_code == status


def test_an_officer_adds_a_document_through_the_page(client_for, org, people):  # type: ignore[no-untyped-def]
    client = client_for("binh")
    page = client.get(ADD).content.decode()
    assert 'type="date"' in page and 'name="issued_on"' in page
    response = client.post(ADD, FORM)
    doc = LegalDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cai-cach/van-ban/{doc.pk}/"
    assert doc.agency == org["sxd"] and doc.updated_by == people["binh"]
    # The same number again: the error is next to the field, 400, nothing saved.
    response = client.post(ADD, {**FORM, "title": "Khác"})
    assert response.status_code == 400 and LegalDocument.objects.count() == 1
    assert 'id="id_number_error"' in response.content.decode()
    response = client.post(ADD, {**FORM, "number": "13/2026/QĐ-UBND", "issued_on": "2026-12-01"})
    assert response.status_code == 400 and 'id="id_issued_on_error"' in response.content.decode()
    response = client.post(ADD, {**FORM, "number": "", "issued_on": "hôm qua"})
    body = response.content.decode()
    assert response.status_code == 400 and 'id="id_number_error"' in body and 'id="id_issued_on_error"' in body
    assert LegalDocument.objects.count() == 1


@pytest.mark.parametrize("who", ["anonymous", "an", "nga", "thanh"])
def test_those_who_may_not_write_post_nothing(client_for, council, who):  # type: ignore[no-untyped-def]
    response = _client(client_for, who).post(ADD, FORM)
    assert response.status_code in (302, 403) and not LegalDocument.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("an", 403), ("cuong", 200), ("khanh", 403),
                                             ("long", 403), ("nga", 200), ("thanh", 200), ("ha", 200)])
def test_who_opens_a_document(client_for, org, council, who, status):  # type: ignore[no-untyped-def]
    doc = _doc(org, council)
    response = _client(client_for, who).get(f"/cai-cach/van-ban/{doc.pk}/")
    assert response.status_code == status
    if status == 200:
        assert ('name="review_status"' in response.content.decode()) == (who == "cuong")


@pytest.mark.parametrize("who", ["khanh", "long", "nga", "thanh"])
def test_no_one_else_edits_or_reviews_a_document(client_for, org, council, who):  # type: ignore[no-untyped-def]
    doc = _doc(org, council)
    client = client_for(who)
    url = f"/cai-cach/van-ban/{doc.pk}/"
    assert client.post(url, {**FORM, "form": "document", "title": "Đổi"}).status_code == 403
    assert client.post(url, {"form": "review", "review_status": "lawful",
                             "reviewed_on": "2026-06-01"}).status_code == 403
    doc.refresh_from_db()
    assert doc.title != "Đổi" and doc.review_status == ReviewStatus.NOT_REVIEWED


def test_an_officer_edits_and_reviews_through_the_page(client_for, org, people):  # type: ignore[no-untyped-def]
    doc = _doc(org, people)
    client, url = client_for("dung"), f"/cai-cach/van-ban/{doc.pk}/"
    response = client.post(url, {**FORM, "form": "document", "title": "Quy định đã sửa tên"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Quy định đã sửa tên" and doc.updated_by == people["dung"]
    # Findings without saying what: the error is next to the field, nothing saved.
    response = client.post(url, {"form": "review", "review_status": "findings", "reviewed_on": "2026-06-01"})
    assert response.status_code == 400 and 'id="id_findings_error"' in response.content.decode()
    response = client.post(url, {"form": "review", "review_status": "corrected", "reviewed_on": "2026-06-01",
                                 "findings": "Sai căn cứ", "correction": "Đã sửa", "corrected_on": "2026-05-01"})
    assert response.status_code == 400 and 'id="id_corrected_on_error"' in response.content.decode()
    doc.refresh_from_db()
    assert doc.review_status == ReviewStatus.NOT_REVIEWED
    response = client.post(url, {"form": "review", "review_status": "corrected", "reviewed_on": "2026-06-01",
                                 "findings": "Sai căn cứ", "correction": "Đã sửa", "corrected_on": "2026-06-15"})
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.review_status == ReviewStatus.CORRECTED and doc.corrected_on == dt.date(2026, 6, 15)
    assert client.post(url, {"form": "nothing"}).status_code == 400


# --- export ---------------------------------------------------------------------------------------------

XLSX_URL = "/cai-cach/van-ban.xlsx"


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("an", 403), ("cuong", 200), ("khanh", 200),
                                             ("nga", 400), ("thanh", 400)])
def test_who_downloads_the_register(client_for, council, who, status):  # type: ignore[no-untyped-def]
    # Without ?agency= those who read every register have chosen none: a 400, not a file of everything.
    assert _client(client_for, who).get(XLSX_URL).status_code == status


def test_the_export_has_bilingual_headings_and_the_filters(client_for, org, council):  # type: ignore[no-untyped-def]
    _three(org, council)
    assert client_for("khanh").get(XLSX_URL + "?agency=T.SXD").status_code == 403
    response = client_for("thanh").get(XLSX_URL + "?agency=T.SXD&year=2026&status=corrected")
    assert response.status_code == 200 and 'filename="van-ban-T.SXD-2026.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert "Sở Xây dựng" in rows[0][0]
    with translation.override("vi"):
        vietnamese = gettext("Number and symbol")
    assert rows[2][0] == vietnamese and rows[3][0] == "Number and symbol" and rows[3][5] == "Review"
    assert [r[0] for r in rows[4:]] == ["2/2026/QĐ-UBND"]
    assert rows[4][3].date() == dt.date(2026, 3, 10) and rows[4][9].date() == dt.date(2026, 7, 1)
    everything = load_workbook(io.BytesIO(client_for("cuong").get(XLSX_URL).content)).active
    assert everything.max_row == 4 + 5
    assert client_for("cuong").get(XLSX_URL + "?status=bogus").status_code == 400
