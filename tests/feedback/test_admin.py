"""The admin shows feedback items read-only to administrators: no add, no change, no delete."""

from __future__ import annotations

from motcua.feedback.models import FeedbackItem


def test_an_administrator_reads_items_and_their_history_but_changes_nothing(received, client_for):
    ha = client_for("ha")
    listing = ha.get("/quan-tri/feedback/feedbackitem/?status__exact=received")
    assert listing.status_code == 200 and received.code in listing.content.decode()
    page = ha.get(f"/quan-tri/feedback/feedbackitem/{received.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert received.title in body and "received" in body
    assert received.secret not in body  # the sender's key to the tracking page is never shown
    assert ha.get("/quan-tri/feedback/feedbackitem/add/").status_code == 403
    assert ha.get(f"/quan-tri/feedback/feedbackitem/{received.pk}/delete/").status_code == 403
    ha.post(f"/quan-tri/feedback/feedbackitem/{received.pk}/change/", {"title": "Đổi tiêu đề"})
    assert FeedbackItem.objects.get(pk=received.pk).title == received.title


def test_officers_do_not_reach_it_in_the_admin(received, client_for):
    response = client_for("binh").get("/quan-tri/feedback/feedbackitem/")
    assert response.status_code in (302, 403)
