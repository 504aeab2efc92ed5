"""The periodic report of dossier handling for a unit and a period, per procedure: received (carried over
from the previous period, new online, new at the desk or by post), ended by class (early, on time, late;
of which stopped), and still in progress at the end (within time, overdue) — carried over to the next
period. As XLSX (XlsxWriter; a second sheet holds the register, form 06/07, from ``motcua.documents``)
and as PDF (the legal-form template and the WeasyPrint renderer of ``motcua.documents``): a view, marked
not issued and unnumbered, until a leader signs and issues it (``issue``), which numbers it in the issuing
agency's register of reports of the year and stores it.

Identity, per row: carried over + received = ended + in progress at the end.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.accounts.selectors import leader_of
from motcua.catalogue.models import Procedure
from motcua.core.dates import legal_date
from motcua.core.errors import DomainError
from motcua.documents import legal
from motcua.documents.services import write_register_sheet
from motcua.dossiers import issuing
from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier

from . import kpi
from .models import DossierFact, IssuedReport

TITLE = "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
HEADINGS = ["STT", "Thủ tục hành chính", "Kỳ trước chuyển qua", "Mới tiếp nhận trực tuyến",
            "Mới tiếp nhận trực tiếp, bưu chính", "Tổng số hồ sơ phải giải quyết", "Đã giải quyết: tổng số",
            "Trước hạn", "Đúng hạn", "Quá hạn", "Trong đó dừng xử lý, trả lại", "Đang giải quyết: tổng số",
            "Trong hạn", "Quá hạn ", "Chuyển kỳ sau"]
KEYS = ("carried_over", "received_online", "received_other", "to_handle", "ended", "early", "on_time", "late",
        "stopped", "in_progress", "within_time", "overdue", "carried_forward")
REGISTER_LIMIT = 50_000


def _empty() -> dict[str, int]:
    return dict.fromkeys(("carried_over", "received", "received_online", "ended", "early", "on_time", "late",
                          "stopped", "in_progress", "overdue"), 0)


def rows(scope: kpi.Scope, first: dt.date, last: dt.date) -> dict[str, Any]:
    """The report's rows (one per procedure, by name) and totals: three queries and the procedure names."""
    cells: dict[int, dict[str, int]] = {}
    key = ("procedure_id",)
    for (pk,), r in kpi.period_sums(scope, first, last, key).items():
        cells.setdefault(pk, _empty()).update(
            received=r["received"], received_online=r["received_online"], ended=r["ended"], early=r["ended_early"],
            on_time=r["ended_on_time"], late=r["ended_late"], stopped=r["stopped"])
    for (pk,), o in kpi.open_counts(scope, last, key).items():
        cell = cells.setdefault(pk, _empty())
        cell["in_progress"], cell["overdue"] = o["in_progress"], o["overdue"]
    for (pk,), o in kpi.open_counts(scope, first - dt.timedelta(days=1), key).items():
        cells.setdefault(pk, _empty())["carried_over"] = o["in_progress"]
    names = dict(Procedure.objects.filter(pk__in=list(cells)).values_list("pk", "name"))
    out = [_shape(names.get(pk, "?"), cell) for pk, cell in cells.items()]
    out.sort(key=lambda r: r["procedure"])
    total = _empty()
    for cell in cells.values():
        for k, v in cell.items():
            total[k] += v
    return {"rows": out, "total": _shape("Tổng cộng", total)}


def _shape(name: str, c: dict[str, int]) -> dict[str, Any]:
    return {"procedure": name, "carried_over": c["carried_over"], "received_online": c["received_online"],
            "received_other": c["received"] - c["received_online"], "received": c["received"],
            "to_handle": c["carried_over"] + c["received"], "ended": c["ended"], "early": c["early"],
            "on_time": c["on_time"], "late": c["late"], "stopped": c["stopped"], "in_progress": c["in_progress"],
            "within_time": c["in_progress"] - c["overdue"], "overdue": c["overdue"],
            "carried_forward": c["in_progress"]}


def register_dossiers(scope: kpi.Scope, first: dt.date, last: dt.date) -> list[Dossier]:
    """The register (form 06/07) of the unit: dossiers received in the period, in order of receipt."""
    ids = DossierFact.objects.filter(scope.q(), received_day__gte=first, received_day__lte=last).values("dossier_id")
    return list(Dossier.objects.filter(pk__in=ids).select_related("processing_unit")
                .order_by("received_at", "id")[:REGISTER_LIMIT])


def _unit_name(unit: OrgUnit | None) -> str:
    return unit.name if unit else "Toàn tỉnh"


def as_of(last: dt.date) -> str:
    """For a period not yet over, the instant its open dossiers are judged at (``kpi.judged_at``), said in
    the report (Vietnamese, as the report is); "" once the period has ended."""
    if kpi.passed(last):
        return ""
    at = timezone.localtime(kpi.judged_at(last))
    return (f"Số liệu tính đến {at:%H:%M} ngày {at:%d/%m/%Y}: kỳ chưa kết thúc, hồ sơ đang giải quyết được xét "
            f"quá hạn theo ngày hẹn trả tại thời điểm này.")


