"""The legal clock: working calendars and deadline arithmetic. Pure: no database access here.

Every deadline of motcua comes from this module (DESIGN.md, "One clock"). A :class:`Calendar` is built
once per working calendar (by ``selectors.get_calendar``, which caches it) from

- the weekly working periods of the agency (default Monday–Friday 08:00–12:00 and 13:00–17:00);
- the public holidays of the ``holidays`` package, country VN (Labour Code 45/2019/QH14 Art. 112,
  including its *nghỉ bù* days of Art. 111(3) and the swapped working Saturdays);
- the override table, which wins over the package (the official public-sector schedule is known
  only once the Prime Minister decides, Labour Code Art. 112(3)).

Time is handled as integer seconds since 1970-01-01 00:00 local time (UTC+07:00). Vietnam has kept
UTC+07:00 without daylight saving since 1975, so the local wall clock and these integers map one to
one for every date the calendar accepts (from 1976).

The calendar precomputes, for a window of years, the sorted list of working periods and the
cumulative working seconds before each of them. "Working time elapsed up to instant t" is then a
bisect, and so is its inverse: adding working time is O(log n), never a day-by-day loop.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
DAY = 86_400
HOUR = 3_600

# Units of a time limit (domain note time-and-calendar §3).
WORKING_DAYS = "working_days"
WORKING_HOURS = "working_hours"
DAYS = "days"
UNITS = (WORKING_DAYS, WORKING_HOURS, DAYS)

# Policies for working days: count working time from the receipt (the default), or count whole
# working days after the day of receipt (some provinces read Civil Code Art. 147 that way).
POLICY_WORKING_HOURS = "working_hours"
POLICY_END_OF_DAY = "end_of_day"
POLICIES = (POLICY_WORKING_HOURS, POLICY_END_OF_DAY)

OVERRIDE_DAY_OFF = "day_off"
OVERRIDE_WORKING_DAY = "working_day"

FIRST_YEAR = 1976  # Vietnam on UTC+07:00 from 13/06/1975
LAST_YEAR = 2199
_WINDOW_MARGIN_YEARS = 12

DEFAULT_WEEK: dict[int, tuple[tuple[int, int], ...]] = {
    weekday: ((8 * HOUR, 12 * HOUR), (13 * HOUR, 17 * HOUR)) for weekday in range(5)
}
DEFAULT_HOURS_PER_DAY = Decimal(8)
TRANSFER_CUTOFF = dt.time(15, 0)


class ClockError(ValueError):
    """Input the clock cannot work with (a date outside the supported years, a bad amount…)."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


# --- Conversions ---------------------------------------------------------------------------------------

