"""The periodic report as XLSX with its register sheet (Circular 01/2018 Art. 6, form 06/07) as a background
export (``motcua.core.exports``, issue 20) when the period holds more dossiers than a request should write: the
same workbook, masking and logging as the one built within the request (``reports.xlsx``).

Only the XLSX goes to the background: it carries one row per dossier. The PDF report is one row per procedure
(its cost is the aggregation, not the number of dossiers), so it stays within the request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.core import exports

from . import reports, selectors
from .models import DossierFact

XLSX = "stats.report_xlsx"
WHERE = "/thong-ke/bao-cao.xlsx"


def params(unit: OrgUnit | None, first: dt.date, last: dt.date) -> dict[str, str]:
    return {"unit": unit.code if unit else "", "from": first.isoformat(), "to": last.isoformat()}


def _range(p: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(p["from"]), dt.date.fromisoformat(p["to"])


def _unit(user: User, p: dict[str, Any]) -> OrgUnit | None:
    """The unit of the report, checked against the user's right as the page does (403/404 raised)."""
    if p["unit"]:
        return selectors.unit_for(user, p["unit"])
    if not selectors.sees_province(user):
        raise PermissionDenied
    return None


def _allowed(user: User, p: dict[str, Any]) -> bool:
    """Checked again at download: an officer moved out of the unit, or who lost the right, loses the file."""
    try:
        _unit(user, p)
    except (PermissionDenied, Http404):
        return False
    return selectors.may_view_stats(user)


def _count(user: User, p: dict[str, Any]) -> int:
    first, last = _range(p)
    scope = selectors.scope_of(_unit(user, p))
    found = DossierFact.objects.filter(scope.q(), received_day__gte=first, received_day__lte=last).count()
    return min(found, reports.REGISTER_LIMIT)


def _title(p: dict[str, Any]) -> str:
    first, last = _range(p)
    return _("Report with the register %(first)s – %(last)s") % {"first": first.strftime("%d/%m/%Y"),
                                                                 "last": last.strftime("%d/%m/%Y")}


def _render(user: User, p: dict[str, Any], progress: exports.Progress) -> exports.Output:
    first, last = _range(p)
    unit = _unit(user, p)
    total = _count(user, p)
    progress(0, total)
    content = reports.xlsx(unit, selectors.scope_of(unit), first, last, user, WHERE)
    progress(total, total)
    return exports.Output(content, f"bao-cao-{first}-{last}.xlsx",
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def register() -> None:
    exports.register(exports.Export(kind=XLSX, title=_title, count=_count, allowed=_allowed, render=_render))
