"""The demo feedback: every state present, made through the services, the published texts masked."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from motcua.core import redaction
from motcua.feedback import services
from motcua.feedback.choices import Channel, Status
from motcua.feedback.models import FeedbackItem


@pytest.mark.django_db
def test_the_demo_holds_feedback_in_every_state_and_is_idempotent(settings, tmp_path, monkeypatch):
    settings.MOTCUA_DEMO_CREDENTIALS_FILE = tmp_path / "creds.txt"
    from motcua.dossiers import demo as dossiers_demo

    monkeypatch.setattr(dossiers_demo, "COUNT", 6)
    call_command("demo", stdout=io.StringIO())
    count = FeedbackItem.objects.count()
    assert count >= 35
    assert set(FeedbackItem.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(FeedbackItem.objects.values_list("channel", flat=True)) >= set(Channel.values) - {Channel.DOSSIER}
    assert FeedbackItem.objects.filter(extended_at__isnull=False).exists()
    assert FeedbackItem.objects.filter(reaction="dissatisfied", follow_ups__isnull=False).exists()
    assert FeedbackItem.objects.filter(finding="substantiated", dossier__isnull=False).exists()
    assert FeedbackItem.objects.filter(hidden=True).exists()
    assert "Luật Khiếu nại" in FeedbackItem.objects.get(status=Status.REJECTED).reason
    for item in FeedbackItem.objects.filter(status=Status.PUBLISHED):
        assert services.is_public(item) == (item.topic == "regulation")
        assert item.published_at >= item.approved_at >= item.received_at
        assert list(item.events.order_by("seq").values_list("at", flat=True)) == sorted(
            item.events.values_list("at", flat=True))
        for text in (item.public_title, item.public_content, item.public_answer):
            assert not redaction.leaks(text, services.known_personal_data(item))
    call_command("demo", stdout=io.StringIO())
    assert FeedbackItem.objects.count() == count
