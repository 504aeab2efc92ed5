"""The statistics API, mounted at /api/v1/stats: ``/summary`` and ``/index766`` of a unit subtree and
a period (rates as fractions 0-1; None when the denominator is 0)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, unit_ids_in_scope
from motcua.catalogue.models import Procedure
from motcua.core.api_schemas import ErrorOut
from motcua.core.errors import DomainError, NotFound, PermissionDenied

from . import index766, kpi

router = Router(tags=["statistics"], auth=STAFF_OR_CITIZEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MAX_DAYS = 3660


def _date(value: str | None, name: str, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise DomainError(_("Write the date as YYYY-MM-DD."), code="invalid_input",
                          details={"fields": [{"field": name, "message": _("Write the date as YYYY-MM-DD.")}]}
                          ) from None


def resolve(user: User, unit: str | None, first: str | None, last: str | None,
            procedure: str | None = None) -> tuple[kpi.Scope, dt.date, dt.date, OrgUnit | None]:
    """Parse and check the query: the unit (by code) in the user's statistics scope, the period."""
    today = dt.date.today()
    start = _date(first, "from", today.replace(month=1, day=1))
    end = _date(last, "to", today)
    if end < start:
        raise DomainError(_("The end date is before the start date."), code="invalid_range")
    if (end - start).days > MAX_DAYS:
        raise DomainError(_("Ask for at most ten years at a time."), code="range_too_long")
    if not has_capability(user, Capability.VIEW_STATS):
        raise PermissionDenied(_("You may not see statistics."), code="forbidden")
    node = None
    if unit:
        node = OrgUnit.objects.filter(code=unit).first()
        if node is None:
            raise NotFound(_("No organisation unit has this code."), code="unit_not_found")
        if not has_capability(user, Capability.VIEW_STATS, node):
            raise PermissionDenied(_("You may not see the statistics of this unit."), code="forbidden")
        ids: frozenset[int] | None = kpi.subtree_ids(node)
    else:
        scope = unit_ids_in_scope(user, Capability.VIEW_STATS)
        ids = None if scope is None else frozenset(scope)
    procedure_ids = None
    if procedure:
        pk = Procedure.objects.filter(code=procedure).values_list("pk", flat=True).first()
        if pk is None:
            raise NotFound(_("There is no procedure with the code %(code)s.") % {"code": procedure},
                           code="procedure_not_found")
        procedure_ids = frozenset({pk})
    return kpi.Scope(ids, procedure_ids), start, end, node


@router.get("/summary", response={200: dict[str, Any], **ERRORS}, summary="KPIs of a unit and period")
def summary(request: HttpRequest, unit: str | None = None, from_: str | None = None, to: str | None = None,
            procedure: str | None = None) -> Any:
    """Received, done, early, on time, late, in progress (overdue, at risk), rates (0-1) and the average
    processing time in working days, by the rules of indicator 2.1 of Bộ chỉ số 766. ``from`` and ``to``
    are local dates (YYYY-MM-DD), inclusive."""
    first = request.GET.get("from", from_)
    user: User = request.auth  # type: ignore[attr-defined]
    scope, start, end, node = resolve(user, unit, first, to, procedure)
    return {"unit": node.code if node else None, "procedure": procedure, **kpi.summary(scope, start, end)}


@router.get("/index766", response={200: dict[str, Any], **ERRORS}, summary="Bộ chỉ số 766 of a unit and period")
def index(request: HttpRequest, unit: str | None = None, from_: str | None = None, to: str | None = None) -> Any:
    """The six groups and their sub-indicators, each with numerator, denominator, value (0-1), target and
    points; an indicator the system has no data for carries a note and no value."""
    first = request.GET.get("from", from_)
    user: User = request.auth  # type: ignore[attr-defined]
    scope, start, end, node = resolve(user, unit, first, to)
    return {"unit": node.code if node else None, **index766.compute(scope, start, end)}
