"""The statistics API, mounted at /api/v1/stats: ``/summary``, ``/index766`` and ``/evaluation`` of a unit
subtree and a period, and ``/ranking`` of the province's agencies (rates as fractions 0-1; None when the
denominator is 0)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from motcua.accounts.auth import STAFF_OR_CITIZEN
from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, unit_ids_in_scope
from motcua.catalogue.models import Procedure
from motcua.core.api_schemas import ErrorOut, parse_day
from motcua.core.dbrouter import replica_reads
from motcua.core.errors import DomainError, NotFound, PermissionDenied

from . import evaluation, index766, kpi, pakn, selectors

router = Router(tags=["statistics"], auth=STAFF_OR_CITIZEN)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MAX_DAYS = 3660


# ``from`` is a Python keyword: the parameter is ``from_`` with the alias the query uses.
FROM = Query(None, alias="from", description="YYYY-MM-DD (1 January of this year)")
TO = Query(None, description="YYYY-MM-DD (today)")


def resolve(user: User, unit: str | None, first: str | None, last: str | None,
            procedure: str | None = None) -> tuple[kpi.Scope, dt.date, dt.date, OrgUnit | None]:
    """Parse and check the query: the unit (by code) in the user's statistics scope, the period."""
    today = timezone.localdate()  # the local day (Asia/Ho_Chi_Minh), not the server's
    start = parse_day(first, "from", today.replace(month=1, day=1))
    end = parse_day(last, "to", today)
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
@replica_reads
def summary(request: HttpRequest, unit: str | None = None, from_: str | None = FROM, to: str | None = TO,
            procedure: str | None = None) -> Any:
    """The counts of the periodic report: received; ended in the period (early, on time, late; of which
    stopped); in progress at its end (within time, overdue: past the dossier's promised date; at risk),
    judged at the present instant while the period has not ended; rates (0-1) and the average
    processing time in working days, by the rules of indicator 2.1 of Bộ chỉ số 766; online, fully-online
    (``fully_online`` of ``eligible_full``) and reused-data (``reused_data``) counts; paid online
    (``paid_online`` of ``with_fee``), electronic results and digitised dossiers (``e_result``,
    ``digitised`` of ``with_result``). ``from`` and ``to``
    are local dates (YYYY-MM-DD), inclusive. Figures come from pre-computed monthly and daily rollups and
    month-end snapshots (docs/stats.md)."""
    user: User = request.auth  # type: ignore[attr-defined]
    scope, start, end, node = resolve(user, unit, from_, to, procedure)
    return {"unit": node.code if node else None, "procedure": procedure, **kpi.summary(scope, start, end)}


@router.get("/index766", response={200: dict[str, Any], **ERRORS}, summary="Bộ chỉ số 766 of a unit and period")
@replica_reads
def index(request: HttpRequest, unit: str | None = None, from_: str | None = FROM, to: str | None = TO) -> Any:
    """The six groups and their sub-indicators, each with numerator, denominator, value (0-1), target and
    points; an indicator the system has no data for carries a note and no value."""
    user: User = request.auth  # type: ignore[attr-defined]
    scope, start, end, node = resolve(user, unit, from_, to)
    return {"unit": node.code if node else None, **index766.compute(scope, start, end)}


@router.get("/feedback", response={200: dict[str, Any], **ERRORS},
            summary="Feedback and petitions (PAKN) of a unit and period")
@replica_reads
def feedback(request: HttpRequest, unit: str | None = None, from_: str | None = FROM, to: str | None = TO) -> Any:
    """The feedback items of the unit (received by it or routed to one of its divisions; spam and merged
    items left out): ``received`` in the period, by channel and by status (today's); ``handled`` in the
    period (received by its end, not closed before its start) and ``on_time`` of them by the rules of 766
    indicator 5.2 (``on_time_rate`` 0-1; ``late``, ``prolonged``); the counts of 5.3 (``first_received``,
    ``dissatisfied``, ``overdue``, ``followed_up``, ``satisfied``); ``avg_working_days`` from receipt to the
    answer's approval over the ``approved`` answers of the period; and the same by field and by division
    (``key`` is the field's or the division's id, null when not set)."""
    user: User = request.auth  # type: ignore[attr-defined]
    scope, start, end, node = resolve(user, unit, from_, to)
    return {"unit": node.code if node else None, "from": start.isoformat(), "to": end.isoformat(),
            **pakn.dashboard(scope.unit_ids, start, end)}


@router.get("/evaluation", response={200: dict[str, Any], **ERRORS},
            summary="Per-dossier evaluation of Circular 01/2018 of a unit and period")
@replica_reads
def evaluate(request: HttpRequest, unit: str | None = None, from_: str | None = FROM, to: str | None = TO) -> Any:
    """The nine indicators of Circular 01/2018/TT-VPCP Art. 13 (average scores 0-2, 1 decimal) over the
    dossiers whose processing ended in the period; the agency total, with its band (Art. 15) only when all
    nine have data (``complete``), else rescaled to 18 (``score_18``) with the ``missing`` indicators; and
    every officer who held a step of those dossiers, with their five indicators (1, 2, 3, 4, 7), total and
    band (Art. 14). An indicator without data has ``score`` null and a ``note``."""
    user: User = request.auth  # type: ignore[attr-defined]
    scope, start, end, node = resolve(user, unit, from_, to)
    return {"unit": node.code if node else None, **evaluation.evaluate(scope, start, end)}


@router.get("/ranking", response={200: dict[str, Any], **ERRORS},
            summary="The province's agencies ranked on Bộ chỉ số 766 and the on-time and early rates")
@replica_reads
def ranking(request: HttpRequest, from_: str | None = FROM, to: str | None = TO) -> Any:
    """Each agency's computed 766 total (out of ``max_points_computed``), on-time and early rates, its rank on
    each (1 = best; ties share a rank) and the change of rank since the previous period of the same length
    (positive: moved up; null when either period has no rank)."""
    user: User = request.auth  # type: ignore[attr-defined]
    _scope, start, end, _node = resolve(user, None, from_, to)
    data = selectors.ranking(start, end)
    rows = [{"unit": r["unit"].code, "name": r["unit"].name,
             **{k: v for k, v in r.items() if k != "unit"}} for r in data["rows"]]
    return {"from": start.isoformat(), "to": end.isoformat(), "previous_from": data["previous_from"].isoformat(),
            "previous_to": data["previous_to"].isoformat(), "agencies": rows}
