"""Templates render in Vietnamese and English, per channel, with the content Decree 224/2026 Art. 15 asks."""

from __future__ import annotations

import pytest

from motcua.notifications import defaults, services
from motcua.notifications.admin import MessageTemplateForm
from motcua.notifications.models import MessageTemplate
from motcua.notifications.rendering import RenderError, render

pytestmark = pytest.mark.django_db


def _render(key: str, language: str, channel: str = "email") -> dict:
    rendering = services._render_for(key, language, channel, defaults.sample_context(key))
    assert rendering is not None
    return rendering


def test_status_notice_in_vietnamese_names_agencies_people_and_times(templates):
    rendering = _render(defaults.STATUS_CHANGED, "vi")
    assert rendering["subject"] == "Hồ sơ G22.37-260706-0001: Đang xử lý"
    body = rendering["body"]
    assert body.startswith("Kính gửi Nguyễn Văn An,")
    assert "Tiếp nhận: Bộ phận Một cửa Sở Xây dựng - Trần Thị Bình, lúc 09:30 06/07/2026" in body
    assert "Xử lý: Phòng Quản lý hoạt động xây dựng - Lê Văn Cường" in body
    assert "lúc 11:30 06/07/2026" in body
    assert "Hẹn trả kết quả: 16:00 20/07/2026" in body


def test_status_notice_in_english(templates):
    rendering = _render(defaults.STATUS_CHANGED, "en")
    assert rendering["subject"] == "Dossier G22.37-260706-0001: Đang xử lý"
    assert "Result promised for: 16:00 20/07/2026" in rendering["body"]
    assert rendering["language"] == "en"


def test_sms_gets_its_own_short_template_and_zalo_the_general_one(templates):
    sms = _render(defaults.RECEIVED, "vi", "sms")
    zalo = _render(defaults.RECEIVED, "vi", "zalo")
    assert sms["subject"] == ""
    assert len(sms["body"]) <= 160
    assert zalo["subject"] == "Đã tiếp nhận hồ sơ G22.37-260706-0001"


def test_every_default_renders_in_both_languages_on_every_channel(templates):
    for key in defaults.KEYS:
        for language in ("vi", "en"):
            for channel in ("email", "sms", "zalo"):
                assert _render(key, language, channel)["body"]


def test_supplement_lists_every_missing_document_and_payment_groups_digits(templates):
    supplement = _render(defaults.SUPPLEMENT_REQUESTED, "vi")["body"]
    assert ("1. Bản vẽ thiết kế xây dựng: Thiếu bản vẽ mặt bằng móng và mặt cắt\n"
            "2. Giấy tờ về quyền sử dụng đất: Bản sao chưa chứng thực\n") in supplement
    assert "Ý kiến của cán bộ: Đề nghị nộp bổ sung trong một lần." in supplement and "Lý do" not in supplement
    assert "75.000 đồng" in _render(defaults.PAYMENT_REQUESTED, "vi")["body"]
    assert "75,000 VND" in _render(defaults.PAYMENT_REQUESTED, "en")["body"]


def test_text_is_not_html_escaped():
    rendered = render("{{ name }}", "{{ name }} & co", {"name": "Công ty A & B"}, "vi")
    assert rendered.body == "Công ty A & B & co"


def test_a_language_without_templates_falls_back_to_vietnamese(templates):
    MessageTemplate.objects.filter(language="en", key=defaults.APOLOGY).delete()
    rendering = _render(defaults.APOLOGY, "en")
    assert rendering["language"] == "vi"
    assert rendering["subject"].startswith("Xin lỗi")


def test_a_template_that_fails_at_render_time_falls_back_to_the_previous_version(templates):
    services.save_template(MessageTemplate(key=defaults.RECEIVED, language="vi", channel="any",
                                           subject="x", body="{{ received_at|date:bad_arg }}"))
    rendering = _render(defaults.RECEIVED, "vi")
    assert rendering["template_version"] == 1


def test_syntax_errors_are_errors():
    with pytest.raises(RenderError):
        render("", "{% if %}", {}, "vi")


def test_the_admin_form_shows_rendering_errors():
    form = MessageTemplateForm(data={"key": defaults.RECEIVED, "language": "vi", "channel": "any",
                                     "subject": "ok", "body": "{% for x in %}", "valid_from": "2026-01-01 00:00",
                                     "is_active": "on"})
    assert not form.is_valid()
    assert "body" in form.errors


def test_the_admin_form_accepts_a_good_template():
    form = MessageTemplateForm(data={"key": defaults.RECEIVED, "language": "vi", "channel": "sms",
                                     "subject": "", "body": "Ho so {{ dossier_code }}",
                                     "valid_from": "2026-01-01 00:00", "is_active": "on"})
    assert form.is_valid(), form.errors
