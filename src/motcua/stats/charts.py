"""What the statistics pages show of the selectors' figures: labels, formatted values with their links,
and the SVG charts of the month-by-month trends (each drawn from the rows of its data table)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit
from motcua.core import svg

from .forms import Period
from .selectors import OPTIONAL_KPIS


def labels() -> dict[str, str]:
    return {
        # The names of the periodic report's columns, so that a count reads the same on every screen.
        "received": _("Received"), "processed": _("To handle in the period"), "ended": _("Resolved"),
        "done": _("Done"), "stopped": _("Of which stopped or returned"), "early": _("Resolved early"),
        "on_time": _("Resolved on time"), "late": _("Resolved late"),
        "on_time_rate": _("On-time rate (early included)"), "early_rate": _("Early rate"),
        "in_progress": _("Being resolved"), "within_time": _("Being resolved, within time"),
        "overdue": _("Being resolved, past the promised date"), "at_risk": _("At risk of missing the promised date"),
        "avg_working_days": _("Average processing time (working days)"), "online_rate": _("Received online"),
        "online": _("Received online"), "carried_over": _("Carried over from the previous period"),
        "within_target_rate": _("Done within the internal target"),
    }


def label(key: str) -> str:
    return labels().get(key, key)


def fmt(value: Any, kind: str = "count") -> str:
    if value is None:
        return "—"
    # number_format cuts decimals off; round first.
    if kind == "rate":
        return f"{number_format(round(value * 100, 1), 1)} %"
    if kind == "days":
        return number_format(round(value, 1), 1)
    return number_format(value, 0, force_grouping=True)


def fmt_delta(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    if kind == "rate":
        points = _("pp")  # percentage points
        return f"{sign}{number_format(round(abs(value) * 100, 1), 1)} {points}"
    return f"{sign}{fmt(abs(value), kind)}"


DrillUrl = Callable[..., str]


def cards(figures: dict[str, Any], unit: OrgUnit | None, period: Period, drill_url: DrillUrl) -> list[dict[str, Any]]:
    out = []
    for r in figures["list"]:
        if r["key"] in OPTIONAL_KPIS and r["value"] is None and r["previous"] is None and r["last_year"] is None:
            continue
        out.append({"key": r["key"], "label": label(r["key"]), "value": fmt(r["value"], r["format"]),
                    "url": drill_url(unit, r["measure"], period) if r["measure"] else "",
                    "previous": fmt(r["previous"], r["format"]), "last_year": fmt(r["last_year"], r["format"]),
                    "vs_previous": fmt_delta(r["vs_previous"], r["format"]),
                    "vs_last_year": fmt_delta(r["vs_last_year"], r["format"])})
    return out


COLUMNS = ("received", "processed", "ended", "early", "on_time", "late", "in_progress", "overdue")


def _row_cells(row: dict[str, Any], link: Callable[[str], str]) -> list[dict[str, str]]:
    cells = [{"text": fmt(row[k]), "url": link(k)} for k in COLUMNS]
    cells += [{"text": fmt(row[k], "rate"), "url": ""} for k in ("early_rate", "on_time_rate")]
    return cells


def column_labels() -> list[str]:
    return [label(k) for k in COLUMNS] + [label("early_rate"), label("on_time_rate")]


def unit_rows(rows: list[dict[str, Any]], period: Period, drill_url: DrillUrl) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        unit: OrgUnit = r["unit"]

        def link(measure: str, unit: OrgUnit = unit) -> str:
            return drill_url(unit, measure, period, side="processing")

        if r.get("own"):

            def own(measure: str, unit: OrgUnit = unit) -> str:
                return drill_url(unit, measure, period, side="own")

            out.append({"name": _("%(unit)s itself (no division named)") % {"unit": unit.name}, "url_name": "",
                        "cells": _row_cells(r, own)})
            continue
        out.append({"name": unit.name, "url_name": unit.code, "cells": _row_cells(r, link)})
    return out


def officer_rows(rows: list[dict[str, Any]], unit: OrgUnit, period: Period,
                 drill_url: DrillUrl) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        officer = r["officer_id"]

        def link(measure: str, officer: int | None = officer) -> str:
            if officer is None:
                return ""
            return drill_url(unit, measure, period, officer=officer, side="processing")

        cells = _row_cells(r, link)
        cells[0] = {"text": "—", "url": ""}  # officers are assigned after receipt: no "received" per officer
        out.append({"name": r["officer"].get_full_name() if r["officer"] else _("Not assigned"), "cells": cells})
    return out


def trend_charts(months: list[dict[str, Any]], link: Callable[[str, Any, Any], str]) -> dict[str, Any]:
    names = [f"{m['to']:%m}" + (f"\n{m['to']:%Y}" if i == 0 or m["to"].month == 1 else "")
             for i, m in enumerate(months)]
    volume = svg.bar_chart("chart-volume", _("Dossiers received and done, month by month"), names,
                           [svg.Series(_("Received"), [m["received"] for m in months]),
                            svg.Series(_("Done"), [m["done"] for m in months])],
                           desc=_("Bar chart; the same figures are in the table below."))
    rates = svg.line_chart("chart-rates", _("On-time and early rates, month by month"), names,
                           [svg.Series(_("On time"), [m["on_time_rate"] for m in months]),
                            svg.Series(_("Early"), [m["early_rate"] for m in months])],
                           desc=_("Line chart of percentages; the same figures are in the table below."))
    table = [{"label": m["label"], "cells": [
        {"text": fmt(m[k]), "url": link(k, m["from"], m["to"])} for k in ("received", "done", "processed")] + [
        {"text": fmt(m[k], "rate"), "url": ""} for k in ("on_time_rate", "early_rate")]} for m in months]
    return {"volume": volume, "rates": rates, "table": table}
