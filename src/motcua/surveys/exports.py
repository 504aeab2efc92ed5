"""Files of the surveys: the raw answers (anonymised, ``selectors.raw_answers``) as CSV and XLSX with their
codebook, the results report as XLSX and PDF, the trend chart as SVG. What a file holds is decided in the
selectors; here it is only written out, so a suppressed figure stays suppressed in every format."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from motcua.core import svg

FIXED = ["month", "agency", "channel", "questionnaire", "version", "procedure"]


def answers_csv(codes: list[str], rows: list[dict[str, Any]]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Vietnamese right."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*FIXED, *codes], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def codebook_csv(book: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["column", "vi", "en", "values"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(book)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def answers_xlsx(codes: list[str], rows: list[dict[str, Any]], book: list[dict[str, str]]) -> bytes:
    """The answers on one sheet, the codebook on a second."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    sheet = workbook.add_worksheet("Tra loi")
    columns = [*FIXED, *codes]
    for col, name in enumerate(columns):
        sheet.write(0, col, name, bold)
    for r, row in enumerate(rows, start=1):
        for col, name in enumerate(columns):
            value = row.get(name)
            if value is not None and value != "":
                sheet.write(r, col, value)
    sheet.freeze_panes(1, 0)
    coding = workbook.add_worksheet("Codebook")
    for col, name in enumerate(["column", "vi", "en", "values"]):
        coding.write(0, col, name, bold)
    for r, entry in enumerate(book, start=1):
        for col, name in enumerate(["column", "vi", "en", "values"]):
            coding.write(r, col, entry[name])
    coding.set_column(1, 3, 60)
    workbook.close()
    return buffer.getvalue()


def _share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}".replace(".", ",")


def results_xlsx(result: dict[str, Any], heading: str) -> bytes:
    """One row per group and criterion: index, interval, base; suppressed cells stay empty and say so."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = workbook.add_format({"bold": True})
    share = workbook.add_format({"num_format": "0.0%"})
    sheet = workbook.add_worksheet("Ket qua")
    sheet.write(0, 0, heading, bold)
    headings = [_("Group"), _("Factor"), _("Criterion"), _("Answers"), _("Index"), _("Lower bound"),
                _("Upper bound"), _("Not applicable"), _("Note")]
    for col, name in enumerate(headings):
        sheet.write(2, col, name, bold)
    row = 3
    hidden = _("fewer than %(n)s answers: not shown") % {"n": result["minimum"]}

    def put(group: str, factor: str, criterion: str, cell: dict[str, Any]) -> None:
        nonlocal row
        sheet.write(row, 0, group)
        sheet.write(row, 1, factor)
        sheet.write(row, 2, criterion)
        if cell.get("suppressed"):
            sheet.write(row, 8, hidden)
        else:
            sheet.write_number(row, 3, cell["n"])
            for col, key in ((4, "index"), (5, "low"), (6, "high")):
                if cell.get(key) is not None:
                    sheet.write_number(row, col, cell[key], share)
            sheet.write_number(row, 7, cell.get("na") or 0)
        row += 1

    for group in result["groups"]:
        put(group["label"], _("Overall"), "", group["overall"])
        for factor in group["factors"]:
            put(group["label"], f"{factor['code']}. {factor['name']}", "", factor)
            for c in factor["criteria"]:
                put(group["label"], f"{factor['code']}", c["label"], c)
    sheet.set_column(0, 2, 40)
    workbook.close()
    return buffer.getvalue()


def results_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("surveys/results_pdf.html", context)
    out: bytes = HTML(string=html).write_pdf()
    return out


def trend_svg(trend: dict[str, Any]) -> Any:
    """The overall index month by month with its interval; a suppressed month is a gap."""
    # The month alone under each point (the year is in the table beside): twelve labels fit a phone's width.
    labels = [g["key"][5:7] if len(g["key"]) == 7 else g["label"] for g in trend["groups"]]
    values = [g["overall"]["index"] for g in trend["groups"]]
    intervals = [(g["overall"]["low"], g["overall"]["high"]) if g["overall"]["index"] is not None else None
                 for g in trend["groups"]]
    return svg.line_chart("survey-trend", _("Satisfaction index by month"), labels,
                          [svg.Series(_("Overall index"), values)],
                          desc=_("The overall index with its 95 per cent confidence interval; the table below "
                                 "gives the same figures."), intervals=intervals)
