"""The periodic report as a paper (issue 14, items 5 and 6): the PDF of the report page is a view — on the
layout of Decree 30/2020, marked as not issued, with no number — and a leader signs and issues it, which
numbers it in the agency's register of reports of the year and stores the signed PDF."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from motcua.accounts import services as accounts
from motcua.accounts.choices import Role
from motcua.dossiers.issuing import PREVIEW_MARK
from motcua.stats.models import IssuedReport

QUERY = "unit=T.SXD&period=month&year=2026&month=11"


@pytest.fixture(autouse=True)
def _titles(people, org):  # type: ignore[no-untyped-def]
    accounts.assign_role(people["giang"], Role.AGENCY_LEADER, org["sxd"], title="Giám đốc")
    org["sxd"].short_name = "SXD"
    org["sxd"].save()


def text_of(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages).split())


DECREE_30_PARTS = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH LÂM ĐỒNG",
                   "SỞ XÂY DỰNG", "BÁO CÁO", "Tình hình, kết quả giải quyết thủ tục hành chính", "Nơi nhận:",
                   "UBND tỉnh Lâm Đồng (để báo cáo)", "Lưu: VT", "GIÁM ĐỐC", "Hoàng Văn Giang")


def test_the_report_pdf_is_a_view_without_a_number_and_says_so(client_for):
    r = client_for("giang").get(f"/thong-ke/bao-cao.pdf?{QUERY}")
    assert r.status_code == 200
    text = text_of(r.content)
    for part in DECREE_30_PARTS:
        assert part in text, part
    assert "Số: …/BC-SXD" in text and "Số: /BC" not in text
    assert PREVIEW_MARK in text and "chưa có số" in text
    assert re.search(r"Lâm Đồng, ngày \d{2} tháng \d{1,2} năm \d{4}", text)
    assert not IssuedReport.objects.exists()


def test_the_director_signs_and_issues_the_report_with_the_next_number(client_for, people):
    client = client_for("giang")
    page = client.get(f"/thong-ke/bao-cao/?{QUERY}")
    assert page.context["may_issue"] and "/thong-ke/bao-cao/phat-hanh" in page.content.decode()
    r = client.post(f"/thong-ke/bao-cao/phat-hanh?{QUERY}")
    assert r.status_code == 302
    first = IssuedReport.objects.get()
    assert first.reference == "01/BC-SXD" and first.issued_by == people["giang"]
    pdf = client.get(r["Location"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = text_of(pdf.content)
    for part in DECREE_30_PARTS:
        assert part in text, part
    assert "Số: 01/BC-SXD" in text and PREVIEW_MARK not in text
    assert re.search(r"GIÁM ĐỐC \(Ký, ghi rõ họ tên, đóng dấu\) Hoàng Văn Giang", text)
    client.post(f"/thong-ke/bao-cao/phat-hanh?{QUERY}")
    assert sorted(IssuedReport.objects.values_list("reference", flat=True)) == ["01/BC-SXD", "02/BC-SXD"]
    listed = client.get(f"/thong-ke/bao-cao/?{QUERY}").content.decode()
    assert "01/BC-SXD" in listed and "02/BC-SXD" in listed


@pytest.mark.parametrize("who", ["dung", "thanh", "khanh", "an"])
def test_only_a_leader_who_signs_for_the_agency_issues_its_report(client_for, who):
    assert client_for(who).post(f"/thong-ke/bao-cao/phat-hanh?{QUERY}").status_code == 403
    assert not IssuedReport.objects.exists()


def test_anonymous_is_sent_to_sign_in(client):  # type: ignore[no-untyped-def]
    assert client.post(f"/thong-ke/bao-cao/phat-hanh?{QUERY}").status_code == 302
    assert client.get("/thong-ke/bao-cao/da-phat-hanh/1.pdf").status_code == 302


def test_an_issued_report_is_read_by_those_who_see_the_unit_statistics(client_for):
    client_for("giang").post(f"/thong-ke/bao-cao/phat-hanh?{QUERY}")
    url = f"/thong-ke/bao-cao/da-phat-hanh/{IssuedReport.objects.get().pk}.pdf"
    assert client_for("thanh").get(url).status_code == 200  # the inspector sees every unit
    assert client_for("khanh").get(url).status_code == 403
    assert client_for("giang").get("/thong-ke/bao-cao/da-phat-hanh/999.pdf").status_code == 404
