"""The feedback limits (reject 2, forward 5, first request for information 5, handle 15, publish 2 working
days; ``docs/feedback.md``) counted by the one clock across Tết 2026 and the August 2026 swap, and the
on-time judgement of 766 indicator 5.2 and Circular 01/2018 indicator 8 step by step.

The calendar of 2026 (migration 0004 and the ``holidays`` package): Tết Bính Ngọ off Mon 16 – Fri 20/02
(with the weekends, 14–22/02 off); Saturday 22/08 is a worked day, swapped for Monday 31/08 off; National
Day off Tue 01 and Wed 02/09. Each limit counts whole working days after the day of receipt and ends at the
close of the last one (17:00, the agency's working hours).
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from motcua.calendars import selectors as calendars
from motcua.feedback import deadlines, services
from motcua.feedback.choices import EventKind, Status
from motcua.feedback.models import FeedbackItem
from motcua.notifications.models import Message

from .conftest import GOOD_REVIEW, at, regulation


def close(y: int, m: int, d: int) -> dt.datetime:
    return at(y, m, d, 17, 0)


def _at(when: dt.datetime):  # type: ignore[no-untyped-def]
    return time_machine.travel(when, tick=False)


def receive(org, when: dt.datetime) -> FeedbackItem:  # type: ignore[no-untyped-def]
    with _at(when):
        return services.submit(regulation(agency=org["sxd"]), channel="web")


def classify(item, people, when):  # type: ignore[no-untyped-def]
    with _at(when):
        return services.classify(item, people["binh"], assignee_id=people["cuong"].pk)


def approve(item, people, drafted, approved):  # type: ignore[no-untyped-def]
    """Classified, drafted and reviewed at ``drafted``, approved by the leader at ``approved``."""
    item = classify(item, people, drafted)
    with _at(drafted):
        item = services.draft_answer(item, people["cuong"], answer="Sở đã xem xét và sẽ kiến nghị sửa đổi quy "
                                     "định về số lượng bản vẽ trong hồ sơ.", review=GOOD_REVIEW)
        item = services.review_answer(item, people["dung"], accept=True)
    with _at(approved):
        return services.approve_answer(item, people["giang"])


def test_the_calendar_is_the_one_these_tests_assume(org):
    calendar = calendars.get_calendar("T.SXD")
    assert not any(calendar.is_working_day(dt.date(2026, 2, d)) for d in range(14, 23))  # Tết, 14–22/02
    assert calendar.is_working_day(dt.date(2026, 2, 13)) and calendar.is_working_day(dt.date(2026, 2, 23))
    assert calendar.is_working_day(dt.date(2026, 8, 22))  # the swapped Saturday
    assert not calendar.is_working_day(dt.date(2026, 8, 31))
    assert not calendar.is_working_day(dt.date(2026, 9, 1)) and not calendar.is_working_day(dt.date(2026, 9, 2))


def test_dues_of_an_item_received_just_before_tet(org, people):
    # Received Thu 12/02 10:00. Working days after the day of receipt: Fri 13/02 (1); Sat 14 – Sun 22/02 off
    # (weekend, Tết 16–20, weekend); Mon 23 (2), Tue 24 (3), Wed 25 (4), Thu 26 (5), Fri 27 (6), Mon 02/03 (7),
    # Tue 03 (8), Wed 04 (9), Thu 05 (10), Fri 06 (11), Mon 09 (12), Tue 10 (13), Wed 11 (14), Thu 12/03 (15).
    item = receive(org, at(2026, 2, 12, 10))
    assert item.received_at == at(2026, 2, 12, 10)
    assert item.reject_due == close(2026, 2, 23)    # 2 WD
    assert item.forward_due == close(2026, 2, 26)   # 5 WD (Decree 20/2008 Art. 9)
    assert item.info_due == close(2026, 2, 26)      # 5 WD
    assert item.answer_due == close(2026, 3, 12)    # 15 WD
    assert item.publish_due is None                 # counted from the approval only
    # Approved Fri 13/02 16:00: publication within 2 WD → Mon 23/02 (1), Tue 24/02 (2).
    item = approve(item, people, at(2026, 2, 13, 9), at(2026, 2, 13, 16))
    assert item.publish_due == close(2026, 2, 24)


def test_an_item_received_on_tet_starts_on_the_first_working_day_after(org):
    # Received Wed 18/02 (Tết, day off): the count starts after the day of receipt, at the first working day;
    # Mon 23 (1), Tue 24 (2) → reject by Tue 24/02; Wed 25 (3), Thu 26 (4), Fri 27 (5) → forward by Fri 27/02.
    item = receive(org, at(2026, 2, 18, 20))
    assert item.reject_due == close(2026, 2, 24)
    assert item.forward_due == close(2026, 2, 27)


def test_dues_across_the_swapped_saturday_and_national_day(org, people):
    # Received Thu 20/08 15:00. Fri 21 (1), Sat 22 worked (2), Sun 23 off, Mon 24 (3), Tue 25 (4), Wed 26 (5),
    # Thu 27 (6), Fri 28 (7); Sat 29, Sun 30, Mon 31 (swapped off), Tue 01 and Wed 02/09 (National Day) off;
    # Thu 03 (8), Fri 04 (9), Mon 07 (10), Tue 08 (11), Wed 09 (12), Thu 10 (13), Fri 11 (14), Mon 14/09 (15).
    item = receive(org, at(2026, 8, 20, 15))
    assert item.reject_due == close(2026, 8, 22)
    assert item.forward_due == item.info_due == close(2026, 8, 26)
    assert item.answer_due == close(2026, 9, 14)
    # Approved Fri 28/08 11:00: Thu 03/09 (1), Fri 04/09 (2).
    item = approve(item, people, at(2026, 8, 24, 9), at(2026, 8, 28, 11))
    assert item.publish_due == close(2026, 9, 4)


@pytest.mark.parametrize(("when", "met"), [(at(2026, 2, 23, 16), True), (at(2026, 2, 24, 8, 30), False)])
def test_a_rejection_on_the_second_working_day_after_tet_is_on_time_the_third_is_late(org, people, when, met):
    item = receive(org, at(2026, 2, 12, 10))
    with _at(when):
        item = services.reject(item, people["binh"], reason="Nội dung là khiếu nại, không phải phản ánh.")
    [check] = deadlines.steps(item, when)
    assert (check.step, check.due_at, check.met) == ("reject", close(2026, 2, 23), met)
    assert deadlines.on_time(item, at(2026, 12, 31)) is met


@pytest.mark.parametrize(("when", "met"), [
    (at(2026, 2, 26, 16, 59), True),   # Thu 26/02, the 5th working day after receipt
    (at(2026, 2, 27, 9), False),       # Fri 27/02, the 6th
])
def test_forwarding_on_the_fifth_working_day_is_on_time_on_the_sixth_late(org, people, when, met):
    item = receive(org, at(2026, 2, 12, 10))
    with _at(when):
        item = services.forward(item, people["binh"], to_name="UBND phường Xuân Hương - Đà Lạt",
                                reason="Thuộc thẩm quyền quản lý trật tự xây dựng của phường.")
    assert [(c.step, c.met) for c in deadlines.steps(item, when)] == [("forward", met)]
    assert deadlines.on_time(item, when) is met


def test_a_forwarded_copy_counts_its_limits_from_the_forwarding(org, people):
    item = receive(org, at(2026, 8, 20, 15))
    with _at(at(2026, 8, 21, 10)):
        services.forward(item, people["binh"], to_unit_id=org["other"].pk, reason="Thuộc lĩnh vực của sở khác.")
    copy = FeedbackItem.objects.get(forwarded_from=item)
    # Forwarded Fri 21/08 10:00: Sat 22 (1), Mon 24 (2) → reject by Mon 24/08; Tue 25 (3), Wed 26 (4),
    # Thu 27 (5) → forward by Thu 27/08.
    assert copy.received_at == at(2026, 8, 21, 10)
    assert (copy.reject_due, copy.forward_due) == (close(2026, 8, 24), close(2026, 8, 27))


def test_a_first_request_for_information_after_the_fifth_day_is_late(org, people):
    item = classify(receive(org, at(2026, 2, 12, 10)), people, at(2026, 2, 13, 9))
    with _at(at(2026, 2, 27, 10)):  # the 6th working day
        item = services.request_info(item, people["cuong"], message="Đề nghị cho biết số hồ sơ đã nộp.")
    checks = {c.step: c for c in deadlines.steps(item, at(2026, 2, 27, 10))}
    assert checks["info"].due_at == close(2026, 2, 26) and checks["info"].met is False
    assert checks["answer"].met is None  # the 15 days still run
    assert not deadlines.on_time(item, at(2026, 2, 27, 10))
    # A second request does not move the first one's date.
    with _at(at(2026, 3, 2, 9)):
        item = services.provide_info(item, secret=item.secret, text="Hồ sơ số 000.00.37.H22-260210-0003.")
    with _at(at(2026, 3, 3, 9)):
        item = services.request_info(item, people["cuong"], message="Đề nghị gửi ảnh giấy hẹn trả kết quả.")
    assert item.info_requested_at == at(2026, 2, 27, 10)


def test_a_first_request_for_information_on_the_fifth_day_is_on_time(org, people):
    item = classify(receive(org, at(2026, 2, 12, 10)), people, at(2026, 2, 13, 9))
    with _at(at(2026, 2, 26, 10)):
        item = services.request_info(item, people["cuong"], message="Đề nghị cho biết số hồ sơ đã nộp.")
    assert deadlines.on_time(item, at(2026, 2, 26, 10))


@pytest.mark.parametrize(("approved", "met"), [(at(2026, 3, 12, 16), True), (at(2026, 3, 13, 9), False)])
def test_an_answer_approved_after_the_fifteenth_working_day_is_late(org, people, approved, met):
    item = approve(receive(org, at(2026, 2, 12, 10)), people, at(2026, 3, 2, 9), approved)
    checks = {c.step: c for c in deadlines.steps(item, approved)}
    assert checks["answer"].due_at == close(2026, 3, 12) and checks["answer"].met is met


@pytest.mark.parametrize(("published", "met"), [
    (at(2026, 9, 4, 16), True),    # Fri 04/09, the 2nd working day after the approval (31/08–02/09 off)
    (at(2026, 9, 7, 9), False),    # Mon 07/09, the 3rd
])
def test_publication_on_the_second_working_day_is_on_time_on_the_third_late(org, people, published, met):
    item = approve(receive(org, at(2026, 8, 20, 15)), people, at(2026, 8, 24, 9), at(2026, 8, 28, 11))
    with _at(published):
        item = services.publish(item, people["giang"])
    checks = {c.step: c for c in deadlines.steps(item, published)}
    assert checks["answer"].met is True
    assert checks["publish"].due_at == close(2026, 9, 4) and checks["publish"].met is met
    assert deadlines.on_time(item, published) is met


def test_an_approved_item_not_yet_published_turns_late_after_the_second_day(org, people):
    item = approve(receive(org, at(2026, 8, 20, 15)), people, at(2026, 8, 24, 9), at(2026, 8, 28, 11))
    assert deadlines.on_time(item, at(2026, 9, 4, 16, 59))
    assert [c.step for c in deadlines.late_steps(item, at(2026, 9, 4, 17, 1))] == ["publish"]


def test_an_item_in_progress_is_judged_at_the_end_of_the_period(org, people):
    # 766 5.2: an item still being handled counts as on time while (end of period − receipt) ≤ 15 WD.
    item = classify(receive(org, at(2026, 2, 12, 10)), people, at(2026, 2, 13, 9))
    assert deadlines.on_time(item, at(2026, 2, 28, 23, 59))     # end of February: 7 WD used
    assert deadlines.on_time(item, at(2026, 3, 12, 17))         # the 15th day's close
    assert not deadlines.on_time(item, at(2026, 3, 31, 23, 59))  # end of March: past the 15 WD
    assert [c.step for c in deadlines.late_steps(item, at(2026, 3, 31, 23, 59))] == ["answer"]


def test_an_extended_item_is_judged_against_the_national_fifteen_days(org, people):
    item = classify(receive(org, at(2026, 2, 12, 10)), people, at(2026, 2, 13, 9))
    with _at(at(2026, 3, 5, 9)):
        item = services.extend(item, people["giang"], reason="Chờ ý kiến của Bộ Xây dựng về quy định.")
    # The agency's own date moves 15 WD after Thu 12/03: Fri 13 (1), Mon 16 – Fri 20 (2–6), Mon 23 – Fri 27
    # (7–11), Mon 30 (12), Tue 31 (13), Wed 01/04 (14), Thu 02/04 (15).
    assert item.original_answer_due == close(2026, 3, 12)
    assert item.answer_due == close(2026, 4, 2)
    assert item.prolonged
    item = approve_reviewed(item, people, at(2026, 3, 20, 10))
    checks = {c.step: c for c in deadlines.steps(item, at(2026, 3, 20, 10))}
    # Within the extended date, but the 766 limit is the national 15 days from receipt.
    assert checks["answer"].due_at == close(2026, 3, 12) and checks["answer"].met is False
    assert not deadlines.on_time(item, at(2026, 3, 20, 10))


def approve_reviewed(item, people, when):  # type: ignore[no-untyped-def]
    with _at(when):
        item = services.draft_answer(item, people["cuong"], answer="Sở đã xem xét và sẽ kiến nghị sửa đổi quy "
                                     "định về số lượng bản vẽ trong hồ sơ.", review=GOOD_REVIEW)
        item = services.review_answer(item, people["dung"], accept=True)
        return services.approve_answer(item, people["giang"])


# --- the periodic flag ---------------------------------------------------------------------------------------

@pytest.fixture
def mailbox(settings, people):  # type: ignore[no-untyped-def]
    """The default notice texts seeded, e-mail to Django's locmem outbox, the officers with addresses."""
    from motcua.notifications.services import seed_default_templates

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_CHANNELS = {"email": {"BACKEND": "motcua.notifications.channels.email.EmailChannel",
                                                 "OPTIONS": {}}}
    settings.MOTCUA_NOTIFY_ORDER = ["email"]
    seed_default_templates()
    for name in ("cuong", "giang", "khanh"):
        people[name].email = f"{name}@example.gov.vn"
        people[name].save(update_fields=["email"])
    return mail.outbox


