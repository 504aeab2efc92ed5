from __future__ import annotations

import pytest

from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.feedback import services
from motcua.feedback.choices import EventKind, Status
from motcua.feedback.models import FeedbackItem
from motcua.notifications.models import Message

from .conftest import GOOD_REVIEW, answer_it, regulation


def test_an_item_goes_from_receipt_to_a_published_answer_without_personal_data(received, people):
    assert received.code.startswith("T.SXD-PA")
    assert received.status == Status.RECEIVED
    assert Message.objects.filter(subject_ref=f"feedback:{received.code}").exists()
    item = answer_it(received, people)
    assert item.status == Status.APPROVED and item.publish_due is not None
    assert "0912345678" not in item.public_answer and "Nguyễn Văn An" not in item.public_answer
    item = services.publish(item, people["giang"])
    assert item.status == Status.PUBLISHED
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds == [EventKind.RECEIVED, EventKind.CLASSIFIED, EventKind.DRAFTED, EventKind.REVIEWED,
                     EventKind.APPROVED, EventKind.SENT, EventKind.PUBLISHED]


def test_publication_refuses_texts_that_still_hold_the_senders_data(received, people):
    item = answer_it(received, people)
    with pytest.raises(DomainError) as err:
        services.edit_publication(item, people["giang"], title="Về bản vẽ", content="Câu hỏi",
                                  answer="Trả lời ông, số điện thoại 0912 345 678.")
    assert err.value.code == "personal_data"
    assert FeedbackItem.objects.get(pk=item.pk).public_answer == item.public_answer


def test_a_regulation_answer_needs_the_six_criteria(received, people):
    item = services.classify(received, people["binh"], assignee_id=people["cuong"].pk)
    partial = dict(GOOD_REVIEW)
    del partial["treaties"]
    with pytest.raises(DomainError) as err:
        services.draft_answer(item, people["cuong"], answer="Một câu trả lời đủ dài để được chấp nhận.",
                              review=partial)
    assert err.value.code == "review_incomplete"


def test_roles(received, people):
    with pytest.raises(PermissionDenied):
        services.classify(received, people["khanh"])
    with pytest.raises(PermissionDenied):
        services.classify(received, people["thanh"])
    item = services.classify(received, people["binh"])
    with pytest.raises(PermissionDenied):
        services.extend(item, people["dung"], reason="Chờ ý kiến Bộ Xây dựng")
    services.extend(item, people["giang"], reason="Chờ ý kiến Bộ Xây dựng")
    with pytest.raises(Conflict):
        services.extend(item, people["giang"], reason="Lần nữa")


def test_a_petition_must_propose_something(org, people):
    with pytest.raises(DomainError) as err:
        services.submit(regulation(agency=org["sxd"], kind="petition"), channel="web")
    assert err.value.details["field"] == "proposal"
    assert not FeedbackItem.objects.exists()


def test_the_registry_offers_what_each_role_may_do(received, people):
    from motcua.feedback import actions

    assert {a.slug for a in actions.offered(people["binh"], received)} >= {"classify", "forward", "reject", "merge"}
    assert actions.offered(people["thanh"], received) == []
    assert actions.offered(people["khanh"], received) == []
    with pytest.raises(Conflict):
        actions.take(people["giang"], received, "publish", {})
    item = actions.take(people["binh"], received, "classify", {"assignee_id": people["cuong"].pk})
    assert item.assignee == people["cuong"]


def test_the_notices_of_an_item_are_read_by_who_reads_the_item(received, people):
    from motcua.notifications.selectors import can_view_subject

    ref = f"feedback:{received.code}"
    assert can_view_subject(people["binh"], ref)
    assert can_view_subject(people["thanh"], ref)
    assert not can_view_subject(people["khanh"], ref)
    assert not can_view_subject(people["an"], ref)
