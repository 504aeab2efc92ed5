"""A message keeps the template version (and the text) it was rendered from."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from motcua.notifications import defaults, services
from motcua.notifications.demo import seed
from motcua.notifications.models import MessageTemplate

pytestmark = pytest.mark.django_db

CONTEXT = defaults.sample_context(defaults.RECEIVED)


def _current(channel: str = "any") -> MessageTemplate:
    return MessageTemplate.objects.filter(key=defaults.RECEIVED, language="vi", channel=channel).order_by(
        "-version").first()


def test_a_message_keeps_the_version_it_used_after_the_template_changes(templates, an, send):
    first = send(an, defaults.RECEIVED, CONTEXT, preferred=["email"])
    assert first.template_version == 1
    old_body = first.body

    template = _current()
    template.body = "Mới: {{ dossier_code }}"
    services.save_template(template, changed=["body"])

    second = send(an, defaults.RECEIVED, CONTEXT, preferred=["email"])
    first.refresh_from_db()
    assert second.template_version == 2
    assert second.body == "Mới: G22.37-260706-0001"
    assert first.template_version == 1
    assert first.body == old_body
    assert first.template.body != "Mới: {{ dossier_code }}"
    assert first.attempts.get().template_version == 1


def test_editing_the_text_creates_a_new_version_and_keeps_the_old(templates):
    template = _current()
    old_pk = template.pk
    template.subject = "Khác"
    saved = services.save_template(template, changed=["subject"])
    assert saved.pk != old_pk
    assert saved.version == 2
    assert MessageTemplate.objects.get(pk=old_pk).subject == "Đã tiếp nhận hồ sơ {{ dossier_code }}"


def test_switching_a_template_off_is_done_in_place(templates):
    template = _current()
    template.is_active = False
    saved = services.save_template(template, changed=["is_active"])
    assert saved.version == 1
    assert MessageTemplate.objects.filter(key=defaults.RECEIVED, language="vi", channel="any").count() == 1


def test_a_version_valid_from_a_future_date_is_not_used_yet(templates, an, send):
    future = MessageTemplate(key=defaults.RECEIVED, language="vi", channel="any", subject="Tương lai",
                             body="Tương lai", valid_from=timezone.now() + dt.timedelta(days=3))
    services.save_template(future)
    message = send(an, defaults.RECEIVED, CONTEXT, preferred=["email"])
    assert message.template_version == 1


def test_seeding_is_idempotent_and_never_overwrites_an_edit(db):
    out = io.StringIO()
    seed(out)
    count = MessageTemplate.objects.count()
    assert count == len(defaults.TEMPLATES) == len(defaults.KEYS) * 2 * 2
    assert "created" in out.getvalue()
    MessageTemplate.objects.filter(key=defaults.APOLOGY, language="vi", channel="any").update(body="sửa")
    seed(io.StringIO())
    assert MessageTemplate.objects.count() == count
    assert MessageTemplate.objects.get(key=defaults.APOLOGY, language="vi", channel="any").body == "sửa"


def test_template_changes_are_audited(templates):
    from auditlog.models import LogEntry

    template = _current()
    template.is_active = False
    services.save_template(template, changed=["is_active"])
    assert LogEntry.objects.get_for_object(template).filter(action=LogEntry.Action.UPDATE).exists()


def test_seeding_brings_a_never_edited_template_to_the_new_default_text(db):
    key = (defaults.SUPPLEMENT_REQUESTED, "vi", "any")
    old_subject, old_body = defaults.SUPERSEDED[key][0]
    # An installation seeded with the earlier default text, and one whose English text was edited.
    MessageTemplate.objects.create(key=key[0], language="vi", channel="any", version=1, subject=old_subject,
                                   body=old_body, note="default text")
    MessageTemplate.objects.create(key=key[0], language="en", channel="any", version=1, subject="Edited",
                                   body="Edited: {{ reason }}", note="default text")
    out = io.StringIO()
    seed(out)
    seed(io.StringIO())  # idempotent
    vi = MessageTemplate.objects.filter(key=key[0], language="vi", channel="any").order_by("-version")
    assert [t.version for t in vi] == [2, 1]
    current = next(t for t in defaults.TEMPLATES if t[:3] == key)
    assert vi[0].body == current[4] and "{{ item.reason }}" in vi[0].body
    assert vi[1].body == old_body  # the old version stays for the messages that used it
    en = MessageTemplate.objects.filter(key=key[0], language="en", channel="any")
    assert [t.body for t in en] == ["Edited: {{ reason }}"]
    assert "1 updated" in out.getvalue()
