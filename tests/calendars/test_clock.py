"""Deadline arithmetic on known schedules (domain note time-and-calendar §5) and its edge cases."""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.calendars import clock
from motcua.calendars.clock import Calendar, ClockError, Override

VN = clock.VN_TZ


def at(y, m, d, hh=0, mm=0):  # type: ignore[no-untyped-def]
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN)


def due(cal, start, amount, unit="working_days", policy="working_hours"):  # type: ignore[no-untyped-def]
    return cal.compute_due(start, amount, unit, policy)


# --- Working days around holidays ---------------------------------------------------------------------------

def test_tet_2026_skips_the_whole_block_with_names(cal):
    r = due(cal, at(2026, 2, 13, 10), 3)  # Friday before Tết Bính Ngọ
    assert r.due_at == at(2026, 2, 25, 10)
    assert [s.date for s in r.skipped] == [dt.date(2026, 2, d) for d in range(16, 21)]
    assert r.skipped[1].name == "Tết Nguyên Đán"


def test_tet_2025_example_of_the_package(cal):
    # get_nth_working_day(3 WD after Fri 24/01/2025) = Wed 05/02/2025 in the package; by working time
    # a limit received at the end of Friday is due at the end of Wednesday.
    r = due(cal, at(2025, 1, 24, 17), 3)
    assert r.effective_start == at(2025, 2, 3, 8)
    assert r.due_at == at(2025, 2, 5, 17)


def test_gio_to_on_sunday_2026_moves_to_monday(cal):
    r = due(cal, at(2026, 4, 24, 9), 1)  # Friday
    assert r.due_at == at(2026, 4, 28, 9)
    assert [(s.date, s.name) for s in r.skipped] == [
        (dt.date(2026, 4, 26), "Ngày Giỗ Tổ Hùng Vương"),
        (dt.date(2026, 4, 27), "Ngày Giỗ Tổ Hùng Vương (nghỉ bù)"),
    ]


def test_30_4_and_1_5_2024_with_the_swapped_saturday(cal):
    # Mon 29/4/2024 off in exchange for Sat 4/5/2024 worked (Official Dispatch 2450/VPCP-KGVX).
    assert not cal.is_working_day(dt.date(2024, 4, 29))
    assert cal.is_working_day(dt.date(2024, 5, 4))
    r = due(cal, at(2024, 4, 26, 17), 2)  # end of Friday 26/4
    assert r.due_at == at(2024, 5, 3, 17)
    r = due(cal, at(2024, 4, 26, 17), 3)
    assert r.due_at == at(2024, 5, 4, 17)  # the Saturday counts
    assert [s.date for s in r.skipped] == [dt.date(2024, 4, 29), dt.date(2024, 4, 30), dt.date(2024, 5, 1)]


def test_national_day_2025_two_days(cal):
    r = due(cal, at(2025, 8, 29, 17), 1)
    assert r.due_at == at(2025, 9, 3, 17)
    assert [s.date for s in r.skipped] == [dt.date(2025, 9, 1), dt.date(2025, 9, 2)]


def test_national_day_2026_tuesday_and_the_swap_of_31_8(cal):
    # 2026: Mon 31/8 off in exchange for Sat 22/8 (Notice 9441/TB-BNV), Tue 1/9 and Wed 2/9 off.
    assert cal.is_working_day(dt.date(2026, 8, 22))
    r = due(cal, at(2026, 8, 28, 17), 1)
    assert r.due_at == at(2026, 9, 3, 17)


# --- Outside hours, fractions, period ends -------------------------------------------------------------------

def test_received_inside_hours_starts_at_once(cal):
    r = due(cal, at(2026, 3, 9, 9, 30), "0.5")
    assert r.effective_start == at(2026, 3, 9, 9, 30)
    assert r.due_at == at(2026, 3, 9, 14, 30)  # 2.5 h in the morning, 1.5 h after lunch


def test_received_in_the_evening_starts_next_morning(cal):
    r = due(cal, at(2026, 3, 9, 19), 4, "working_hours")
    assert r.effective_start == at(2026, 3, 10, 8)
    assert r.due_at == at(2026, 3, 10, 12)


def test_received_at_lunch_starts_at_13(cal):
    assert due(cal, at(2026, 3, 9, 12, 15), 1, "working_hours").due_at == at(2026, 3, 9, 14)


def test_received_on_a_saturday_starts_monday(cal):
    r = due(cal, at(2026, 3, 7, 10), 1)
    assert r.effective_start == at(2026, 3, 9, 8)
    assert r.due_at == at(2026, 3, 9, 17)


def test_a_result_on_a_period_end_stays_there(cal):
    assert due(cal, at(2026, 3, 9, 8), 1).due_at == at(2026, 3, 9, 17)
    assert due(cal, at(2026, 3, 9, 8), 4, "working_hours").due_at == at(2026, 3, 9, 12)


def test_start_without_offset_is_local_and_utc_is_converted(cal):
    naive = due(cal, dt.datetime(2026, 3, 9, 9), 1, "working_hours")
    utc = due(cal, dt.datetime(2026, 3, 9, 2, tzinfo=dt.UTC), 1, "working_hours")
    assert naive.due_at == utc.due_at == at(2026, 3, 9, 10)
    assert naive.due_at.utcoffset() == dt.timedelta(hours=7)


