"""The raw answers (CSV, XLSX with the codebook) as background exports (``motcua.core.exports``, issue 20) when the
filter covers more responses than a request should write: a province's year holds one response per dossier
answered. The parameters are the results filter's query, read again for the owner when the task runs and at
download, so the file holds what the owner may still see (``selectors.scope_ids``).

The results report (XLSX, PDF) and the codebook stay within the request: their size is that of the questionnaire,
not of the number of responses.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability
from motcua.core import exports as core_exports
from motcua.core.errors import DomainError

from . import exports, selectors
from .staff_forms import ResultsFilter

CSV, XLSX = "surveys.answers_csv", "surveys.answers_xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def filtered(user: User, query: QueryDict) -> tuple[ResultsFilter, selectors.Scope | None, OrgUnit | None]:
    """The results filter of ``query`` for ``user``: the form, and the scope it gives (None: the form is not
    valid) with the unit chosen. A unit out of the user's scope, or no right to the statistics: 403."""
    if not has_capability(user, Capability.VIEW_STATS):
        raise PermissionDenied
    scope_all, _node = selectors.scope_ids(user, None)
    form = ResultsFilter(query, selectors.agencies_in(scope_all))
    if not form.is_valid():
        return form, None, None
    data = form.cleaned_data
    try:
        unit_ids, node = selectors.scope_ids(user, data.get("unit") or None)
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    code, version = selectors.resolve(data.get("questionnaire") or None)
    scope = selectors.Scope(code, data["from_"], data["to"], unit_ids, version, data.get("channel") or "")
    return form, scope, node


def params(query: QueryDict) -> dict[str, str]:
    return {"query": query.urlencode()}


def _scope(user: User, p: dict[str, Any]) -> selectors.Scope:
    _form, scope, _node = filtered(user, QueryDict(p["query"]))
    if scope is None:
        raise PermissionDenied  # the view checked the filter before starting; a changed questionnaire list
    return scope


def _allowed(user: User, p: dict[str, Any]) -> bool:
    try:
        _scope(user, p)
    except PermissionDenied:
        return False
    return True


def _count(user: User, p: dict[str, Any]) -> int:
    return selectors.response_count(_scope(user, p))


def _title(p: dict[str, Any]) -> str:
    return _("Raw survey answers")


def _render(kind: str) -> Any:
    def render(user: User, p: dict[str, Any], progress: core_exports.Progress) -> core_exports.Output:
        scope = _scope(user, p)
        codes, rows = selectors.raw_answers(scope)
        progress(len(rows) // 2, len(rows))  # rows read; the file is written next
        if kind == CSV:
            return core_exports.Output(exports.answers_csv(codes, rows), f"tra-loi-{scope.code}.csv",
                                       "text/csv; charset=utf-8")
        return core_exports.Output(exports.answers_xlsx(codes, rows, selectors.codebook(scope)),
                                   f"tra-loi-{scope.code}.xlsx", XLSX_TYPE)

    return render


def register() -> None:
    for kind in (CSV, XLSX):
        core_exports.register(core_exports.Export(kind=kind, title=_title, count=_count, allowed=_allowed,
                                                  render=_render(kind)))
