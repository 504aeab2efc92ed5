"""The dossier register (form 06 of Circular 01/2018/TT-VPCP Arts. 9–10; form 07 of Circular 03/2025/TT-VPCP
Annex I) as a background export when a range holds more dossiers than a request should render
(``motcua.core.exports``): the same rows, the same masking and the same logging of each dossier's appearance
(``services.rows_for_export``) as the register built within the request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from motcua.accounts.models import User
from motcua.core import exports

from . import files, issuing, selectors, services

PDF, XLSX = "dossiers.register_pdf", "dossiers.register_xlsx"
WHERE = {PDF: "/api/v1/registers/dossiers.pdf", XLSX: "/api/v1/registers/dossiers.xlsx"}


def params(first: dt.date, last: dt.date) -> dict[str, str]:
    return {"from": first.isoformat(), "to": last.isoformat()}


def _range(p: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(p["from"]), dt.date.fromisoformat(p["to"])


def _count(user: User, p: dict[str, Any]) -> int:
    return selectors.received_between(user, *_range(p)).count()


def _allowed(user: User, p: dict[str, Any]) -> bool:
    return selectors.is_staff(user)


def _title(p: dict[str, Any]) -> str:
    first, last = _range(p)
    return _("Register of dossiers %(first)s – %(last)s") % {"first": first.strftime("%d/%m/%Y"),
                                                              "last": last.strftime("%d/%m/%Y")}


def _render(kind: str) -> Any:
    def render(user: User, p: dict[str, Any], progress: exports.Progress) -> exports.Output:
        first, last = _range(p)
        found = list(selectors.received_between(user, first, last))
        progress(0, len(found))
        dossiers = services.rows_for_export(user, found, WHERE[kind])
        progress(len(found) // 2, len(found))  # rows read and logged; the document is written next
        if kind == PDF:
            content = issuing.renderer().register_pdf(user, dossiers, first, last)
            name, content_type = f"so-theo-doi-ho-so-{first}-{last}.pdf", files.CONTENT_TYPES[files.PDF]
        else:
            content = issuing.renderer().register_xlsx(dossiers, first, last)
            name, content_type = f"so-theo-doi-ho-so-{first}-{last}.xlsx", files.CONTENT_TYPES[files.XLSX]
        progress(len(found), len(found))
        return exports.Output(content, name, content_type)

    return render


def register() -> None:
    for kind in (PDF, XLSX):
        exports.register(exports.Export(kind=kind, title=_title, count=_count, allowed=_allowed,
                                        render=_render(kind)))
