from __future__ import annotations

import pytest

from motcua.notifications import services
from motcua.notifications.channels import memory
from motcua.notifications.services import Recipient

EMAIL = "motcua.notifications.channels.email.EmailChannel"
MEMORY = "motcua.notifications.channels.memory.MemoryChannel"


@pytest.fixture(autouse=True)
def channels(settings):  # type: ignore[no-untyped-def]
    """E-mail through Django's locmem backend (``mail.outbox``), SMS and Zalo in memory."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_NOTIFY_CHANNELS = {
        "email": {"BACKEND": EMAIL, "OPTIONS": {}},
        "sms": {"BACKEND": MEMORY, "OPTIONS": {"RECEIPT_SECRET": "s3cret-receipts"}},
        "zalo": {"BACKEND": MEMORY, "OPTIONS": {}},
    }
    settings.MOTCUA_NOTIFY_ORDER = ["email", "sms", "zalo"]
    settings.MOTCUA_NOTIFY_RETRY = {"MAX_ATTEMPTS": 3, "BACKOFF_SECONDS": 60, "MAX_BACKOFF_SECONDS": 3600,
                                    "LEASE_SECONDS": 300}
    memory.reset()
    yield
    memory.reset()


@pytest.fixture
def templates(db):  # type: ignore[no-untyped-def]
    services.seed_default_templates()


@pytest.fixture
def an() -> Recipient:
    return Recipient(name="Nguyễn Văn An", email="an@example.com", phone="0912345678", language="vi")


@pytest.fixture
def send(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``send(recipient, key, context, **kw)``: notify and run what is deferred to the commit (the task)."""

    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            message = services.notify(*args, **kwargs)
        assert message is not None
        message.refresh_from_db()
        return message

    return run