def test_zero_amount_is_the_effective_start(cal):
    r = due(cal, at(2026, 3, 9, 18), 0)
    assert r.due_at == r.effective_start == at(2026, 3, 10, 8)


def test_seconds_are_rounded_up_not_down(cal):
    r = due(cal, dt.datetime(2026, 3, 9, 9, 0, 0, 500, tzinfo=VN), 0, "working_hours")
    assert r.due_at == at(2026, 3, 9, 9) + dt.timedelta(seconds=1)


# --- Calendar days and the end_of_day policy (Civil Code Arts. 147-148) --------------------------------

def test_calendar_days_start_the_next_day_and_end_with_the_office(cal):
    r = due(cal, at(2026, 3, 2, 16), 10, "days")  # Monday
    assert r.effective_start == at(2026, 3, 3)
    assert r.due_at == at(2026, 3, 12, 17)
    assert r.skipped == []


def test_calendar_days_ending_on_a_rest_day_move_to_the_next_working_day(cal):
    r = due(cal, at(2026, 2, 6, 9), 10, "days")  # last day Mon 16/2 = Tết eve
    assert r.due_at == at(2026, 2, 23, 17)
    assert [s.date for s in r.skipped] == [dt.date(2026, 2, d) for d in range(16, 21)]


def test_end_of_day_policy_counts_whole_days_after_receipt(cal):
    r = due(cal, at(2026, 3, 9, 8), 1, policy="end_of_day")
    assert r.due_at == at(2026, 3, 10, 17)
    r = due(cal, at(2026, 3, 6, 16), 1, policy="end_of_day")  # Friday
    assert r.due_at == at(2026, 3, 9, 17)


@pytest.mark.parametrize(
    ("amount", "unit", "policy", "code"),
    [
        ("-1", "working_days", "working_hours", "invalid_amount"),
        ("abc", "working_days", "working_hours", "invalid_amount"),
        ("NaN", "working_days", "working_hours", "invalid_amount"),
        ("1", "weeks", "working_hours", "invalid_unit"),
        ("1", "working_days", "whenever", "invalid_policy"),
        ("1", "days", "end_of_day", "invalid_policy"),
        ("1.5", "days", "working_hours", "invalid_amount"),
        ("1e9", "working_days", "working_hours", "invalid_amount"),
    ],
)
def test_bad_input_is_refused(cal, amount, unit, policy, code):
    with pytest.raises(ClockError) as info:
        cal.compute_due(at(2026, 3, 9, 9), amount, unit, policy)
    assert info.value.code == code


# --- Overrides ------------------------------------------------------------------------------------------------

def test_override_turns_a_weekday_off_and_a_saturday_on():
    # The 2026 New Year swap the package lacks: Fri 2/1 off, Sat 10/1 worked (Dispatch 12729/VPCP-KGVX).
    plain = Calendar(first_year=2025, last_year=2027)
    assert plain.is_working_day(dt.date(2026, 1, 2))
    assert not plain.is_working_day(dt.date(2026, 1, 10))
    cal = Calendar(
        overrides=[
            Override(dt.date(2026, 1, 2), "day_off", "Nghỉ Tết Dương lịch (hoán đổi)", "New Year swap"),
            Override(dt.date(2026, 1, 10), "working_day", "Làm bù ngày 02/01/2026"),
        ],
        first_year=2025, last_year=2027,
    )
    assert not cal.is_working_day(dt.date(2026, 1, 2))
    assert cal.is_working_day(dt.date(2026, 1, 10))
    r = cal.compute_due(at(2025, 12, 31, 17), 1, "working_days")
    assert r.due_at == at(2026, 1, 5, 17)
    assert [(s.date, s.name) for s in r.skipped] == [
        (dt.date(2026, 1, 1), "Tết Dương lịch"), (dt.date(2026, 1, 2), "Nghỉ Tết Dương lịch (hoán đổi)"),
    ]
    assert cal.compute_due(at(2025, 12, 31, 17), 1, "working_days", lang="en").skipped[1].name == "New Year swap"
    r = cal.compute_due(at(2026, 1, 9, 17), 1, "working_days")
    assert r.due_at == at(2026, 1, 10, 17)  # the Saturday is worked, on weekday hours


def test_override_can_cancel_a_package_holiday():
    cal = Calendar(overrides=[Override(dt.date(2026, 11, 24), "working_day", "Làm việc")],
                   first_year=2025, last_year=2027)
    assert cal.is_working_day(dt.date(2026, 11, 24))


def test_agency_hours_and_hours_per_day():
    week = {wd: [(7 * 3600 + 1800, 11 * 3600 + 1800), (13 * 3600 + 1800, 17 * 3600)] for wd in range(5)}
    week[5] = [(8 * 3600, 11 * 3600)]  # Saturday mornings at the desk
    cal = Calendar(week, hours_per_day=Decimal("7.5"), first_year=2025, last_year=2027)
    assert cal.compute_due(at(2026, 3, 9, 7, 30), 1, "working_days").due_at == at(2026, 3, 9, 17)
    assert cal.compute_due(at(2026, 3, 13, 16), 2, "working_hours").due_at == at(2026, 3, 14, 9)


