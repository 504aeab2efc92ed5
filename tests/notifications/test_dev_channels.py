"""The development channels: a JSON line per message under VAR_DIR/outbox, or the console."""

from __future__ import annotations

import io
import json

import pytest

from motcua.notifications import conf, defaults
from motcua.notifications.channels import OutgoingMessage, get_channel
from motcua.notifications.channels.dev import ConsoleChannel, FileChannel

MESSAGE = OutgoingMessage(message_id=7, channel="sms", to="0912345678", recipient_name="Nguyễn Văn An",
                          subject="", body="Hồ sơ đã được tiếp nhận", language="vi", key=defaults.RECEIVED)


def test_the_file_channel_appends_json_lines_under_var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    channel = FileChannel("sms", {})
    first = channel.send(MESSAGE)
    second = channel.send(MESSAGE)
    assert first.status == second.status == "delivered"  # the file is the end of the line: no receipt comes
    lines = (tmp_path / "outbox" / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0])
    assert record["to"] == "0912345678"
    assert record["body"] == "Hồ sơ đã được tiếp nhận"
    assert record["message_id"] == 7
    assert record["provider_id"] == first.provider_id
    assert json.loads(lines[1])["provider_id"] == second.provider_id != first.provider_id


def test_the_file_channel_reports_an_unwritable_directory_as_transient(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = FileChannel("sms", {"DIR": str(blocker / "outbox")}).send(MESSAGE)
    assert not result.ok
    assert result.retryable


def test_the_console_channel_prints_the_message():
    stream = io.StringIO()
    assert ConsoleChannel("zalo", {"STREAM": stream}).send(MESSAGE).status == "delivered"
    assert "Hồ sơ đã được tiếp nhận" in stream.getvalue()


def test_development_defaults_send_email_to_the_console_and_sms_zalo_to_files(settings):
    del settings.MOTCUA_NOTIFY_CHANNELS
    settings.ENV = "development"
    channels = conf.channels()
    assert channels["email"]["OPTIONS"]["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert channels["email"]["OPTIONS"]["DELIVERED_ON_SEND"] is True
    assert isinstance(get_channel("sms"), FileChannel)
    assert isinstance(get_channel("zalo"), FileChannel)


def test_production_defaults_configure_only_email(settings):
    del settings.MOTCUA_NOTIFY_CHANNELS
    settings.ENV = "production"
    assert list(conf.channels()) == ["email"]
    assert get_channel("sms") is None


@pytest.mark.django_db
def test_a_development_sms_lands_in_the_outbox_file(settings, tmp_path, templates, an, send):
    settings.VAR_DIR = tmp_path
    settings.MOTCUA_NOTIFY_CHANNELS = {"sms": {"BACKEND": "motcua.notifications.channels.dev.FileChannel"}}
    message = send(an, defaults.RECEIVED, defaults.sample_context(defaults.RECEIVED))
    assert message.status == "delivered"
    assert message.delivered_at is not None
    record = json.loads((tmp_path / "outbox" / "sms.jsonl").read_text(encoding="utf-8"))
    assert record["message_id"] == message.pk
    assert record["body"].startswith("Da tiep nhan ho so G22.37-260706-0001")


def test_the_console_email_of_development_is_recorded_delivered_and_a_real_backend_only_sent(capsys):
    from motcua.notifications.channels.email import EmailChannel

    console = {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert EmailChannel("email", {**console, "DELIVERED_ON_SEND": True}).send(MESSAGE).status == "delivered"
    assert "Hồ sơ đã được tiếp nhận" in capsys.readouterr().out
    # Without the option a sent e-mail waits for the provider's receipt.
    assert EmailChannel("email", console).send(MESSAGE).status == "sent"
