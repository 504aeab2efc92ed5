"""The staff pages of the surveys: who sees what, suppression, the exports, paper double entry, and a planted
answer that no page, export or API answer ties to its author or dossier."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from django.test import Client
from pypdf import PdfReader

from motcua.surveys import services
from motcua.surveys.models import PaperSheet, Response
from motcua.surveys.services import Answers, Where

pytestmark = pytest.mark.django_db

YEAR = "from=2026-01-01&to=2026-12-31"
DOSSIER_FORM = {"time": 5, "visits": 4, "attitude": 5, "overall": 4}


def _answers(org, people, n, *, unit="sxd", procedure="1.013236", month=dt.date(2026, 3, 1), comment="",
             dossier_id=None, channel="link"):  # type: ignore[no-untyped-def]
    for i in range(n):
        services.record(services.per_dossier_form(), Answers(DOSSIER_FORM, comment=comment),
                        Where(unit=org[unit], month=month, procedure_code=procedure, officer=people["binh"],
                              desk="Q1"), channel, dossier_id=None if dossier_id is None else dossier_id + i)


@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("an", 403), ("binh", 403), ("cuong", 403),
                                             ("giang", 200), ("thanh", 200), ("ha", 200)])
def test_who_sees_the_results(client_for, who, status):
    client = Client() if who == "anonymous" else client_for(who)
    assert client.get(f"/khao-sat/ket-qua/?{YEAR}").status_code == status


def test_the_results_page_shows_indices_and_withholds_small_groups(client_for, org, people):
    _answers(org, people, 6)
    _answers(org, people, 3, unit="other")
    page = client_for("thanh").get(f"/khao-sat/ket-qua/?{YEAR}&by=unit").content.decode()
    assert "Sở Xây dựng" in page and "100,0 %" in page  # every answer 4 or 5
    assert "Sở Nông nghiệp và Môi trường" in page and "Ít hơn 5 phiếu: không hiển thị." in page
    # A leader of one agency sees only that agency, and cannot ask for another.
    leader = client_for("giang")
    assert "Sở Nông nghiệp" not in leader.get(f"/khao-sat/ket-qua/?{YEAR}&by=unit").content.decode()
    assert leader.get(f"/khao-sat/ket-qua/?{YEAR}&unit=T.SNN").status_code in (400, 403)


def test_a_bad_filter_is_a_clear_400(client_for):
    response = client_for("giang").get("/khao-sat/ket-qua/?from=2026-05-01&to=2026-01-01")
    assert response.status_code == 400 and "error-summary" in response.content.decode()


def test_the_exports(client_for, org, people):
    _answers(org, people, 5)
    _answers(org, people, 1, procedure="9.999999")  # alone in its month: its procedure is withheld
    client = client_for("giang")
    raw = client.get(f"/khao-sat/ket-qua/tra-loi.csv?{YEAR}")
    assert raw.status_code == 200 and raw.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.content.decode("utf-8-sig"))))
    assert len(rows) == 6 and list(rows[0])[:6] == ["month", "agency", "channel", "questionnaire", "version",
                                                     "procedure"]
    assert sorted(r["procedure"] for r in rows) == ["(khác)", *["1.013236"] * 5]
    assert {r["overall"] for r in rows} == {"4"}
    book = client.get(f"/khao-sat/ket-qua/tra-loi.xlsx?{YEAR}")
    with zipfile.ZipFile(io.BytesIO(book.content)) as z:
        sheets = z.read("xl/workbook.xml").decode()
        assert "Tra loi" in sheets and "Codebook" in sheets
    codebook = client.get(f"/khao-sat/ket-qua/codebook.csv?{YEAR}").content.decode("utf-8-sig")
    assert "Mức độ hài lòng chung" in codebook and "Rất không hài lòng" in codebook
    pdf = client.get(f"/khao-sat/ket-qua.pdf?{YEAR}")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert pdf["Content-Type"] == "application/pdf" and "100" in text
    xlsx = client.get(f"/khao-sat/ket-qua.xlsx?{YEAR}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    chart = client.get(f"/khao-sat/ket-qua/xu-huong.svg?{YEAR}")
    assert chart["Content-Type"] == "image/svg+xml" and b"<title" in chart.content


def test_a_planted_answer_cannot_be_tied_to_its_author_or_dossier(client_for, org, people, token_for):
    # Five answers about five dossiers, one of them with a comment naming its author.
    _answers(org, people, 4, dossier_id=1000)
    _answers(org, people, 1, dossier_id=2000, comment="Tôi là Phan Thị Mận, điện thoại 0987654321")
    planted = Response.objects.exclude(comment="").get()
    clues = [str(planted.pk), planted.dedupe, "Phan Thị Mận", "0987654321", "Trần Thị Bình", "Q1"]
    client = client_for("giang")
    pages = [client.get(f"/khao-sat/{path}?{YEAR}").content.decode("utf-8-sig", "replace") for path in
             ("ket-qua/", "ket-qua/?by=procedure", "ket-qua/tra-loi.csv", "ket-qua/codebook.csv", "y-kien/",
              "ket-qua/xu-huong.svg")]
    api = Client().get(f"/api/v1/surveys/results?{YEAR.replace('from=', 'from=')}&by=procedure",
                       HTTP_AUTHORIZATION=token_for("giang")).content.decode()
    # The random CSRF token of a page may contain any short clue ("Q1"): it is left out of the check.
    csrf = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    for text in [*pages, api]:
        for clue in clues:
            assert clue not in csrf.sub("", text), clue
    # The comment is there, masked, with the agency and the month only.
    assert "Phan Thị ***" in pages[4] or "***" in pages[4]


def test_comments_are_listed_for_the_leader(client_for, org, people):
    _answers(org, people, 1, comment="Nên có thêm ghế chờ.")
    page = client_for("giang").get(f"/khao-sat/y-kien/?{YEAR}").content.decode()
    assert "Nên có thêm ghế chờ." in page and "03/2026" in page
    assert client_for("binh").get(f"/khao-sat/y-kien/?{YEAR}").status_code == 403


def _sheet(form, number, scores):  # type: ignore[no-untyped-def]
    data = {"questionnaire": str(form.pk), "number": number, "month": "2026-03-10", "procedure_code": "",
            "desk": ""}
    data.update({f"c_{code}": str(value) for code, value in scores.items()})
    return data


def test_paper_double_entry_through_the_page(client_for, org, people):
    from motcua.accounts import services as accounts
    from motcua.accounts.choices import Role

    form = services.per_dossier_form()
    desk2 = people["dung"]
    accounts.assign_role(desk2, Role.DESK_OFFICER, org["desk"])
    first = client_for("binh")
    assert first.get(f"/khao-sat/phieu-giay/?questionnaire={form.pk}").status_code == 200
    page = first.post(f"/khao-sat/phieu-giay/?questionnaire={form.pk}", _sheet(form, "A-1", DOSSIER_FORM))
    assert page.status_code == 200 and "Một người khác phải nhập lại" in page.content.decode()
    again = first.post(f"/khao-sat/phieu-giay/?questionnaire={form.pk}", _sheet(form, "A-1", DOSSIER_FORM))
    assert again.status_code == 409 and not Response.objects.exists()
    second = client_for("dung")
    differ = second.post(f"/khao-sat/phieu-giay/?questionnaire={form.pk}",
                         _sheet(form, "A-1", {**DOSSIER_FORM, "overall": 2}))
    assert "Mức độ hài lòng chung" in differ.content.decode() and not Response.objects.exists()
    assert PaperSheet.objects.get().status == "conflict"
    accounts.assign_role(people["giang"], Role.DESK_OFFICER, org["desk"])
    third = client_for("giang").post(f"/khao-sat/phieu-giay/?questionnaire={form.pk}",
                                     _sheet(form, "A-1", DOSSIER_FORM))
    assert "phiếu đã được tính" in third.content.decode()
    response = Response.objects.get()
    assert response.channel == "paper" and response.month == dt.date(2026, 3, 1)
    bad = first.post(f"/khao-sat/phieu-giay/?questionnaire={form.pk}", {"questionnaire": str(form.pk)})
    assert bad.status_code == 400 and Response.objects.count() == 1


def test_paper_entry_is_for_the_desk(client_for):
    assert client_for("giang").get("/khao-sat/phieu-giay/").status_code == 403
    assert client_for("an").get("/khao-sat/phieu-giay/").status_code == 403


def test_the_dashboard_shows_satisfaction(client_for, org, people):
    _answers(org, people, 6, month=dt.date(2026, 3, 1))
    page = client_for("giang").get("/thong-ke/?period=year&year=2026", follow=True).content.decode()
    assert "Sự hài lòng của người dân" in page and "/khao-sat/ket-qua/?questionnaire=dossier" in page


@pytest.mark.parametrize(("who", "target"), [("giang", "/khao-sat/ket-qua/"), ("binh", "/khao-sat/phieu-giay/")])
def test_the_staff_reach_the_surveys_from_the_menu(client_for, who, target):
    page = client_for(who).get("/").content.decode()
    assert f'href="{target}"' in page and "Khảo sát sự hài lòng" in page


@pytest.mark.parametrize("path", ["ket-qua.xlsx", "ket-qua.pdf", "ket-qua/xu-huong.svg", "ket-qua/tra-loi.csv",
                                  "ket-qua/tra-loi.xlsx", "ket-qua/codebook.csv", "y-kien/"])
@pytest.mark.parametrize(("who", "status"), [("anonymous", 302), ("an", 403), ("binh", 403), ("thanh", 200)])
def test_who_may_download(client_for, path, who, status):
    client = Client() if who == "anonymous" else client_for(who)
    assert client.get(f"/khao-sat/{path}?{YEAR}").status_code == status


def test_a_bad_filter_downloads_nothing(client_for):
    assert client_for("thanh").get("/khao-sat/ket-qua/tra-loi.csv?from=2026-13-01").status_code == 400