# --- The 15:00 transfer cut-off (Decree 118/2025 Art. 18(2) as amended by Decree 309/2026) ----------------

def test_cutoff_is_strictly_after_15(cal):
    assert not clock.is_after_cutoff(at(2026, 3, 9, 15, 0))
    assert clock.is_after_cutoff(at(2026, 3, 9, 15, 1))
    assert clock.is_after_cutoff(dt.datetime(2026, 3, 9, 8, 30, tzinfo=dt.UTC))  # 15:30 local


def test_transfer_same_day_before_15(cal):
    t = clock.transfer_deadline(cal, at(2026, 3, 9, 14, 59))
    assert t.same_day and t.deadline == at(2026, 3, 9, 17)


def test_transfer_after_15_goes_at_the_start_of_the_next_working_day(cal):
    t = clock.transfer_deadline(cal, at(2026, 2, 13, 15, 30))  # Friday before Tết
    assert not t.same_day and t.deadline == at(2026, 2, 23, 8)


def test_transfer_of_a_dossier_received_on_a_day_off(cal):
    t = clock.transfer_deadline(cal, at(2026, 9, 2, 10))
    assert t.deadline == at(2026, 9, 3, 8)


# --- Clock operations ------------------------------------------------------------------------------------------

def test_pause_keeps_the_remaining_time_and_resume_continues(cal):
    started = clock.start_clock(cal, at(2026, 3, 9, 8), 3, "working_days")  # due Wed 11/3 17:00
    assert started.due_at == at(2026, 3, 11, 17)
    paused = clock.pause(cal, started.state, at(2026, 3, 10, 8))  # 2 WD left
    assert paused.due_at is None and paused.old_due_at == at(2026, 3, 11, 17)
    assert paused.state.remaining_seconds == 16 * 3600
    resumed = clock.resume(cal, paused.state, at(2026, 3, 20, 13))  # Friday afternoon
    assert resumed.reason == "resumed"
    assert resumed.due_at == at(2026, 3, 24, 12)  # a period end stays a period end
    with pytest.raises(ClockError):
        clock.resume(cal, resumed.state, at(2026, 3, 21))


def test_an_overdue_clock_stays_overdue_after_a_pause(cal):
    started = clock.start_clock(cal, at(2026, 3, 9, 8), 1, "working_days")
    paused = clock.pause(cal, started.state, at(2026, 3, 10, 10))  # 2 h late
    assert paused.state.remaining_seconds == -2 * 3600
    resumed = clock.resume(cal, paused.state, at(2026, 3, 12, 9))
    assert resumed.due_at is not None and resumed.due_at < at(2026, 3, 12, 9)


def test_restart_counts_the_full_time_again(cal):
    started = clock.start_clock(cal, at(2026, 3, 9, 8), 3, "working_days")
    paused = clock.pause(cal, started.state, at(2026, 3, 10, 8))
    restarted = clock.restart(cal, paused.state, at(2026, 3, 16, 8))
    assert restarted.reason == "restarted"
    assert restarted.due_at == at(2026, 3, 18, 17)


def test_extend_once_and_only_in_time(cal):
    started = clock.start_clock(cal, at(2026, 3, 9, 8), 3, "working_days")
    with pytest.raises(ClockError) as late:
        clock.extend(cal, started.state, at(2026, 3, 11, 9), at(2026, 3, 20, 17))
    assert late.value.code == "too_late"
    extended = clock.extend(cal, started.state, at(2026, 3, 10, 9), at(2026, 3, 20, 17))
    assert extended.due_at == at(2026, 3, 20, 17) and extended.reason == "extended"
    assert clock.due_for(cal, extended.state) == at(2026, 3, 20, 17)
    with pytest.raises(ClockError) as twice:
        clock.extend(cal, extended.state, at(2026, 3, 10, 9), at(2026, 3, 27, 17))
    assert twice.value.code == "already_extended"


def test_working_minutes_between(cal):
    assert cal.working_minutes_between(at(2026, 3, 6, 16), at(2026, 3, 9, 9)) == 120
    assert cal.working_minutes_between(at(2026, 3, 9, 9), at(2026, 3, 6, 16)) == -120
    assert cal.add_working_time(at(2026, 3, 6, 16), 120) == at(2026, 3, 9, 9)
    assert cal.next_working_instant(at(2026, 3, 7, 12)) == at(2026, 3, 9, 8)


def test_dates_far_away_widen_the_window_or_are_refused(cal):
    assert cal.compute_due(at(1990, 3, 5, 9), 1, "working_hours").due_at == at(1990, 3, 5, 10)
    assert cal.compute_due(at(2090, 3, 6, 9), 1, "working_hours").due_at == at(2090, 3, 6, 10)
    with pytest.raises(ClockError):
        cal.compute_due(at(1960, 3, 4, 9), 1, "working_hours")
