"""Issue 14 item 3: the dashboard, the periodic report (page, XLSX, PDF), the statistics API, the dossiers
behind a number and the desk's queue give the same counts for the same period, with one definition of overdue
(past the dossier's promised date) — on generated history over a month boundary, "now" in the middle of a
month: the current month is judged at the present instant, not at its end."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from pypdf import PdfReader

from motcua.accounts.models import OrgUnit
from motcua.dossiers import timeliness
from motcua.dossiers.models import Dossier
from motcua.stats import kpi, reports
from motcua.stats.generate import generate
from motcua.stats.models import DossierFact

VN = ZoneInfo("Asia/Ho_Chi_Minh")
# Tuesday 10 March 2026, mid-morning: February has ended, March has not.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=VN)
PERIODS = {"february": "period=month&year=2026&month=2", "march": "period=month&year=2026&month=3",
           "across": "from=2026-02-16&to=2026-03-10"}
BOUNDS = {"february": ("2026-02-01", "2026-02-28"), "march": ("2026-03-01", "2026-03-31"),
          "across": ("2026-02-16", "2026-03-10")}
SAME = ("ended", "early", "on_time", "late", "stopped", "in_progress", "within_time", "overdue")
NS = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def history(org, people):  # type: ignore[no-untyped-def]
    """Three months of a department's dossiers up to yesterday evening, as ``motcua generate`` makes them;
    those still open stay open (their next step would fall after yesterday)."""
    # Seed 15: among the dossiers open now, one past its promised date (it carries a second supplement request).
    with time_machine.travel(NOW, tick=False):
        generate(500, agencies=1, first=dt.date(2026, 1, 5), last=dt.date(2026, 3, 9), seed=15, stream=io.StringIO())
    assert OrgUnit.objects.filter(kind="agency").order_by("pk").first() == org["sxd"]
    return org


def _xlsx_total(content: bytes) -> list[int]:
    """The report sheet's total row ("Tổng cộng"), columns C onwards, as numbers."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        strings = [("".join(t.text or "" for t in si.iter(f"{{{NS['x']}}}t")))
                   for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("x:si", NS)]  # noqa: S314 - our export
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))  # noqa: S314 - the XLSX we made
    for row in sheet.iter(f"{{{NS['x']}}}row"):
        cells = row.findall("x:c", NS)
        values = [strings[int(c.findtext("x:v", "", NS))] if c.get("t") == "s" else c.findtext("x:v", "", NS)
                  for c in cells]
        if len(values) > 2 and values[1] == "Tổng cộng":
            return [int(float(v)) for v in values[2:]]
    raise AssertionError("no total row")


def _figures(client: Client, token: str, name: str) -> dict[str, dict[str, int]]:
    query = PERIODS[name]
    out: dict[str, dict[str, int]] = {}
    page = client.get(f"/thong-ke/don-vi/T.SXD/?{query}")
    assert page.status_code == 200
    out["dashboard"] = {k: page.context["figures"]["summary"][k] for k in SAME}
    # The cards show the same values (each with its link to the dossiers behind it).
    cards = {c["key"]: c["value"] for c in page.context["cards"]}
    assert all(cards[k] == f"{out['dashboard'][k]:,}".replace(",", ".") for k in SAME)
    report = client.get(f"/thong-ke/bao-cao/?unit=T.SXD&{query}")
    assert report.status_code == 200
    cells = dict(zip(reports.KEYS, report.context["total"]["cells"], strict=True))
    out["report"] = {"ended": cells["ended"], "early": cells["early"], "on_time": cells["on_time"],
                     "late": cells["late"], "stopped": cells["stopped"], "in_progress": cells["in_progress"],
                     "within_time": cells["within_time"], "overdue": cells["overdue"]}
    xlsx = dict(zip(reports.KEYS, _xlsx_total(client.get(f"/thong-ke/bao-cao.xlsx?unit=T.SXD&{query}").content),
                    strict=True))
    out["xlsx"] = {k: xlsx[k] for k in out["report"]}
    first, last = BOUNDS[name]
    api = client.get(f"/api/v1/stats/summary?unit=T.SXD&from={first}&to={last}", HTTP_AUTHORIZATION=token)
    assert api.status_code == 200
    out["api"] = {k: api.json()[k] for k in SAME}
    behind = {}
    for measure in SAME:
        r = client.get(f"/thong-ke/ho-so/?unit=T.SXD&measure={measure}&from={first}&to={last}")
        behind[measure] = r.context["page"].paginator.count
    out["behind"] = behind
    # The identity of the report: carried over + received = ended + still being resolved.
    assert cells["to_handle"] == cells["ended"] + cells["in_progress"] == out["dashboard"]["ended"] + out[
        "dashboard"]["in_progress"]
    return out


