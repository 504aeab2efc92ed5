"""A generic HTTP/JSON gateway, for SMS brand-name providers (and any provider with the same shape).

OPTIONS:
- ``URL`` (required): the endpoint that accepts a POST;
- ``TOKEN``: sent as ``Authorization: Bearer <TOKEN>`` (read it from the environment in the settings);
- ``SENDER``: the registered brand name, sent as ``sender``;
- ``TIMEOUT``: seconds, default 10;
- ``ASCII``: true to strip Vietnamese diacritics (a non-ASCII SMS holds 70 characters instead of 160).

The request body is ``{"to", "text", "sender", "reference"}``; a 2xx answer with JSON ``{"id": ...}`` (or
``message_id``) means sent. 408, 425, 429 and 5xx are transient (retried); other 4xx are permanent (the next
channel is tried at once); a network error or timeout is transient.
"""

from __future__ import annotations

import json
import unicodedata
import urllib.error
import urllib.request
from typing import Any

from .base import Channel, DeliveryResult, OutgoingMessage

TRANSIENT_STATUSES = {408, 425, 429}


def strip_diacritics(text: str) -> str:
    """``Hồ sơ đã được tiếp nhận`` → ``Ho so da duoc tiep nhan``, keeping case and punctuation."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _answer(raw: bytes) -> dict[str, Any]:
    text = raw[:4000].decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text)
    except ValueError:
        return {"text": text}
    return parsed if isinstance(parsed, dict) else {"data": parsed}


class HttpSmsChannel(Channel):
    def request(self, message: OutgoingMessage) -> urllib.request.Request:
        text = message.body.strip()
        if self.options.get("ASCII"):
            text = strip_diacritics(text)
        payload = {"to": message.to, "text": text, "sender": self.options.get("SENDER", ""),
                   "reference": str(message.message_id)}
        headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
        if self.options.get("TOKEN"):
            headers["Authorization"] = f"Bearer {self.options['TOKEN']}"
        url = str(self.options["URL"])
        if not url.startswith(("https://", "http://")):
            raise ValueError("the SMS gateway URL must be http(s)")
        return urllib.request.Request(url, data=json.dumps(payload).encode(), headers=headers,  # noqa: S310
                                      method="POST")

    def send(self, message: OutgoingMessage) -> DeliveryResult:
        if not self.options.get("URL"):
            return DeliveryResult.permanent("the SMS gateway URL is not configured")
        try:
            request = self.request(message)
        except ValueError as exc:
            return DeliveryResult.permanent(str(exc))
        timeout = float(self.options.get("TIMEOUT", 10))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (checked above)
                answer = _answer(response.read())
                status = response.status
        except urllib.error.HTTPError as exc:
            answer = {"http_status": exc.code, **_answer(exc.read() or b"")}
            error = f"HTTP {exc.code}"
            if exc.code >= 500 or exc.code in TRANSIENT_STATUSES:
                return DeliveryResult.transient(error, answer)
            return DeliveryResult.permanent(error, answer)
        except TimeoutError as exc:
            return DeliveryResult.transient(f"timeout: {exc}")
        except (urllib.error.URLError, OSError) as exc:
            return DeliveryResult.transient(f"network error: {exc}")
        provider_id = str(answer.get("id") or answer.get("message_id") or "")
        return DeliveryResult.sent(provider_id, {"http_status": status, **answer})
