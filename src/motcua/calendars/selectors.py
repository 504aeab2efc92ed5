"""Reads of the working calendar: the cached ``Calendar`` objects and the due-date computation.

This is the interface the other apps call: ``compute_due`` for a promised date and ``get_calendar`` for
everything else (``clock`` holds the arithmetic).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.accounts.models import OrgUnit
from motcua.accounts.permissions import Capability, has_capability
from motcua.core import health, revisions
from motcua.core.errors import DomainError

from . import clock, lunar
from .choices import Weekday
from .clock import DEFAULT_WEEK, HOUR, Calendar, ClockError, DueResult, Override, SkippedDay
from .models import CalendarOverride, CalendarRevision, ScheduleYear, WorkingCalendar, WorkingPeriod

__all__ = [
    "Calendar", "DueResult", "SkippedDay", "compute_due", "days_between", "desk_hours", "get_calendar",
    "schedule_warnings", "working_hours", "year_overview",
]

_cache: dict[int | None, tuple[str, Calendar]] = {}
# Which calendar a unit follows (its own or an ancestor's), by unit code, for one revision token: the
# calendars app bumps the token when a unit moves or is renamed as well as when a calendar changes.
_units: dict[str | None, tuple[str, int | None]] = {}
_lock = threading.Lock()

MAX_DAYS_PER_CALL = 366


def revision_token() -> str:
    return revisions.read(CalendarRevision)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
        _units.clear()


def working_calendar_for(agency_code: str | None) -> WorkingCalendar | None:
    """The calendar of a unit: its own, else the nearest ancestor's, else the default (None if none)."""
    if agency_code:
        unit = OrgUnit.objects.filter(code=agency_code).first()
        if unit is None:
            raise DomainError(_("No organisation unit has this code."), code="unknown_agency",
                              details={"agency": agency_code})
        ancestor_ids = [int(part) for part in unit.path.strip("/").split("/") if part] or [unit.pk]
        own = {c.org_unit_id: c for c in WorkingCalendar.objects.filter(org_unit_id__in=ancestor_ids)}
        for pk in reversed(ancestor_ids):
            if pk in own:
                return own[pk]
    return WorkingCalendar.objects.filter(org_unit__isnull=True).order_by("pk").first()


def _week(periods: list[WorkingPeriod]) -> dict[int, list[tuple[int, int]]]:
    week: dict[int, list[tuple[int, int]]] = {}
    for p in periods:
        week.setdefault(p.weekday, []).append(
            (p.start.hour * HOUR + p.start.minute * 60, p.end.hour * HOUR + p.end.minute * 60)
        )
    return week


def _build(working: WorkingCalendar | None) -> Calendar:
    # Legal limits count working time only: a period when only the desk is open (a Saturday morning)
    # does not shorten them. A calendar without working-time periods keeps the default hours.
    periods = [p for p in working.periods.all() if p.counts_for_limits] if working else []
    week = _week(periods)
    rows = CalendarOverride.objects.filter(calendar__isnull=True)
    overrides = {o.date: o for o in rows}
    if working is not None:
        # The agency's own rows win over the national schedule.
        overrides.update({o.date: o for o in working.overrides.all()})
    return Calendar(
        week if periods else DEFAULT_WEEK,
        [Override(o.date, o.kind, o.name, o.name_en, o.legal_reference) for o in overrides.values()],
        hours_per_day=working.hours_per_working_day if working else clock.DEFAULT_HOURS_PER_DAY,
        key=f"calendar:{working.pk}" if working else "default",
    )


def get_calendar(agency_code: str | None = None) -> Calendar:
    """The working calendar of a unit (by its code) or the default one; cached until a calendar change.

    The token is read first, then the rows: a change committed in between leaves a stale entry under the
    old token, which the next call (seeing the new token) replaces."""
    token = revision_token()
    with _lock:
        unit = _units.get(agency_code)
        if unit is not None and unit[0] == token:
            cached = _cache.get(unit[1])
            if cached and cached[0] == token:
                return cached[1]
    working = working_calendar_for(agency_code)
    key = working.pk if working else None
    with _lock:
        cached = _cache.get(key)
        if cached and cached[0] == token:
            _units[agency_code] = (token, key)
            return cached[1]
    calendar = _build(working)
    with _lock:
        _cache[key] = (token, calendar)
        if len(_units) > 4096:  # a province has a few thousand units at most; never grow without bound
            _units.clear()
        _units[agency_code] = (token, key)
    return calendar


def _domain_error(exc: ClockError) -> DomainError:
    return DomainError(str(exc), code=exc.code)


def compute_due(start: dt.datetime, amount: Decimal | int | float | str, unit: str,
                policy: str = clock.POLICY_WORKING_HOURS, agency_code: str | None = None) -> DueResult:
    """The due instant of a time limit, with the named days off it skipped.

    Units: ``working_days`` (x 8 working hours), ``working_hours``, ``days`` (calendar days, Civil Code
    Arts. 147-148); policies: ``working_hours`` (from the receipt) or ``end_of_day`` (whole working
    days after the day of receipt). Raises ``DomainError`` on bad input.
    """
    calendar = get_calendar(agency_code)
    try:
        return calendar.compute_due(start, amount, unit, policy, lang=get_language())
    except ClockError as exc:
        raise _domain_error(exc) from exc


@dataclass(frozen=True)
class DayRow:
    date: dt.date
    is_working_day: bool
    kind: str
    name: str
    legal_reference: str
    lunar: lunar.LunarDate | None = None