def xlsx(unit: OrgUnit | None, scope: kpi.Scope, first: dt.date, last: dt.date, reader: User | None = None,
         where: str = "") -> bytes:
    """The report as XLSX, with the register as a second sheet: its rows masked for a ``reader`` who may not
    see the personal data, and logged (``dossiers.services.rows_for_export``)."""
    import xlsxwriter

    data = rows(scope, first, last)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    font = {"font_name": "Liberation Serif", "border": 1, "valign": "top", "text_wrap": True}
    bold = book.add_format({**font, "bold": True})
    cell = book.add_format(font)
    title = book.add_format({"bold": True, "font_name": "Liberation Serif", "font_size": 13})
    sheet = book.add_worksheet("Bao cao")
    sheet.write(0, 0, TITLE, title)
    sheet.write(1, 0, f"{_unit_name(unit)} — từ {legal_date(first)} đến {legal_date(last)}")
    if as_of(last):
        sheet.write(2, 0, as_of(last))
    for col, heading in enumerate(HEADINGS):
        sheet.write(3, col, heading.strip(), bold)
    for n, r in enumerate([*data["rows"], data["total"]], start=1):
        row = 3 + n
        is_total = n > len(data["rows"])
        sheet.write(row, 0, "" if is_total else n, bold if is_total else cell)
        sheet.write(row, 1, r["procedure"], bold if is_total else cell)
        for col, key in enumerate(KEYS, start=2):
            sheet.write_number(row, col, r[key], bold if is_total else cell)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, len(HEADINGS) - 1, 12)
    register = register_dossiers(scope, first, last)
    if reader is not None:
        register = dossier_services.rows_for_export(reader, register, where)
    write_register_sheet(book, bold, cell, register, first, last)
    book.close()
    return buffer.getvalue()


def cells(data: dict[str, Any]) -> dict[str, Any]:
    return {"rows": [{"procedure": r["procedure"], "cells": [r[k] for k in KEYS]} for r in data["rows"]],
            "total": {"procedure": data["total"]["procedure"], "cells": [data["total"][k] for k in KEYS]}}


def issuer_of(unit: OrgUnit | None) -> OrgUnit | None:
    """The body in whose name the report of ``unit`` is issued: the unit itself, or the province (the root)."""
    return unit or OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()


def symbol(issuer: OrgUnit) -> str:
    """"BC-SXD": the kind's symbol and the issuing body's short name (Decree 30/2020 Art. 15(2), Annex III)."""
    short = (issuer.short_name or "").split()
    return f"{issuing.paper_symbol('report')}-{short[0].upper()}" if short else issuing.paper_symbol("report")


def may_issue(user: User, unit: OrgUnit | None) -> bool:
    """Only a leader who signs for the issuing body signs and issues its report (Decree 30/2020 Art. 13)."""
    issuer = issuer_of(unit)
    return issuer is not None and has_capability(user, Capability.SIGN_RESULTS, issuer)


def render(unit: OrgUnit | None, scope: kpi.Scope, first: dt.date, last: dt.date, *, issuer: OrgUnit,
            number: str, signer: User | None, at: dt.datetime, preview: bool) -> bytes:
    from weasyprint import HTML

    parent = issuer.parent
    context = {
        "form": {"title": "BÁO CÁO", "paper": "A4 landscape", "number": "", "basis": ""},
        "header": legal.header(None, issuer, number or f"…/{symbol(issuer)}", at),
        "unit_name": _unit_name(unit), "first": legal_date(first), "last": legal_date(last), "as_of": as_of(last),
        "headings": HEADINGS, **cells(rows(scope, first, last)), "signer": legal.signer_block(signer, issuer, at),
        "issuer": issuer, "parent": parent, "preview_mark": issuing.PREVIEW_MARK if preview else "",
    }
    html = render_to_string("stats/report_pdf.html", context)
    out: bytes = HTML(string=html).write_pdf()
    return out


def pdf(unit: OrgUnit | None, scope: kpi.Scope, first: dt.date, last: dt.date) -> bytes:
    """The report as a view: on the layout of Decree 30/2020, but marked as not issued and with no number —
    any period may be looked at any time, and a number belongs only to a report a leader signs and issues
    (``issue``). The signature block names the head of the issuing body, who would sign it."""
    issuer = issuer_of(unit)
    if issuer is None:
        raise DomainError(_("No organisation unit exists."), code="no_unit")
    now = timezone.now()
    agency = issuer.agency() or issuer
    return render(unit, scope, first, last, issuer=issuer, number="", signer=leader_of(agency), at=now,
                   preview=True)


def read(report: IssuedReport) -> bytes:
    with default_storage.open(report.file.name, "rb") as handle:
        data: bytes = handle.read()
    return data