def test_dashboard_report_exports_api_and_queue_agree_over_a_month_boundary(history, client_for, token_for,
                                                                            settings):
    # The XLSX built within the request (its background build writes the same workbook: test_report_export).
    settings.MOTCUA_EXPORT_SYNC_MAX = 10**6
    client = client_for("giang")  # the director of the department
    token = token_for("giang")
    with time_machine.travel(NOW, tick=False):
        figures = {name: _figures(client, token, name) for name in PERIODS}
        queue = client.get("/ho-so/")
        overdue_listing = client.get("/ho-so/", {"bucket": "overdue"})
        pdf = client.get(f"/thong-ke/bao-cao.pdf?unit=T.SXD&{PERIODS['march']}")
    for name, by_screen in figures.items():
        dashboard = by_screen["dashboard"]
        for screen, numbers in by_screen.items():
            assert numbers == dashboard, (name, screen)
        assert dashboard["ended"] > 0 and dashboard["in_progress"] > 0, name
    march = figures["march"]["dashboard"]
    # The queue: the director's "past the promised return date" is the dashboard's "still being resolved,
    # past the promised date" of the current month (both judged now), and its listing lists them.
    assert queue.context["counts"]["overdue"] == march["overdue"] > 0
    assert overdue_listing.context["page"].count == march["overdue"]
    # The period that has not ended is judged now: a dossier due later in March is not overdue yet...
    open_now = Dossier.objects.filter(status__in=timeliness.PROCESSING_STATUSES)
    due_later = open_now.filter(due_at__gt=NOW, due_at__lte=dt.datetime(2026, 3, 31, 23, 59, tzinfo=VN),
                                original_due_at__isnull=True, processing_supplements__lte=1).count()
    assert due_later > 0
    past_due = sum(timeliness.is_overdue(d.status, d.due_at, d.original_due_at, NOW, d.processing_supplements)
                   for d in open_now)
    assert march["overdue"] == past_due
    # ...whereas judged at the end of March (the old error) they all would be.
    with time_machine.travel(NOW, tick=False):
        at_end = DossierFact.objects.filter(kpi.open_q(kpi.end_instant(dt.date(2026, 3, 31))),
                                            kpi.late_at_q(kpi.end_instant(dt.date(2026, 3, 31)))).count()
    assert at_end >= march["overdue"] + due_later
    # February has ended: judged at its last instant, its open dossiers are those carried into March.
    assert figures["february"]["dashboard"]["in_progress"] == _report_cells(client, "march")["carried_over"]
    # The PDF prints the same total row, and says when the figures were judged.
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    total = figures["march"]["report"]
    assert "Số liệu tính đến 10:00 ngày 10/03/2026" in text
    assert re.search(rf"Tổng cộng \d+ \d+ \d+ \d+ {total['ended']} {total['early']} {total['on_time']} "
                     rf"{total['late']} {total['stopped']} {total['in_progress']} {total['within_time']} "
                     rf"{total['overdue']} {total['in_progress']}", text)


def _report_cells(client: Client, name: str) -> dict[str, int]:
    with time_machine.travel(NOW, tick=False):
        report = client.get(f"/thong-ke/bao-cao/?unit=T.SXD&{PERIODS[name]}")
    return dict(zip(reports.KEYS, report.context["total"]["cells"], strict=True))


def test_the_previous_period_of_a_month_is_the_month_before_by_its_real_bounds(history, client_for):
    with time_machine.travel(NOW, tick=False):
        page = client_for("giang").get(f"/thong-ke/don-vi/T.SXD/?{PERIODS['march']}").content.decode()
    assert "01/02/2026 – 28/02/2026" in page and "29/01/2026" not in page
    assert kpi.shift_period(dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == (dt.date(2026, 11, 1),
                                                                           dt.date(2026, 11, 30))
    assert kpi.shift_period(dt.date(2026, 4, 1), dt.date(2026, 6, 30)) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