def to_local(moment: dt.datetime) -> dt.datetime:
    """An aware datetime in Asia/Ho_Chi_Minh; a naive one is read as Asia/Ho_Chi_Minh (the API's rule)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


def to_seconds(moment: dt.datetime) -> int:
    """Local seconds since the epoch, rounded *up* to the second so a start never moves earlier."""
    local = to_local(moment).replace(tzinfo=None)
    delta = local - _EPOCH
    seconds = delta.days * DAY + delta.seconds
    return seconds + (1 if delta.microseconds else 0)


def from_seconds(seconds: int) -> dt.datetime:
    return (_EPOCH + dt.timedelta(seconds=seconds)).replace(tzinfo=VN_TZ)


def day_index(day: dt.date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def index_day(index: int) -> dt.date:
    return dt.date.fromordinal(index + _EPOCH_ORDINAL)


def parse_amount(amount: Decimal | int | float | str) -> Decimal:
    """A non-negative finite decimal amount (floats go through ``str`` so 0.1 stays 0.1)."""
    if isinstance(amount, bool):
        raise ClockError(_("The amount must be a number."), "invalid_amount")
    try:
        value = Decimal(str(amount).strip()) if not isinstance(amount, Decimal) else amount
    except (InvalidOperation, ValueError) as exc:
        raise ClockError(_("The amount must be a number."), "invalid_amount") from exc
    if not value.is_finite():
        raise ClockError(_("The amount must be a finite number."), "invalid_amount")
    if value < 0:
        raise ClockError(_("The amount must not be negative."), "invalid_amount")
    return value


# --- Holidays from the package ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PackageYear:
    """What the ``holidays`` package says about one year: days off with names, and swapped Saturdays."""

    days_off: Mapping[dt.date, str]
    days_off_en: Mapping[dt.date, str]
    working_weekend_days: frozenset[dt.date]


@lru_cache(maxsize=512)
def package_year(year: int) -> PackageYear:
    import holidays

    vi = holidays.country_holidays("VN", years=year, language="vi")
    en = holidays.country_holidays("VN", years=year, language="en_US")
    # Several names on one day are joined by the package with "; ".
    days_vi = {day: name for day, name in vi.items() if day.year == year}
    days_en = {day: name for day, name in en.items() if day.year == year}
    workdays = frozenset(day for day in getattr(vi, "weekend_workdays", ()) if day.year == year)
    return PackageYear(days_vi, days_en, workdays)


HolidaySource = Callable[[int], PackageYear]


# --- Calendar --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Override:
    """One row of the override table: the official schedule wins over the package."""

    date: dt.date
    kind: str  # OVERRIDE_DAY_OFF or OVERRIDE_WORKING_DAY
    name: str = ""
    name_en: str = ""
    legal_reference: str = ""


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    is_working_day: bool
    # "weekday", "weekend", "holiday", "swapped_working_day", "override_day_off", "override_working_day"
    kind: str
    name: str  # in the language asked for; "" for an ordinary weekday or weekend day
    legal_reference: str = ""


@dataclass(frozen=True)
class SkippedDay:
    date: dt.date
    name: str


@dataclass(frozen=True)
class DueResult:
    start: dt.datetime
    effective_start: dt.datetime
    due_at: dt.datetime
    unit: str
    amount: Decimal
    policy: str
    skipped: list[SkippedDay] = field(default_factory=list)


@dataclass(frozen=True)
class _Tables:
    first_day: int  # day index of the window's first day
    last_day: int  # day index of the window's last day (inclusive)
    pstart: list[int]
    pend: list[int]
    cum_before: list[int]  # working seconds before period k
    cum_after: list[int]  # working seconds up to the end of period k
    working_days: list[int]  # sorted day indexes of working days
    day_end: list[int]  # per day of the window: end of its last period, or -1 if not working


def _english(lang: str | None) -> bool:
    return bool(lang) and str(lang).lower().startswith("en")


class Calendar:
    """A working calendar: which days are worked, when, and the arithmetic on working time."""

    def __init__(
        self,
        week: Mapping[int, Sequence[tuple[int, int]]] | None = None,
        overrides: Iterable[Override] = (),
        *,
        hours_per_day: Decimal | int = DEFAULT_HOURS_PER_DAY,
        holiday_source: HolidaySource = package_year,
        key: str = "default",
        first_year: int | None = None,
        last_year: int | None = None,
    ) -> None:
        source_week = DEFAULT_WEEK if week is None else week
        self.week: dict[int, tuple[tuple[int, int], ...]] = {
            wd: tuple(sorted((int(a), int(b)) for a, b in source_week.get(wd, ()) if b > a)) for wd in range(7)
        }
        # A swapped working Saturday (or an override turning a rest day into a working day) is
        # worked on the hours of an ordinary weekday: the first weekday that has periods.
        self.extra_day_periods = next((p for wd in range(7) if (p := self.week[wd])), DEFAULT_WEEK[0])
        self.overrides: dict[dt.date, Override] = {o.date: o for o in overrides}
        self.hours_per_day = Decimal(hours_per_day)
        self.holiday_source = holiday_source
        self.key = key
        self._plans: dict[tuple[Decimal, str, str], tuple[str, int]] = {}
        today = dt.date.today().year
        self._tables = self._build(
            first_year or max(FIRST_YEAR, today - _WINDOW_MARGIN_YEARS),
            last_year or min(LAST_YEAR, today + _WINDOW_MARGIN_YEARS),
        )

    # --- days ------------------------------------------------------------------------------------------

    def day_info(self, day: dt.date, lang: str | None = "vi") -> DayInfo:
        english = _english(lang)
        override = self.overrides.get(day)
        if override is not None:
            name = (override.name_en or override.name) if english else override.name
            if override.kind == OVERRIDE_WORKING_DAY:
                return DayInfo(day, True, "override_working_day", name, override.legal_reference)
            return DayInfo(day, False, "override_day_off", name, override.legal_reference)
        package = self.holiday_source(day.year)
        if day in package.days_off:
            name = package.days_off_en.get(day, "") if english else package.days_off[day]
            return DayInfo(day, False, "holiday", name)
        if day in package.working_weekend_days:
            name = "Swapped working day" if english else "Ngày làm việc bù"
            return DayInfo(day, True, "swapped_working_day", name)
        if self.week[day.weekday()]:
            return DayInfo(day, True, "weekday", "")
        return DayInfo(day, False, "weekend", "")

    def is_working_day(self, day: dt.date) -> bool:
        return self.day_info(day).is_working_day

    def periods_of(self, day: dt.date) -> tuple[tuple[int, int], ...]:
        """The working periods of ``day`` in seconds after midnight; empty for a day off."""
        if not self.is_working_day(day):
            return ()
        return self.week[day.weekday()] or self.extra_day_periods

    def days(self, first: dt.date, last: dt.date, lang: str | None = "vi") -> list[DayInfo]:
        return [self.day_info(first + dt.timedelta(days=i), lang) for i in range((last - first).days + 1)]

    # --- precomputed tables ------------------------------------------------------------------------------

    def _build(self, first_year: int, last_year: int) -> _Tables:
        first_year = max(FIRST_YEAR, first_year)
        last_year = min(LAST_YEAR, last_year)
        first = dt.date(first_year, 1, 1)
        last = dt.date(last_year, 12, 31)
        pstart: list[int] = []
        pend: list[int] = []
        working_days: list[int] = []
        day_end: list[int] = []
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            periods = self.periods_of(day)
            base = day_index(day) * DAY
            if periods:
                working_days.append(day_index(day))
                for a, b in periods:
                    pstart.append(base + a)
                    pend.append(base + b)
                day_end.append(base + periods[-1][1])
            else:
                day_end.append(-1)
        cum_before: list[int] = []
        cum_after: list[int] = []
        total = 0
        for a, b in zip(pstart, pend, strict=True):
            cum_before.append(total)
            total += b - a
            cum_after.append(total)
        return _Tables(day_index(first), day_index(last), pstart, pend, cum_before, cum_after, working_days,
                       day_end)

    def _cover(self, seconds: int, extra_days: int = 0) -> _Tables:
        """The tables, widened if ``seconds`` (plus ``extra_days``) falls near or outside the window."""
        t = self._tables
        day = seconds // DAY
        if t.first_day + 7 <= day and day + extra_days + 7 <= t.last_day:
            return t
        min_day = day_index(dt.date(FIRST_YEAR, 1, 1))
        max_day = day_index(dt.date(LAST_YEAR, 12, 31))
        if day < min_day or day > max_day:
            raise ClockError(_("The date is outside the years the calendar supports."), "out_of_range")
        first_year = min(index_day(t.first_day).year, index_day(day).year - 1)
        last_year = max(index_day(t.last_day).year, index_day(min(day + extra_days + 400, max_day)).year)
        first_year, last_year = max(FIRST_YEAR, first_year), min(LAST_YEAR, last_year)
        if (first_year, last_year) != (index_day(t.first_day).year, index_day(t.last_day).year):
            self._tables = self._build(first_year, last_year)
        return self._tables

    # --- working time -----------------------------------------------------------------------------------

    def _worked_until(self, t: _Tables, s: int) -> int:
        """Working seconds in the window before instant ``s``."""
        k = bisect_right(t.pstart, s) - 1
        if k < 0:
            return 0
        return t.cum_before[k] + min(s, t.pend[k]) - t.pstart[k]

    def _instant_at(self, t: _Tables, worked: int) -> int:
        """The first instant by which ``worked`` working seconds have elapsed; an exact period end stays
        there (a limit reached at 17:00 is due at 17:00, not at 08:00 the next working day)."""
        if worked <= 0:
            return t.pstart[0]
        k = bisect_left(t.cum_after, worked)
        if k >= len(t.cum_after):
            raise ClockError(_("The result is outside the years the calendar supports."), "out_of_range")
        return t.pstart[k] + worked - t.cum_before[k]

    def next_working_seconds(self, s: int) -> int:
        t = self._cover(s, 60)
        k = bisect_right(t.pstart, s) - 1
        if k >= 0 and s < t.pend[k]:
            return s
        return t.pstart[k + 1]

    def add_working_seconds(self, s: int, amount: int) -> int:
        """The instant ``amount`` working seconds after ``s`` (``amount`` may be negative: before)."""
        if amount == 0:
            return self.next_working_seconds(s)
        # A working day has at most 24 hours, usually 8: guess a window, widen it until it is enough.
        extra = abs(amount) // HOUR // 4 + 60
        while True:
            t = self._cover(s, extra if amount > 0 else 60)
            if amount < 0:
                t = self._cover(s - extra * DAY)
            target = self._worked_until(t, s) + amount
            if 0 < target <= t.cum_after[-1] or (amount < 0 and t.first_day <= day_index(
                    dt.date(FIRST_YEAR, 1, 1))):
                return self._instant_at(t, target)
            if index_day(t.last_day).year >= LAST_YEAR and amount > 0:
                raise ClockError(_("The result is outside the years the calendar supports."), "out_of_range")
            extra *= 2

    def working_seconds_between(self, a: int, b: int) -> int:
        """Working seconds from ``a`` to ``b`` (negative when ``b`` is before ``a``)."""
        lo, hi = min(a, b), max(a, b)
        t = self._cover(lo, (hi - lo) // DAY + 1)
        return self._worked_until(t, b) - self._worked_until(t, a)

    # The same operations on datetimes, the interface the other apps use.
    def next_working_instant(self, moment: dt.datetime) -> dt.datetime:
        return from_seconds(self.next_working_seconds(to_seconds(moment)))

    def add_working_time(self, start: dt.datetime, minutes: int | float | Decimal) -> dt.datetime:
        seconds = int((Decimal(str(minutes)) * 60).to_integral_value(ROUND_CEILING))
        return from_seconds(self.add_working_seconds(to_seconds(start), seconds))

    def working_minutes_between(self, a: dt.datetime, b: dt.datetime) -> Decimal:
        return Decimal(self.working_seconds_between(to_seconds(a), to_seconds(b))) / 60

    def end_of_working_day(self, day: dt.date) -> dt.datetime | None:
        periods = self.periods_of(day)
        return from_seconds(day_index(day) * DAY + periods[-1][1]) if periods else None

    def next_working_day(self, day: dt.date, include: bool = False) -> dt.date:
        """The first working day after ``day`` (or ``day`` itself when ``include`` and it is one)."""
        t = self._cover(day_index(day) * DAY, 60)
        i = (bisect_left if include else bisect_right)(t.working_days, day_index(day))
        return index_day(t.working_days[i])

    def nth_working_day_after(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (``n`` >= 1); day ``day`` itself is not counted."""
        t = self._cover(day_index(day) * DAY, n * 2 + 40)
        i = bisect_right(t.working_days, day_index(day)) + n - 1
        if i >= len(t.working_days):
            raise ClockError(_("The result is outside the years the calendar supports."), "out_of_range")
        return index_day(t.working_days[i])

    # --- the explanation ----------------------------------------------------------------------------------

    def named_days_off(self, first: dt.date, last: dt.date, lang: str | None = "vi") -> list[SkippedDay]:
        """Days off with a name (holidays, *nghỉ bù*, overrides) between two dates, inclusive."""
        out: list[SkippedDay] = []
        day = first
        while day <= last:
            info = self.day_info(day, lang)
            if not info.is_working_day and info.kind != "weekend":
                out.append(SkippedDay(day, info.name))
            day += dt.timedelta(days=1)
        return out

    # --- due dates -------------------------------------------------------------------------------------------

    def working_seconds_for(self, amount: Decimal, unit: str) -> int:
        """The working time of an amount, rounded up to the second (a limit is never shortened)."""
        hours = amount * self.hours_per_day if unit == WORKING_DAYS else amount
        return int((hours * HOUR).to_integral_value(ROUND_CEILING))

    def due_seconds(self, start: int, amount: Decimal, unit: str, policy: str) -> tuple[int, int]:
        """(effective start, due instant) as local seconds. The hot path: no datetimes, no names."""
        plan = self._plan(amount, unit, policy)
        if plan[0] == DAYS:
            return self._due_calendar_days(start, plan[1])
        if plan[0] == POLICY_END_OF_DAY:
            return self._due_end_of_day(start, plan[1])
        # Working time counts from the receipt when it lies in a working period, otherwise from the
        # start of the next working period (domain note dossier-lifecycle §4 "outside office hours").
        seconds = plan[1]
        t = self._tables
        if (t.first_day + 7) * DAY <= start < (t.last_day - 7) * DAY:
            # Fast path inside the window: two bisects, no calls.
            ps = t.pstart
            k = bisect_right(ps, start) - 1
            if k >= 0 and start < t.pend[k]:
                effective, worked = start, t.cum_before[k] + start - ps[k]
            else:
                effective, worked = ps[k + 1], t.cum_before[k + 1]
            target = worked + seconds
            if seconds == 0:
                return effective, effective
            if target <= t.cum_after[-1]:
                j = bisect_left(t.cum_after, target)
                return effective, ps[j] + target - t.cum_before[j]
        effective = self.next_working_seconds(start)
        if seconds == 0:
            return effective, effective
        return effective, self.add_working_seconds(effective, seconds)

    def _plan(self, amount: Decimal, unit: str, policy: str) -> tuple[str, int]:
        """The checked form of a limit: (kind, working seconds or whole days), memoised (limits repeat)."""
        key = (amount, unit, policy)
        plan = self._plans.get(key)
        if plan is None:
            check_unit_policy(amount, unit, policy)
            if unit == DAYS:
                plan = (DAYS, int(amount))
            elif policy == POLICY_END_OF_DAY:
                plan = (POLICY_END_OF_DAY, int(amount))
            else:
                plan = (WORKING_HOURS, self.working_seconds_for(amount, unit))
            if len(self._plans) > 10_000:
                self._plans.clear()
            self._plans[key] = plan
        return plan

    def _first_open_day(self, day: dt.date, start: int) -> dt.date:
        """The first working day from ``day`` on whose working hours end after ``start``."""
        day = self.next_working_day(day, include=True)
        while self._day_end(day) <= start:
            day = self.next_working_day(day)
        return day

    def _day_end(self, day: dt.date) -> int:
        periods = self.periods_of(day)
        return day_index(day) * DAY + periods[-1][1] if periods else -1

    def _due_calendar_days(self, start: int, n: int) -> tuple[int, int]:
        # Civil Code 2015 Art. 147(1): a period in days starts the day after the event; Art. 148(1)-(3):
        # it ends on its last day, moved to the next working day when that day is a rest day or a
        # holiday. "Ends at 24:00" becomes the end of that day's working hours, when the office closes.
        receipt_day = start // DAY
        self._cover(start, n + 60)
        last = self._first_open_day(index_day(receipt_day + n), start)
        return (receipt_day + 1) * DAY, self._day_end(last)

    def _due_end_of_day(self, start: int, n: int) -> tuple[int, int]:
        # The day of receipt is not counted (Civil Code Art. 147(1) read for working days); the limit
        # ends with the working hours of the n-th working day after it.
        receipt = index_day(start // DAY)
        if n == 0:
            return self.next_working_seconds(start), self._day_end(self._first_open_day(receipt, start))
        day = self.nth_working_day_after(receipt, n)
        effective = self.next_working_seconds(day_index(self.next_working_day(receipt)) * DAY)
        return effective, self._day_end(day)

    def compute_due(self, start: dt.datetime, amount: Decimal | int | float | str, unit: str,
                    policy: str = POLICY_WORKING_HOURS, lang: str | None = "vi") -> DueResult:
        value = parse_amount(amount)
        start_local = to_local(start)
        start_s = to_seconds(start_local)
        effective, due = self.due_seconds(start_s, value, unit, policy)
        due_dt = from_seconds(due)
        if unit == DAYS:
            # Calendar days count every day; only the days the end was moved over are skipped.
            last = index_day(start_s // DAY + int(value))
            skipped = self.named_days_off(last, due_dt.date() - dt.timedelta(days=1), lang) if (
                due_dt.date() > last) else []
        else:
            skipped = self.named_days_off(start_local.date(), due_dt.date(), lang)
        return DueResult(start_local, from_seconds(effective), due_dt, unit, value, policy, skipped)


def check_unit_policy(amount: Decimal, unit: str, policy: str) -> None:
    if unit not in UNITS:
        raise ClockError(_("Unknown unit: use working_days, working_hours or days."), "invalid_unit")
    if policy not in POLICIES:
        raise ClockError(_("Unknown policy: use working_hours or end_of_day."), "invalid_policy")
    if policy == POLICY_END_OF_DAY and unit != WORKING_DAYS:
        raise ClockError(_("The end_of_day policy applies to working days only."), "invalid_policy")
    whole = unit == DAYS or policy == POLICY_END_OF_DAY
    if whole and amount != amount.to_integral_value():
        raise ClockError(_("This unit counts whole days: the amount must be a whole number."), "invalid_amount")
    limit = {WORKING_DAYS: 5_000, WORKING_HOURS: 40_000, DAYS: 7_300}[unit]
    if amount > limit:
        raise ClockError(_("The amount is too large."), "invalid_amount")


# --- The 15:00 transfer cut-off ---------------------------------------------------------------------------

def is_after_cutoff(moment: dt.datetime, cutoff: dt.time = TRANSFER_CUTOFF) -> bool:
    """Whether ``moment`` is after the cut-off of its (local) day; 15:00:00 itself is not after."""
    local = to_local(moment)
    return local.time().replace(tzinfo=None) > cutoff


@dataclass(frozen=True)
class TransferDeadline:
    deadline: dt.datetime
    same_day: bool


def transfer_deadline(calendar: Calendar, received_at: dt.datetime,
                      cutoff: dt.time = TRANSFER_CUTOFF) -> TransferDeadline:
    """When a paper dossier must reach the processing unit.

    Decree 61/2018 Art. 18 and Decree 118/2025 Art. 18(2) as amended by Decree 309/2026 Art. 9: the
    same working day, or at the start of the next working day when received after 15:00. A dossier
    received on a day off goes at the start of the next working day.
    """
    local = to_local(received_at)
    day = local.date()
    if calendar.is_working_day(day) and not is_after_cutoff(local, cutoff):
        end = calendar.end_of_working_day(day)
        assert end is not None
        if local < end:
            return TransferDeadline(end, True)
    next_day = calendar.next_working_day(day)
    return TransferDeadline(from_seconds(day_index(next_day) * DAY + calendar.periods_of(next_day)[0][0]), False)


# --- Clock operations: pause, resume, restart, extend -------------------------------------------------------

REASON_STARTED = "started"
REASON_PAUSED = "paused"
REASON_RESUMED = "resumed"
REASON_RESTARTED = "restarted"
REASON_EXTENDED = "extended"
REASON_RECOMPUTED = "calendar_changed"


@dataclass(frozen=True)
class ClockState:
    """What the dossier app stores to know its legal clock.

    ``start`` is the start of the current running segment (receipt, resumption or restart). After a
    pause, ``remaining_seconds`` is the working time that was left and that runs again from ``start``;
    it is None while the full legal time counts from ``start``. ``paused_at`` is set while paused.
    """

    start: dt.datetime
    amount: Decimal
    unit: str
    policy: str = POLICY_WORKING_HOURS
    remaining_seconds: int | None = None
    paused_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    extended: bool = False


@dataclass(frozen=True)
class ClockChange:
    state: ClockState
    old_due_at: dt.datetime | None
    due_at: dt.datetime | None
    reason: str


def due_for(calendar: Calendar, state: ClockState) -> dt.datetime | None:
    """The due instant the state implies on ``calendar`` (None while paused)."""
    if state.paused_at is not None:
        return None
    if state.extended and state.due_at is not None:
        return state.due_at  # an extension fixes a promised date; the calendar no longer moves it
    start = to_seconds(state.start)
    if state.remaining_seconds is None:
        return from_seconds(calendar.due_seconds(start, state.amount, state.unit, state.policy)[1])
    effective = calendar.next_working_seconds(start)
    return from_seconds(calendar.add_working_seconds(effective, state.remaining_seconds))


def start_clock(calendar: Calendar, start: dt.datetime, amount: Decimal | int | float | str, unit: str,
                policy: str = POLICY_WORKING_HOURS) -> ClockChange:
    state = ClockState(to_local(start), parse_amount(amount), unit, policy)
    due = due_for(calendar, state)
    return ClockChange(replace(state, due_at=due), None, due, REASON_STARTED)


def pause(calendar: Calendar, state: ClockState, at: dt.datetime) -> ClockChange:
    """Stop the clock while the dossier waits for the applicant; the working time left is kept
    (negative when the dossier was already overdue, so it stays overdue after resuming)."""
    if state.paused_at is not None:
        raise ClockError(_("The clock is already paused."), "already_paused")
    due = due_for(calendar, state)
    assert due is not None
    remaining = calendar.working_seconds_between(to_seconds(at), to_seconds(due))
    new = replace(state, paused_at=to_local(at), remaining_seconds=remaining, due_at=None)
    return ClockChange(new, due, None, REASON_PAUSED)


def resume(calendar: Calendar, state: ClockState, at: dt.datetime) -> ClockChange:
    """Run the clock again: the working time left at the pause continues from ``at``."""
    if state.paused_at is None:
        raise ClockError(_("The clock is not paused."), "not_paused")
    new = replace(state, start=to_local(at), paused_at=None, extended=False)
    due = due_for(calendar, new)
    return ClockChange(replace(new, due_at=due), None, due, REASON_RESUMED)


def restart(calendar: Calendar, state: ClockState, at: dt.datetime) -> ClockChange:
    """The full legal time counts again from ``at``, when the complete dossier arrives
    (Decree 61/2018 Art. 19(4): "thời gian giải quyết được tính lại từ đầu")."""
    new = ClockState(to_local(at), state.amount, state.unit, state.policy)
    due = due_for(calendar, new)
    return ClockChange(replace(new, due_at=due), state.due_at, due, REASON_RESTARTED)


def extend(calendar: Calendar, state: ClockState, at: dt.datetime, new_due: dt.datetime,
           *, require_notice: bool = True) -> ClockChange:
    """A new promised date, once (Decree 61/2018 Art. 19(9)): the apology letter goes out at the latest
    one day before the due date, and the return date may be rescheduled only once."""
    if state.extended:
        raise ClockError(_("The promised date has already been extended once."), "already_extended")
    if state.paused_at is not None or state.due_at is None:
        raise ClockError(_("The clock is paused: resume it before extending."), "paused")
    old = state.due_at
    if to_local(new_due) <= old:
        raise ClockError(_("The new promised date must be later than the current one."), "not_later")
    if require_notice and to_local(at).date() > old.date() - dt.timedelta(days=1):
        raise ClockError(_("An extension must be notified at least one day before the due date."), "too_late")
    new = replace(state, due_at=to_local(new_due), extended=True)
    return ClockChange(new, old, new.due_at, REASON_EXTENDED)


__all__ = [
    "DAYS",
    "POLICIES",
    "UNITS",
    "WORKING_DAYS",
    "WORKING_HOURS",
    "Calendar",
    "ClockChange",
    "ClockError",
    "ClockState",
    "DayInfo",
    "DueResult",
    "Override",
    "SkippedDay",
    "due_for",
    "extend",
    "is_after_cutoff",
    "pause",
    "restart",
    "resume",
    "start_clock",
    "transfer_deadline",
]
