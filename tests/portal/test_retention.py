"""``motcua portal retention``: drafts nobody touched and the text of old notices go after their period (operating
choices, not periods of law); dossiers, their events and files, and the notices' delivery records stay. Dry run
counts only; a period of 0 turns its kind off; running twice changes nothing more."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from motcua.dossiers import services as dossier_services
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.notifications.models import DeliveryAttempt, Message
from motcua.portal import services
from motcua.portal.models import Draft, DraftFile

from .conftest import PDF, submit

pytestmark = pytest.mark.django_db


def _draft(user, procedure, days_ago: float, django_capture_on_commit_callbacks) -> Draft:  # type: ignore[no-untyped-def]
    draft = services.start_draft(user, procedure.code)
    with django_capture_on_commit_callbacks(execute=True):
        services.attach_draft_file(user, draft, 1, "don.pdf", io.BytesIO(PDF), set())
    Draft.objects.filter(pk=draft.pk).update(updated_at=timezone.now() - dt.timedelta(days=days_ago))
    return draft


def test_untouched_drafts_go_with_their_files_and_recent_ones_stay(people, procedure, settings,
                                                                   django_capture_on_commit_callbacks):
    settings.MOTCUA_RETENTION_DRAFT_DAYS = 180
    old = _draft(people["an"], procedure, 181, django_capture_on_commit_callbacks)
    recent = _draft(people["an"], procedure, 179, django_capture_on_commit_callbacks)
    old_file = DraftFile.objects.get(draft=old).file.name
    assert services.apply_retention(dry_run=True)["drafts"] == 1
    assert Draft.objects.count() == 2 and default_storage.exists(old_file)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.apply_retention()["drafts"] == 1
    assert list(Draft.objects.all()) == [recent] and not default_storage.exists(old_file)
    assert DraftFile.objects.filter(draft=recent).exists()
    assert services.apply_retention()["drafts"] == 0  # idempotent


def test_a_period_of_zero_turns_a_kind_off(people, procedure, settings, django_capture_on_commit_callbacks):
    settings.MOTCUA_RETENTION_DRAFT_DAYS = 0
    _draft(people["an"], procedure, 5000, django_capture_on_commit_callbacks)
    assert services.apply_retention() == {"drafts": 0, "notice_bodies": 0}
    assert Draft.objects.count() == 1


def test_old_notice_texts_are_blanked_and_their_delivery_records_kept(people, procedure, templates, settings,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_services.accept(people["binh"], submit(people))
    def sent():  # type: ignore[no-untyped-def]
        return Message.objects.filter(status__in=("sent", "delivered"))

    assert sent().exists() and all(m.body for m in sent())
    Message.objects.update(created_at=timezone.now() - dt.timedelta(days=400))
    queued = Message.objects.create(key="x", language="vi", body="còn chờ gửi", status="queued",
                                    created_at=timezone.now() - dt.timedelta(days=400))
    attempts = DeliveryAttempt.objects.count()
    events = DossierEvent.objects.filter(dossier=dossier).count()
    assert services.apply_retention()["notice_bodies"] == 0  # off by default
    settings.MOTCUA_RETENTION_NOTICE_BODY_DAYS = 365
    n = sent().count()
    assert services.apply_retention(dry_run=True)["notice_bodies"] == n and all(m.body for m in sent())
    assert services.apply_retention()["notice_bodies"] == n
    for m in sent():
        assert m.body == "" and m.subject == "" and m.renderings == {}
        assert m.subject_ref and m.addresses and m.status in ("sent", "delivered") and m.sent_at
    assert Message.objects.get(pk=queued.pk).body == "còn chờ gửi"
    assert DeliveryAttempt.objects.count() == attempts
    assert DossierEvent.objects.filter(dossier=dossier).count() == events and Dossier.objects.count() == 1
    assert services.apply_retention()["notice_bodies"] == 0  # idempotent


def test_the_command_reports_and_dry_run_changes_nothing(people, procedure, settings,
                                                          django_capture_on_commit_callbacks):
    _draft(people["an"], procedure, 400, django_capture_on_commit_callbacks)
    out = io.StringIO()
    call_command("portal", "retention", "--dry-run", stdout=out)
    assert "Would remove 1 draft(s)" in out.getvalue() and Draft.objects.count() == 1
    out = io.StringIO()
    call_command("portal", "retention", stdout=out)
    assert "Removed 1 draft(s)" in out.getvalue() and not Draft.objects.exists()
