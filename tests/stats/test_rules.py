"""Indicator 2.1 (``motcua.dossiers.timeliness.classify``) on hand-made dossiers; each expected class is worked
out in the test. Early = ended with a result on a day before the promised date's day. Without a calendar,
supplement time is measured in elapsed time; with one, in working time (08:00-12:00, 13:00-17:00 on weekdays
by default). These facts carry no date of the dossier's own clock after a supplement (``due_after``, see
test_early_rule), so the waiting time is subtracted (rule 5)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from motcua.calendars.clock import Calendar
from motcua.dossiers.timeliness import DossierFacts, EndKind, Outcome, Supplement, classify

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def t(day: int, hour: int = 9, month: int = 3) -> dt.datetime:
    return dt.datetime(2025, month, day, hour, tzinfo=VN)


END = t(31, 23)


def facts(**kw) -> DossierFacts:  # type: ignore[no-untyped-def]
    base = {"received_at": t(3), "start_at": t(3), "promised_at": t(10, 17)}
    base.update(kw)
    return DossierFacts(**base)


def test_done_on_the_promised_day_is_on_time_and_a_day_before_early():
    f = facts(done_at=t(10, 16))
    assert classify(f, END, None).outcome == Outcome.ON_TIME
    assert classify(f, END, t(7, 17)).outcome == Outcome.ON_TIME  # the target (7th) changes nothing
    assert classify(facts(done_at=t(7, 10)), END, None).outcome == Outcome.EARLY  # a day before the 10th
    # End exactly at the promised instant: on time (NgayKetThucXuLy <= NgayHenTra).
    assert classify(facts(done_at=t(10, 17)), END, None).outcome == Outcome.ON_TIME


def test_done_after_the_promised_date_is_late_whatever_the_return():
    f = facts(done_at=t(11, 8), returned_at=t(10, 16))  # precedence: done comes first
    c = classify(f, END, None)
    assert (c.outcome, c.end_kind, c.end_at) == (Outcome.LATE, EndKind.DONE, t(11, 8))


def test_end_time_precedence_returned_then_stopped():
    c = classify(facts(returned_at=t(12)), END, None)
    assert (c.end_kind, c.outcome) == (EndKind.RETURNED, Outcome.LATE)
    c = classify(facts(stopped_at=t(6)), END, t(7))
    # A stopped dossier is at best on time: it produced no result to return early.
    assert (c.end_kind, c.outcome, c.finished) == (EndKind.STOPPED, Outcome.ON_TIME, True)


def test_supplement_time_is_subtracted_elapsed():
    # Promised 10th 17:00; waited from the 5th 09:00 to the 8th 09:00 = 72 h; done on the 12th 09:00.
    # 12th 09:00 - 72 h = 9th 09:00 <= 10th 17:00: on time. Without subtraction it would be late.
    f = facts(done_at=t(12), supplements=(Supplement(t(5), t(8)),))
    c = classify(f, END, None)
    assert c.outcome == Outcome.EARLY  # the 12th is a day before the moved date's day (13th)
    assert c.supplement_seconds == 72 * 3600
    assert c.deadline_at == t(13, 17)
    assert classify(facts(done_at=t(13, 12), supplements=(Supplement(t(5), t(8)),)), END, None).outcome == \
        Outcome.ON_TIME
    # Done on the 13th 18:00 = 9th... + 72 h -> past 13th 17:00: late.
    assert classify(facts(done_at=t(13, 18), supplements=(Supplement(t(5), t(8)),)), END, None).outcome == \
        Outcome.LATE


def test_supplement_time_is_subtracted_in_working_time_with_a_calendar():
    cal = Calendar()
    # Monday 3/3 09:00 received, promised Monday 10/3 17:00. Waiting Wednesday 5/3 09:00 -> Friday 7/3 09:00
    # = 2 working days = 16 working hours. The deadline moves 16 working hours after 10/3 17:00:
    # Tuesday 11/3 08:00 + 16 h -> Wednesday 12/3 17:00.
    f = facts(done_at=t(12, 16), supplements=(Supplement(t(5), t(7)),), calendar=cal)
    c = classify(f, END, None)
    assert c.supplement_seconds == 16 * 3600
    assert c.deadline_at == t(12, 17)
    assert c.outcome == Outcome.ON_TIME  # on the moved date's day
    late = facts(done_at=t(13, 9), supplements=(Supplement(t(5), t(7)),), calendar=cal)
    assert classify(late, END, None).outcome == Outcome.LATE


def test_a_second_supplement_request_makes_the_dossier_late():
    f = facts(done_at=t(6), supplements=(Supplement(t(4), t(4, 15)), Supplement(t(5), t(5, 15))))
    c = classify(f, END, t(8))
    assert (c.outcome, c.reason, c.supplement_requests) == (Outcome.LATE, "second_supplement", 2)
    # Judged before the second request, the same dossier was on time.
    assert classify(f, t(4, 16), None).outcome == Outcome.ON_TIME


def test_waiting_for_a_supplement_is_judged_at_the_request():
    f = facts(supplements=(Supplement(t(9), None),))
    c = classify(f, END, None)  # still waiting at the end of March: judged on 9/3, before the 10th
    assert (c.outcome, c.end_kind, c.end_at, c.finished) == (Outcome.ON_TIME, EndKind.SUPPLEMENT, t(9), False)
    late = facts(supplements=(Supplement(t(11), None),))
    assert classify(late, END, None).outcome == Outcome.LATE


def test_open_at_the_end_of_the_period_is_judged_at_that_instant():
    f = facts()  # never finished
    assert classify(f, t(10, 12), None).outcome == Outcome.ON_TIME  # end of a period on the 10th
    c = classify(f, END, None)
    assert (c.outcome, c.end_kind, c.finished, c.end_at) == (Outcome.LATE, EndKind.OPEN, False, END)
    # Events after the instant are ignored: done on the 20th, judged on the 5th -> open, on time.
    assert classify(facts(done_at=t(20)), t(5), t(6)).outcome == Outcome.ON_TIME


def test_not_counted_before_acceptance_and_when_never_accepted():
    assert not classify(facts(received_at=None, stopped_at=t(4)), END, None).counted
    assert not classify(facts(), t(2), None).counted  # received on the 3rd


def test_no_promised_date_uses_the_legal_maximum_then_on_time():
    f = facts(promised_at=None, legal_due_at=t(7, 17), done_at=t(8))
    assert classify(f, END, None).outcome == Outcome.LATE
    f = facts(promised_at=None, legal_due_at=None, done_at=t(28))
    c = classify(f, END, None)
    assert (c.outcome, c.reason) == (Outcome.ON_TIME, "no_deadline")