def days_between(first: dt.date, last: dt.date, agency_code: str | None = None) -> list[DayRow]:
    """Every date from ``first`` to ``last`` (at most 366) with whether it is worked and its name."""
    if last < first:
        raise DomainError(_("The end date is before the start date."), code="invalid_range")
    if (last - first).days + 1 > MAX_DAYS_PER_CALL:
        raise DomainError(_("Ask for at most 366 days at a time."), code="range_too_long",
                          details={"max_days": MAX_DAYS_PER_CALL})
    if first.year < clock.FIRST_YEAR or last.year > clock.LAST_YEAR:
        raise DomainError(_("The date is outside the years the calendar supports."), code="out_of_range")
    calendar = get_calendar(agency_code)
    lang = get_language()
    return [DayRow(i.date, i.is_working_day, i.kind, i.name, i.legal_reference)
            for i in calendar.days(first, last, lang)]


# --- Weekly hours: the working time limits count, and when the desk is open ------------------------------

@dataclass(frozen=True)
class HoursRow:
    """Consecutive weekdays with the same periods, e.g. Monday to Friday: 08:00–12:00, 13:00–17:00."""

    first_day: str
    last_day: str  # "" when the row is one day
    periods: str


def _hhmm(seconds: int) -> str:
    return f"{seconds // HOUR:02d}:{seconds % HOUR // 60:02d}"


def _hours_rows(week: Mapping[int, Sequence[tuple[int, int]]]) -> list[HoursRow]:
    rows: list[HoursRow] = []
    day = 0
    while day < 7:
        periods = tuple(sorted(week.get(day, ())))
        last = day
        while periods and last < 6 and tuple(sorted(week.get(last + 1, ()))) == periods:
            last += 1
        if periods:
            text = ", ".join(f"{_hhmm(a)}–{_hhmm(b)}" for a, b in periods)
            rows.append(HoursRow(str(Weekday(day).label), str(Weekday(last).label) if last > day else "", text))
        day = last + 1
    return rows


def working_hours(agency_code: str | None = None) -> list[HoursRow]:
    """The weekly working time that time limits in working days and hours count (the legal clock's week)."""
    return _hours_rows(get_calendar(agency_code).week)


def desk_hours(agency_code: str | None = None) -> list[HoursRow]:
    """When the one-stop desk receives dossiers: the periods marked "desk open", else the working time."""
    working = working_calendar_for(agency_code)
    periods = [p for p in working.periods.all() if p.desk_open] if working else []
    if not periods:
        return working_hours(agency_code)
    return _hours_rows(_week(periods))


# --- The confirmed yearly schedules -------------------------------------------------------------------------

# The public-sector schedule of the next year (Tết above all) is usually published in the autumn; from this
# day of the year the administrators are told while next year is not confirmed.
WARN_FROM = (10, 1)


def schedule_year(year: int) -> ScheduleYear | None:
    return ScheduleYear.objects.filter(year=year).first()


def schedule_warnings(today: dt.date | None = None) -> list[str]:
    """What the administrators must do about the official schedules, in the active language.

    The Prime Minister decides the Tết and National Day days each year (Labour Code 45/2019/QH14
    Art. 112(3)), so until a year's public-sector schedule is entered its days off are the ``holidays``
    package's projection. Warned: the current year when it is not confirmed, and from 1 October the next year.
    """
    today = today or timezone.localdate()
    year = today.year
    known = set(ScheduleYear.objects.filter(year__in=[year, year + 1]).values_list("year", flat=True))
    out: list[str] = []
    if year not in known:
        out.append(_("The official public-sector schedule of %(year)s is not confirmed: its days off are only the "
                     "holidays package's projection. Enter its days off and swapped working days in the calendar "
                     "overrides, then confirm the year.") % {"year": year})
    if (today.month, today.day) >= WARN_FROM and year + 1 not in known:
        out.append(_("The official public-sector schedule of %(year)s is not confirmed yet. When it is published, "
                     "enter its days off and swapped working days in the calendar overrides, then confirm the "
                     "year.") % {"year": year + 1})
    return out


def schedule_notices() -> list[health.Notice]:
    """``schedule_warnings`` for /healthz and the admin banner (registered in ``CalendarsConfig.ready``)."""
    url = reverse("admin:calendars_scheduleyear_changelist")
    return [health.Notice("calendar_schedule_unconfirmed", message, url) for message in schedule_warnings()]


def may_manage_calendar(user: Any) -> bool:
    """Whether ``user`` edits the working calendar in the admin (holders of the calendar capability)."""
    return bool(user.is_active and user.is_staff and (
        user.is_superuser or has_capability(user, Capability.MANAGE_CALENDAR)))


@dataclass(frozen=True)
class YearOverview:
    year: int
    days_off: list[DayRow]  # named days off (holidays, make-up days, overrides), with lunar dates
    working_weekend_days: list[DayRow]  # swapped Saturdays and other worked rest days
    working_day_count: int
    working_hours: list[HoursRow] = field(default_factory=list)  # counted by time limits
    desk_hours: list[HoursRow] = field(default_factory=list)  # when the one-stop desk is open
    schedule: ScheduleYear | None = None  # the year's confirmed official schedule, if any


def year_overview(year: int, agency_code: str | None = None) -> YearOverview:
    rows = days_between(dt.date(year, 1, 1), dt.date(year, 12, 31), agency_code)
    week = get_calendar(agency_code).week
    days_off = [DayRow(r.date, r.is_working_day, r.kind, r.name, r.legal_reference, lunar.to_lunar(r.date))
                for r in rows if not r.is_working_day and r.kind != "weekend"]
    extra = [DayRow(r.date, r.is_working_day, r.kind, r.name, r.legal_reference, lunar.to_lunar(r.date))
             for r in rows if r.is_working_day and not week[r.date.weekday()]]
    return YearOverview(year, days_off, extra, sum(1 for r in rows if r.is_working_day),
                        working_hours(agency_code), desk_hours(agency_code), schedule_year(year))
