"""The HTTP SMS adapter against a stub gateway on 127.0.0.1 (no other network)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from motcua.notifications import defaults
from motcua.notifications.channels import OutgoingMessage
from motcua.notifications.channels.http import HttpSmsChannel, strip_diacritics

SMS = OutgoingMessage(message_id=42, channel="sms", to="0912345678", recipient_name="An", subject="",
                      body="Hồ sơ G22.37-260706-0001 đã được tiếp nhận", language="vi", key=defaults.RECEIVED)


class Gateway:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                         "body": json.loads(self.rfile.read(length))})
                if self.path == "/slow":
                    gateway.release.wait(10)  # longer than the adapter's timeout; released at teardown
                    return
                status, answer = {
                    "/ok": (200, {"id": "gw-123", "parts": 1}),
                    "/down": (500, {"error": "internal"}),
                    "/busy": (429, {"error": "slow down"}),
                    "/bad": (400, {"error": "invalid phone number"}),
                }[self.path]
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    gw = Gateway()
    gw.thread.start()
    yield gw
    gw.release.set()
    gw.server.shutdown()
    gw.server.server_close()


def _channel(gateway: Gateway, path: str, **options: Any) -> HttpSmsChannel:
    return HttpSmsChannel("sms", {"URL": gateway.url + path, "TOKEN": "tok-abc", "SENDER": "SOXAYDUNG",
                                  "TIMEOUT": 0.5, **options})


def test_success_returns_the_gateways_id_and_sends_token_and_payload(gateway):
    result = _channel(gateway, "/ok").send(SMS)
    assert result.ok
    assert result.status == "sent"
    assert result.provider_id == "gw-123"
    assert result.provider_response == {"http_status": 200, "id": "gw-123", "parts": 1}
    request = gateway.requests[0]
    assert request["headers"]["Authorization"] == "Bearer tok-abc"
    assert request["body"] == {"to": "0912345678", "text": SMS.body, "sender": "SOXAYDUNG", "reference": "42"}


def test_http_500_is_a_transient_failure(gateway):
    result = _channel(gateway, "/down").send(SMS)
    assert not result.ok
    assert result.retryable
    assert result.error == "HTTP 500"
    assert result.provider_response == {"http_status": 500, "error": "internal"}


def test_http_429_is_transient_too(gateway):
    assert _channel(gateway, "/busy").send(SMS).retryable


def test_http_400_is_a_permanent_failure(gateway):
    result = _channel(gateway, "/bad").send(SMS)
    assert not result.ok
    assert not result.retryable
    assert result.provider_response["error"] == "invalid phone number"


def test_a_timeout_is_a_transient_failure(gateway):
    result = _channel(gateway, "/slow", TIMEOUT=0.2).send(SMS)
    assert not result.ok
    assert result.retryable
    assert "timeout" in result.error or "timed out" in result.error


def test_nobody_listening_is_transient(gateway):
    url = gateway.url
    gateway.server.server_close()
    result = HttpSmsChannel("sms", {"URL": url + "/ok", "TIMEOUT": 0.5}).send(SMS)
    assert result.retryable


def test_ascii_option_strips_vietnamese_marks(gateway):
    _channel(gateway, "/ok", ASCII=True).send(SMS)
    assert gateway.requests[0]["body"]["text"] == "Ho so G22.37-260706-0001 da duoc tiep nhan"
    assert strip_diacritics("Đặng Thị Ánh") == "Dang Thi Anh"


def test_missing_or_non_http_url_is_permanent():
    assert not HttpSmsChannel("sms", {}).send(SMS).retryable
    assert not HttpSmsChannel("sms", {"URL": "file:///etc/passwd"}).send(SMS).retryable


@pytest.mark.django_db
def test_a_gateway_500_then_400_falls_back_to_email(gateway, settings, templates, an, send):
    from django.core import mail

    settings.MOTCUA_NOTIFY_CHANNELS = {
        **settings.MOTCUA_NOTIFY_CHANNELS,
        "sms": {"BACKEND": "motcua.notifications.channels.http.HttpSmsChannel",
                "OPTIONS": {"URL": gateway.url + "/bad", "TOKEN": "tok-abc", "TIMEOUT": 0.5}},
    }
    message = send(an, defaults.RECEIVED, defaults.sample_context(defaults.RECEIVED), preferred=["sms"])
    assert message.channel == "email"
    sms, email = message.attempts.order_by("number")
    assert (sms.channel, sms.status, sms.error, sms.retryable) == ("sms", "failed", "HTTP 400", False)
    assert sms.provider_response["http_status"] == 400
    assert (email.channel, email.status) == ("email", "sent")
    assert len(mail.outbox) == 1
