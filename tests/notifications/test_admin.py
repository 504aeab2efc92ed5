"""Administrators edit templates in the admin: preview, rendering errors shown, edits make new versions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.notifications import defaults
from motcua.notifications.models import MessageTemplate

pytestmark = pytest.mark.django_db


def _template() -> MessageTemplate:
    return MessageTemplate.objects.get(key=defaults.RECEIVED, language="vi", channel="any", version=1)


def _form(template: MessageTemplate, **changes: str) -> dict[str, str]:
    data = {"key": template.key, "language": template.language, "channel": template.channel,
            "subject": template.subject, "body": template.body, "valid_from_0": "01/01/2026",
            "valid_from_1": "00:00:00", "is_active": "on", "note": template.note}
    data.update(changes)
    return data


def test_the_change_page_shows_a_preview_with_sample_data(templates, client_for):
    response = client_for("ha").get(reverse("admin:notifications_messagetemplate_change", args=[_template().pk]))
    assert response.status_code == 200
    assert "Đã tiếp nhận hồ sơ G22.37-260706-0001" in response.content.decode()


def test_a_broken_template_is_refused_with_the_error_shown(templates, client_for):
    template = _template()
    url = reverse("admin:notifications_messagetemplate_change", args=[template.pk])
    response = client_for("ha").post(url, _form(template, body="{% if %}"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert MessageTemplate.objects.filter(key=template.key, language="vi", channel="any").count() == 1


def test_saving_new_text_makes_a_new_version(templates, client_for):
    template = _template()
    url = reverse("admin:notifications_messagetemplate_change", args=[template.pk])
    response = client_for("ha").post(url, _form(template, body="Đã nhận {{ dossier_code }}"))
    assert response.status_code == 302
    versions = MessageTemplate.objects.filter(key=template.key, language="vi", channel="any").order_by("version")
    assert [(t.version, t.body) for t in versions] == [(1, template.body), (2, "Đã nhận {{ dossier_code }}")]
    assert versions[1].created_by is not None


def test_only_administrators_see_the_templates(templates, client_for):
    url = reverse("admin:notifications_messagetemplate_changelist")
    assert client_for("ha").get(url).status_code == 200
    assert client_for("binh").get(url).status_code == 302  # not staff: sent to the admin login
