"""The statistics pages: dashboards, the dossiers behind a number, ranking, reports — as anonymous, without the
right, with it; on the hand-made March 2025 dataset (``conftest.march``: 7 processed, 1 early, 4 on time,
2 late; E open and overdue, F open and on time)."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from motcua.stats import kpi, selectors
from motcua.stats.forms import PeriodForm

MARCH = "period=month&year=2025&month=3"
PAGES = ["/thong-ke/", "/thong-ke/tinh/", "/thong-ke/don-vi/T.SXD/", "/thong-ke/ho-so/?unit=T.SXD",
         "/thong-ke/xep-hang/", "/thong-ke/bao-cao/", "/thong-ke/bao-cao.xlsx", "/thong-ke/bao-cao.pdf"]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_is_sent_to_sign_in(client, org, url):
    r = client.get(url)
    assert r.status_code == 302 and "/tai-khoan/" in r["Location"]


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["an", "khanh"])
def test_without_the_right_gets_403(client_for, url, who):
    assert client_for(who).get(url).status_code == 403


def test_khanh_and_dung_may_not_open_the_agency_dashboard(client_for):
    assert client_for("khanh").get("/thong-ke/don-vi/T.SXD/").status_code == 403
    assert client_for("dung").get("/thong-ke/don-vi/T.SXD/").status_code == 403
    assert client_for("dung").get("/thong-ke/don-vi/T.SXD.P2/").status_code == 200
    assert client_for("giang").get("/thong-ke/tinh/").status_code == 403
    assert client_for("giang").get("/thong-ke/ho-so/").status_code == 403  # the province's dossiers


@pytest.mark.parametrize(("who", "target"), [
    ("giang", "/thong-ke/don-vi/T.SXD/"), ("dung", "/thong-ke/don-vi/T.SXD.P2/"),
    ("thanh", "/thong-ke/tinh/"), ("ha", "/thong-ke/tinh/")])
def test_index_opens_the_viewers_own_dashboard(client_for, who, target):
    r = client_for(who).get("/thong-ke/?" + MARCH)
    assert r.status_code == 302 and r["Location"] == f"{target}?{MARCH}"


def test_director_dashboard_figures_charts_tables_and_links(client_for, march):
    r = client_for("giang").get(f"/thong-ke/don-vi/T.SXD/?{MARCH}")
    assert r.status_code == 200
    html = r.content.decode()
    # Two SVG charts, each named, with the data table of the charts on the page.
    assert html.count('role="img"') == 2
    assert 'aria-labelledby="chart-volume-title chart-volume-desc"' in html
    assert "<title id=\"chart-rates-title\">" in html
    assert 'aria-labelledby="trend-table-h"' in html and "03/25" in html
    # The late count links to its dossiers, and the rates are shown (5/7 = 71.4 %).
    assert "/thong-ke/ho-so/?measure=late&amp;from=2025-03-01&amp;to=2025-03-31&amp;unit=T.SXD" in html
    assert "71,4 %" in html
    # The procedure sets an internal target: its separate measure is shown (1 of 4 done by it = 25 %).
    cards = {c["key"]: c["value"] for c in r.context["cards"]}
    assert cards["within_target_rate"] == "25,0 %" and cards["early_rate"] == "42,9 %"
    # The evaluation of Circular 01/2018, with indicators that lack data said so.
    assert "Thông tư 01/2018" in html or "Circular 01/2018" in html
    assert html.count('<tr><td>') >= 9


def test_the_internal_target_card_is_shown_only_where_a_target_is_set(client_for, march, procedure):
    procedure.versions.update(target_time_amount=None, target_time_unit="")
    from motcua.stats.rollups import rebuild

    rebuild()
    r = client_for("giang").get(f"/thong-ke/don-vi/T.SXD/?{MARCH}")
    keys = [c["key"] for c in r.context["cards"]]
    assert "within_target_rate" not in keys and "early_rate" in keys


def test_province_dashboard_lists_agencies(client_for, march):
    r = client_for("thanh").get(f"/thong-ke/tinh/?{MARCH}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Sở Xây dựng" in html and "Sở Nông nghiệp và Môi trường" in html


def test_division_dashboard_lists_officers(client_for, march):
    r = client_for("dung").get(f"/thong-ke/don-vi/T.SXD.P2/?{MARCH}")
    assert r.status_code == 200
    assert 'id="officers-h"' in r.content.decode()


def test_dashboard_query_count_does_not_grow_with_dossiers(client_for, march, life):
    from .conftest import at

    client = client_for("giang")
    url = f"/thong-ke/don-vi/T.SXD/?{MARCH}"
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for day in (12, 13, 14):
        life.receive(at(day))
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    # 40, and 3 for the panel of the dossiers most likely late (the viewer's scope, then nothing scored).
    assert len(second) == len(first) <= 43


def test_monthly_trend_equals_the_summary_of_each_month(march, org):
    scope = kpi.Scope(kpi.subtree_ids(org["sxd"]))
    spans = selectors.trend_months(dt.date(2025, 4, 30), 3)
    assert spans[0] == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    for row, (a, b) in zip(selectors.monthly(scope, spans), spans, strict=True):
        s = kpi.summary(scope, a, b)
        assert {k: row[k] for k in ("received", "done", "early", "on_time", "late", "processed")} == {
            k: s[k] for k in ("received", "done", "early", "on_time", "late", "processed")}


def test_dossiers_behind_a_number(client_for, march):
    r = client_for("giang").get("/thong-ke/ho-so/?unit=T.SXD&measure=late&from=2025-03-01&to=2025-03-31")
    assert r.status_code == 200
    assert r.context["page"].paginator.count == 1
    codes = {d.pk for d in r.context["page"].object_list}
    assert codes == {march["C"].pk}  # resolved late; E, past its date and still open, is among the overdue
    for measure, expected in (("received", 7), ("ended", 5), ("early", 3), ("on_time", 1), ("in_progress", 2),
                              ("within_time", 1), ("overdue", 1)):
        r = client_for("giang").get(f"/thong-ke/ho-so/?unit=T.SXD&measure={measure}&from=2025-03-01&to=2025-03-31")
        assert r.context["page"].paginator.count == expected, measure
    # No query per row: the listing of 7 dossiers runs as many queries as a listing of 1.
    client = client_for("giang")
    url = "/thong-ke/ho-so/?unit=T.SXD&measure=received&from=2025-03-01&to=2025-03-31"
    with CaptureQueriesContext(connection) as queries:
        r = client.get(url)
    assert r.context["page"].paginator.count == 7
    assert len(queries) <= 12


def _span(data: dict[str, str]) -> tuple[dt.date, dt.date]:
    p = PeriodForm(data).result()
    return p.first, p.last


def test_period_form():
    assert _span({"period": "quarter", "year": "2025", "quarter": "2"}) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert _span({"period": "year", "year": "2024"}) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert _span({"from": "2025-03-05", "to": "2025-03-09"}) == (dt.date(2025, 3, 5), dt.date(2025, 3, 9))
    bad = PeriodForm({"period": "custom", "from": "2025-03-09", "to": "2025-03-05"})
    assert not bad.is_valid()


def test_ranking_page(client_for, march):
    r = client_for("thanh").get(f"/thong-ke/xep-hang/?{MARCH}")
    assert r.status_code == 200
    rows = r.context["data"]["rows"]
    assert rows[0]["unit"].code == "T.SXD" and rows[0]["total_rank"] == 1
    assert rows[0]["on_time_rate"] == pytest.approx(5 / 7, abs=1e-4)


def test_report_page_xlsx_and_pdf(client_for, march):
    client = client_for("giang")
    query = "unit=T.SXD&period=month&year=2025&month=3"
    page = client.get(f"/thong-ke/bao-cao/?{query}")
    assert page.status_code == 200
    total = page.context["total"]["cells"]
    # carried over 0, online 0, desk 7, to handle 7, ended 5 (3 early, 1 on time, 1 late; 1 stopped), open 2 (1 overdue)
    assert total == [0, 0, 7, 7, 5, 3, 1, 1, 1, 2, 1, 1, 2]
    x = client.get(f"/thong-ke/bao-cao.xlsx?{query}")
    assert x.status_code == 200
    with zipfile.ZipFile(io.BytesIO(x.content)) as book:
        names = book.namelist()
        assert "xl/worksheets/sheet1.xml" in names and "xl/worksheets/sheet2.xml" in names
        strings = book.read("xl/sharedStrings.xml").decode()
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "Cấp giấy phép xây dựng mới" in strings and "SỔ THEO DÕI HỒ SƠ" in strings
    assert re.search(r"<v>7</v>", sheet)
    p = client.get(f"/thong-ke/bao-cao.pdf?{query}")
    assert p.status_code == 200 and p["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(p.content)).pages)
    assert "BÁO CÁO Tình hình, kết quả giải quyết thủ tục hành chính" in " ".join(text.split()) and "Tổng cộng" in text
    assert "0 0 7 7 5 3 1 1 1 2 1 1 2" in " ".join(text.split())


def test_the_register_sheet_is_masked_for_the_inspector_and_logged(client_for, march):
    from motcua.dossiers.choices import EventKind

    query = "unit=T.SXD&period=month&year=2025&month=3"
    shown = {}
    for who in ("giang", "thanh"):
        with zipfile.ZipFile(io.BytesIO(client_for(who).get(f"/thong-ke/bao-cao.xlsx?{query}").content)) as book:
            shown[who] = book.read("xl/sharedStrings.xml").decode()
    phone = march["A"].applicant_phone
    assert phone and phone in shown["giang"]  # the director's agency processes them: whole
    assert march["A"].code in shown["thanh"] and phone not in shown["thanh"]  # the inspector: masked
    logged = march["A"].events.filter(kind=EventKind.PERSONAL_DATA_VIEWED, data__what="register")
    assert sorted((e.actor.username, e.data["masked"]) for e in logged) == [("giang", False), ("thanh", True)]


def test_report_of_another_unit_is_403(client_for):
    assert client_for("giang").get("/thong-ke/bao-cao.xlsx?unit=T.SNN").status_code == 403
    assert client_for("dung").get("/thong-ke/bao-cao.pdf?unit=T.SXD").status_code == 403


def test_breakdown_rows_add_up_and_link_to_their_dossiers(client_for, march):
    r = client_for("giang").get(f"/thong-ke/don-vi/T.SXD/?{MARCH}")
    rows = r.context["units"]
    processed = sum(int(row["cells"][1]["text"]) for row in rows)
    assert processed == 7  # every dossier once, in its processing unit's row
    link = next(row["cells"][1]["url"] for row in rows if row["cells"][1]["text"] == "7")
    listed = client_for("giang").get(link)
    assert listed.status_code == 200 and listed.context["page"].paginator.count == 7
