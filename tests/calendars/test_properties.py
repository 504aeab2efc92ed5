"""Properties of the deadline arithmetic (hypothesis)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.calendars import clock
from motcua.calendars.clock import Calendar

CAL = Calendar(first_year=2018, last_year=2032)

starts = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2028, 12, 31)).map(
    lambda d: d.replace(tzinfo=clock.VN_TZ)
)
amounts = st.decimals(min_value=0, max_value=60, places=2)
whole = st.integers(min_value=0, max_value=60)
units = st.sampled_from(["working_days", "working_hours"])


def in_working_time(moment: dt.datetime) -> bool:
    """Inside a working period of a working day, or exactly at a period's end."""
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return any(a <= seconds <= b for a, b in CAL.periods_of(moment.date()))


@settings(max_examples=300, deadline=None)
@given(start=starts, amount=amounts, unit=units)
def test_due_is_after_start_and_in_working_time(start, amount, unit):
    r = CAL.compute_due(start, amount, unit)
    assert r.due_at >= r.start
    assert r.effective_start >= r.start
    assert in_working_time(r.due_at)
    assert in_working_time(r.effective_start)


@settings(max_examples=200, deadline=None)
@given(start=starts, n=whole, unit=st.sampled_from(["days", "end_of_day"]))
def test_whole_day_limits_end_at_the_close_of_a_working_day(start, n, unit):
    r = CAL.compute_due(start, n, "days" if unit == "days" else "working_days",
                        "end_of_day" if unit == "end_of_day" else "working_hours")
    assert r.due_at >= r.start
    assert CAL.is_working_day(r.due_at.date())
    assert r.due_at == CAL.end_of_working_day(r.due_at.date())


@settings(max_examples=300, deadline=None)
@given(start=starts, a=amounts, b=amounts, unit=units)
def test_due_grows_with_the_amount(start, a, b, unit):
    lo, hi = sorted((a, b))
    assert CAL.compute_due(start, lo, unit).due_at <= CAL.compute_due(start, hi, unit).due_at


@settings(max_examples=200, deadline=None)
@given(start=starts, a=whole, b=whole, unit=st.sampled_from(["days", "working_days"]))
def test_whole_day_limits_grow_with_the_amount(start, a, b, unit):
    lo, hi = sorted((a, b))
    policy = "end_of_day" if unit == "working_days" else "working_hours"
    assert CAL.compute_due(start, lo, unit, policy).due_at <= CAL.compute_due(start, hi, unit, policy).due_at


@settings(max_examples=300, deadline=None)
@given(start=starts, a=st.decimals(min_value=Decimal("0.01"), max_value=200, places=2),
       b=st.decimals(min_value=Decimal("0.01"), max_value=200, places=2))
def test_working_hours_add_up(start, a, b):
    first = CAL.compute_due(start, a, "working_hours").due_at
    assert CAL.compute_due(first, b, "working_hours").due_at == CAL.compute_due(start, a + b, "working_hours").due_at


@settings(max_examples=300, deadline=None)
@given(start=starts, amount=amounts, unit=st.sampled_from(["working_days", "working_hours", "days"]))
def test_no_skipped_day_is_a_working_day(start, amount, unit):
    if unit == "days":
        amount = amount.to_integral_value()
    r = CAL.compute_due(start, amount, unit)
    assert all(not CAL.is_working_day(s.date) and s.name for s in r.skipped)
    assert all(r.start.date() <= s.date <= r.due_at.date() for s in r.skipped)


@settings(max_examples=200, deadline=None)
@given(start=starts, amount=st.integers(min_value=1, max_value=400 * 3600))
def test_between_is_the_inverse_of_adding(start, amount):
    s = clock.to_seconds(start)
    effective = CAL.next_working_seconds(s)
    end = CAL.add_working_seconds(effective, amount)
    assert CAL.working_seconds_between(effective, end) == amount
