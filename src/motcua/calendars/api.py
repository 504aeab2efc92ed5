"""Public API of the working calendar: due dates and working days. No authentication needed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from motcua.core.api_schemas import ErrorOut
from motcua.core.errors import DomainError

from . import clock, selectors

router = Router(tags=["calendar"])


class SkippedOut(Schema):
    date: dt.date
    name: str


class DueOut(Schema):
    start: dt.datetime
    effective_start: dt.datetime
    due_at: dt.datetime
    unit: str
    amount: Decimal
    policy: str
    skipped: list[SkippedOut]


class DayOut(Schema):
    date: dt.date
    is_working_day: bool
    kind: str
    name: str | None = None


class DaysOut(Schema):
    count: int
    days: list[DayOut]


def parse_start(raw: str) -> dt.datetime:
    """An ISO 8601 date-time; without an offset it is read as Asia/Ho_Chi_Minh. A bare date means 00:00."""
    text = raw.strip()
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(0), tzinfo=clock.VN_TZ)
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError as exc:
        raise DomainError(_("The start is not an ISO 8601 date and time, e.g. 2026-02-13T10:00:00+07:00."),
                          code="invalid_start", details={"field": "start"}) from exc
    local = clock.to_local(moment)
    if not clock.FIRST_YEAR <= local.year <= clock.LAST_YEAR - 30:
        raise DomainError(_("The date is outside the years the calendar supports."), code="out_of_range",
                          details={"field": "start"})
    return local


def parse_day(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError as exc:
        raise DomainError(_("Write the date as YYYY-MM-DD."), code="invalid_date", details={"field": field}) from exc


class DueQuery(Schema):
    start: str
    amount: str
    unit: str
    policy: str = clock.POLICY_WORKING_HOURS
    agency: str | None = None


@router.get(
    "/due", response={200: DueOut, 400: ErrorOut}, auth=None,
    summary="Compute a due date",
    description=(
        "The due instant of a time limit counted from `start` (ISO 8601; without an offset it is read as "
        "Asia/Ho_Chi_Minh). `unit`: `working_days` (x 8 working hours), `working_hours` or `days` "
        "(calendar days, Civil Code Arts. 147-148). `policy` (working days only): `working_hours` (from the "
        "receipt, the default) or `end_of_day` (whole working days after the day of receipt). `agency`: "
        "an organisation unit code, for its own office hours. `skipped` lists the named days off inside "
        "the interval."
    ),
)
def due(request: HttpRequest, q: Query[DueQuery]) -> DueOut:
    start = parse_start(q.start)
    try:
        amount = clock.parse_amount(q.amount)
    except clock.ClockError as exc:
        raise DomainError(str(exc), code=exc.code, details={"field": "amount"}) from exc
    result = selectors.compute_due(start, amount, q.unit.strip(), q.policy.strip(), q.agency or None)
    return DueOut(
        start=result.start, effective_start=result.effective_start, due_at=result.due_at, unit=result.unit,
        amount=result.amount, policy=result.policy,
        skipped=[SkippedOut(date=s.date, name=s.name) for s in result.skipped],
    )


@router.get(
    "/days", response={200: DaysOut, 400: ErrorOut}, auth=None,
    summary="Working days between two dates",
    description=(
        "Every date from `from` to `to` (YYYY-MM-DD, at most 366 days) with `is_working_day`, its `kind` "
        "(`weekday`, `weekend`, `holiday`, `swapped_working_day`, `override_day_off`, "
        "`override_working_day`) and, for holidays, days off and worked rest days, its `name`."
    ),
)
def days(request: HttpRequest, to: str, agency: str | None = None,
         from_: str = Query(..., alias="from")) -> DaysOut:
    first = parse_day(from_, "from")
    last = parse_day(to, "to")
    rows = selectors.days_between(first, last, agency or None)
    return DaysOut(count=len(rows), days=[
        DayOut(date=r.date, is_working_day=r.is_working_day, kind=r.kind, name=r.name or None) for r in rows
    ])