def test_flag_late_flags_an_overdue_item_once_and_tells_the_leaders_and_the_officer(
        org, people, mailbox, django_capture_on_commit_callbacks):
    item = classify(receive(org, at(2026, 2, 12, 10)), people, at(2026, 2, 13, 9))
    on_time = receive(org, at(2026, 3, 10, 10))  # forward by 17/03, answer by 31/03
    assert services.flag_late(at(2026, 3, 12, 16)) == 0  # nothing past a limit yet
    with django_capture_on_commit_callbacks(execute=True):  # the notices leave after the commit
        assert services.flag_late(at(2026, 3, 13, 9)) == 1
    item.refresh_from_db()
    on_time.refresh_from_db()
    assert item.late_flagged_at == at(2026, 3, 13, 9) and on_time.late_flagged_at is None
    assert list(item.events.filter(kind=EventKind.LATE_FLAGGED).values_list("data", flat=True)) == [
        {"steps": ["answer"]}]
    notices = Message.objects.filter(key=services.NOTICE_LATE, subject_ref=f"feedback:{item.code}")
    names = set(notices.values_list("recipient_name", flat=True))
    assert people["giang"].get_full_name() in names and people["cuong"].get_full_name() in names
    assert people["khanh"].get_full_name() not in names  # another agency's officer
    assert set(notices.values_list("status", flat=True)) == {"sent"}
    late = [m for m in mailbox if m.to == ["giang@example.gov.vn"]]
    assert len(late) == 1 and item.code in late[0].subject and "/phan-anh/can-bo/" in late[0].body
    assert "12/03/2026" in late[0].body  # the answer date
    count = notices.count()
    assert services.flag_late(at(2026, 3, 16, 9)) == 0  # never twice
    assert notices.count() == count
    assert item.events.filter(kind=EventKind.LATE_FLAGGED).count() == 1


def test_flag_late_leaves_closed_items_alone(org, people):
    item = receive(org, at(2026, 2, 12, 10))
    with _at(at(2026, 2, 24, 9)):  # rejected late, but closed: nothing left to chase
        services.reject(item, people["binh"], reason="Nội dung là tố cáo, không phải phản ánh.")
    assert services.flag_late(at(2026, 4, 1, 9)) == 0


def test_an_unclassified_item_is_flagged_once_the_forwarding_limit_passed(org, people):
    item = receive(org, at(2026, 2, 12, 10))
    assert services.flag_late(at(2026, 2, 26, 16)) == 0
    assert services.flag_late(at(2026, 2, 27, 9)) == 1
    item.refresh_from_db()
    assert item.status == Status.RECEIVED and item.late_flagged_at is not None
