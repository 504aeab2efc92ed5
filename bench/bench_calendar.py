"""The legal clock: due-date computations per second, against numpy.busday_offset in the same run.

- a batch of one million mixed start instants and amounts (working days, working hours, calendar days,
  end-of-day working days), computed one by one with ``Calendar.due_seconds`` (what ``compute_due``
  and the recompute of the open dossiers after a calendar change runs);
- the baseline: ``numpy.busday_offset`` on the same start days, with the same holidays, at day
  granularity (it cannot express hours, swapped Saturdays nor the Civil Code end-day shift);
- a full recompute of one million open deadlines in memory (target: under 10 s on this machine).

No database is touched: the calendar is built from the package and the demo's official schedule.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from typing import Any

import numpy as np

from motcua.calendars import clock
from motcua.calendars.demo import SCHEDULE


def _calendar() -> clock.Calendar:
    overrides = [clock.Override(day, kind, name, name_en, ref) for day, kind, name, name_en, ref in SCHEDULE]
    return clock.Calendar(overrides=overrides, first_year=2020, last_year=2032)


def _workload(n: int, seed: int = 20260217) -> tuple[list[int], list[Decimal], list[str], list[str]]:
    rng = random.Random(seed)
    first = clock.to_seconds(dt.datetime(2024, 1, 1, tzinfo=clock.VN_TZ))
    span = 3 * 365 * clock.DAY
    starts = [first + rng.randrange(span) for _ in range(n)]
    amounts: list[Decimal] = []
    units: list[str] = []
    policies: list[str] = []
    for _ in range(n):
        r = rng.random()
        if r < 0.55:
            amounts.append(Decimal(rng.choice([1, 2, 3, 5, 7, 9, 10, 12, 15, 20, 30])))
            units.append(clock.WORKING_DAYS)
            policies.append(clock.POLICY_WORKING_HOURS)
        elif r < 0.70:
            amounts.append(Decimal(rng.choice(["0.25", "0.5", "1.5", "2.75"])))
            units.append(clock.WORKING_DAYS)
            policies.append(clock.POLICY_WORKING_HOURS)
        elif r < 0.85:
            amounts.append(Decimal(rng.randint(1, 120)))
            units.append(clock.WORKING_HOURS)
            policies.append(clock.POLICY_WORKING_HOURS)
        elif r < 0.95:
            amounts.append(Decimal(rng.choice([10, 15, 20, 30, 45])))
            units.append(clock.DAYS)
            policies.append(clock.POLICY_WORKING_HOURS)
        else:
            amounts.append(Decimal(rng.choice([1, 3, 5, 10])))
            units.append(clock.WORKING_DAYS)
            policies.append(clock.POLICY_END_OF_DAY)
    return starts, amounts, units, policies


def _numpy_baseline(cal: clock.Calendar, starts: list[int], amounts: list[Decimal]) -> float:
    first, last = dt.date(2020, 1, 1), dt.date(2032, 12, 31)
    holidays = [d.date for d in cal.days(first, last) if not d.is_working_day and d.date.weekday() < 5]
    days = np.asarray([s // clock.DAY for s in starts], dtype="datetime64[D]")
    offsets = np.asarray([int(a.to_integral_value()) or 1 for a in amounts], dtype=np.int64)
    calendar = np.busdaycalendar(weekmask="1111100", holidays=np.asarray(holidays, dtype="datetime64[D]"))
    began = time.perf_counter()
    np.busday_offset(days, offsets, roll="forward", busdaycal=calendar)
    return time.perf_counter() - began


def _timed(fn: Any) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def run(args: Any) -> None:
    n = 100_000 if getattr(args, "quick", False) else 1_000_000
    began = time.perf_counter()
    cal = _calendar()
    build = time.perf_counter() - began
    starts, amounts, units, policies = _workload(n)
    due = cal.due_seconds

    def scalar() -> None:
        for s, a, u, p in zip(starts, amounts, units, policies, strict=True):
            due(s, a, u, p)

    scalar_s = _timed(scalar)
    baseline_s = _numpy_baseline(cal, starts, amounts)

    # A full recompute of n open deadlines: new instant for each, compared with the stored one.
    stored = [0] * n

    def recompute() -> None:
        moved = 0
        for i, (s, a, u, p) in enumerate(zip(starts, amounts, units, policies, strict=True)):
            if due(s, a, u, p)[1] != stored[i]:
                moved += 1

    recompute_s = _timed(recompute)

    print(f"calendar build (13 years, with the official schedule): {build * 1000:.0f} ms")
    print(f"due dates, one by one ({n:,} mixed): {n / scalar_s:,.0f} per second")
    print(f"numpy.busday_offset baseline (same days off, day granularity): {n / baseline_s:,.0f} per second")
    print(f"  ratio one-by-one / numpy: {baseline_s / scalar_s:.3f} (numpy is {scalar_s / baseline_s:.1f}x faster,"
          " and cannot count hours)")
    scale = 1_000_000 / n
    print(f"full recompute of {n:,} open deadlines in memory: {recompute_s:.2f} s"
          f" (1,000,000 → {recompute_s * scale:.1f} s; target < 10 s:"
          f" {'met' if recompute_s * scale < 10 else 'NOT met'})")
