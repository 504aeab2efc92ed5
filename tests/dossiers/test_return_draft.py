"""A drafted paper the head or the leader does not agree with goes back to its drafter (issue 14, item 4):
without it, a refusal the director will not sign would wait in his list for ever."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from motcua.core.errors import Conflict, DomainError, PermissionDenied
from motcua.dossiers import actions
from motcua.dossiers.choices import EventKind, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.workflow import services as wf
from motcua.dossiers.workflow.choices import DraftKind
from motcua.dossiers.workflow.models import PaperDraft

from .workflow_helpers import construction_permit, in_progress, t

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposed(people, org):  # type: ignore[no-untyped-def]
    """A refusal proposed by the specialist on a dossier in processing."""
    construction_permit(org)
    d = in_progress(people, t(2026, 8, 3, 9, 0))
    wf.claim(people["cuong"], d, at=t(2026, 8, 3, 9, 45))
    wf.propose_refusal(people["cuong"], d, reason="Không phù hợp quy hoạch", at=t(2026, 8, 4, 9, 0))
    return Dossier.objects.get(pk=d.pk)


def _slugs(user, d) -> set[str]:  # type: ignore[no-untyped-def]
    return {spec.slug for spec in actions.available(user, Dossier.objects.get(pk=d.pk))}


def test_the_head_sends_the_proposed_refusal_back_with_his_reason(people, proposed):
    assert "return-refusal" in _slugs(people["dung"], proposed)
    assert "return-refusal" not in _slugs(people["cuong"], proposed)  # not the drafter himself
    with pytest.raises(DomainError) as err:
        wf.return_draft(people["dung"], proposed, DraftKind.REFUSAL, reason="  ", at=t(2026, 8, 4, 10, 0))
    assert err.value.details["fields"][0]["field"] == "reason"
    assert PaperDraft.objects.filter(dossier=proposed).count() == 1  # a refusal with no reason changes nothing

    wf.return_draft(people["dung"], proposed, DraftKind.REFUSAL, reason="Đề nghị thẩm định lại khoảng lùi",
                    at=t(2026, 8, 4, 10, 0))
    d = Dossier.objects.get(pk=proposed.pk)
    assert d.status == Status.IN_PROGRESS and not PaperDraft.objects.filter(dossier=d).exists()
    event = d.events.get(kind=EventKind.DRAFT_RETURNED)
    assert event.actor == people["dung"] and event.reason == "Đề nghị thẩm định lại khoảng lùi"
    assert event.data["paper"] == "refusal" and event.data["drafted_by"] == "Lê Văn Cường"
    assert not {"approve-refusal", "sign-refusal", "return-refusal"} & _slugs(people["dung"], d)
    # The officer may go on: propose again, or appraise and pass the dossier on.
    wf.propose_refusal(people["cuong"], d, reason="Không phù hợp quy hoạch chi tiết 1/500", at=t(2026, 8, 4, 11, 0))
    assert PaperDraft.objects.get(dossier=d).approved_at is None


def test_after_approval_only_the_leader_sends_it_back(people, proposed):
    wf.approve_draft(people["dung"], proposed, DraftKind.REFUSAL, at=t(2026, 8, 4, 10, 0))
    assert "return-refusal" not in _slugs(people["dung"], proposed)
    with pytest.raises(PermissionDenied):
        wf.return_draft(people["dung"], proposed, DraftKind.REFUSAL, reason="Thôi", at=t(2026, 8, 4, 11, 0))
    assert "return-refusal" in _slugs(people["giang"], proposed)
    wf.return_draft(people["giang"], proposed, DraftKind.REFUSAL, reason="Không đồng ý từ chối",
                    at=t(2026, 8, 4, 11, 0))
    assert not PaperDraft.objects.filter(dossier=proposed).exists()
    # Nothing waits any more: a second return is a conflict, not a silent success.
    with pytest.raises(Conflict):
        wf.return_draft(people["giang"], proposed, DraftKind.REFUSAL, reason="Lại", at=t(2026, 8, 4, 11, 5))


def test_the_api_refuses_what_the_page_hides(people, proposed, token_for):
    url = f"/api/v1/dossiers/{proposed.code}/actions/return-refusal"
    body = json.dumps({"reason": "Không đồng ý"})
    refused = Client().post(url, body, content_type="application/json", HTTP_AUTHORIZATION=token_for("cuong"))
    assert refused.status_code == 403
    empty = Client().post(url, json.dumps({"reason": ""}), content_type="application/json",
                          HTTP_AUTHORIZATION=token_for("dung"))
    assert empty.status_code == 400 and PaperDraft.objects.filter(dossier=proposed).exists()
    ok = Client().post(url, body, content_type="application/json", HTTP_AUTHORIZATION=token_for("dung"))
    assert ok.status_code == 200 and not PaperDraft.objects.filter(dossier=proposed).exists()
    again = Client().post(url, body, content_type="application/json", HTTP_AUTHORIZATION=token_for("dung"))
    assert again.status_code == 409


def test_the_page_shows_who_sent_it_back(people, proposed):
    wf.return_draft(people["dung"], proposed, DraftKind.REFUSAL, reason="Đề nghị thẩm định lại",
                    at=t(2026, 8, 4, 10, 0) + dt.timedelta(minutes=5))
    client = Client()
    client.force_login(people["cuong"])
    html = client.get(f"/ho-so/{proposed.code}/").content.decode()
    assert "Văn bản trả lại người dự thảo" in html and "Đề nghị thẩm định lại" in html
