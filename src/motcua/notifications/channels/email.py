"""E-mail through Django's mail backends.

OPTIONS: ``EMAIL_BACKEND`` (default ``settings.EMAIL_BACKEND``), ``FROM_EMAIL`` (default
``settings.DEFAULT_FROM_EMAIL``), ``REPLY_TO`` (a list), and any keyword the backend accepts
(``host``, ``port``, ``username``, ``password``, ``use_tls``, ``timeout``...). ``DELIVERED_ON_SEND``
(default false): report a sent message as delivered at once; for the development console backend, where
the console is the mailbox and no receipt ever comes.

A notice that names its sender (the agency handling the dossier) goes out as ``"<agency>" <address>``, the
address being that of ``FROM_EMAIL`` (``MOTCUA_EMAIL_FROM``): the citizen sees who writes to them.
"""

from __future__ import annotations

import smtplib
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from .base import Channel, DeliveryResult, OutgoingMessage

_OWN_OPTIONS = {"EMAIL_BACKEND", "FROM_EMAIL", "REPLY_TO", "RECEIPT_SECRET", "MESSAGE_ID_DOMAIN", "DELIVERED_ON_SEND"}


def sender(from_email: str, name: str) -> str:
    """``from_email`` (an address, or ``Name <address>``) with ``name`` as the display name when given."""
    if not name:
        return from_email
    quoted = " ".join(name.replace("\\", "").replace('"', "").split())
    return f'"{quoted}" <{parseaddr(from_email)[1] or from_email}>'


class EmailChannel(Channel):
    def send(self, message: OutgoingMessage) -> DeliveryResult:
        message_id = make_msgid(domain=self.options.get("MESSAGE_ID_DOMAIN") or None)
        extra = {k: v for k, v in self.options.items() if k not in _OWN_OPTIONS}
        email = EmailMessage(
            subject=" ".join(message.subject.split()),  # a header: no line breaks
            body=message.body,
            from_email=sender(self.options.get("FROM_EMAIL") or settings.DEFAULT_FROM_EMAIL, message.sender_name),
            to=[message.to],
            reply_to=self.options.get("REPLY_TO"),
            headers={"Message-ID": message_id, "X-Motcua-Message": str(message.message_id)},
        )
        try:
            connection = get_connection(self.options.get("EMAIL_BACKEND"), fail_silently=False, **extra)
            count = connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            return DeliveryResult.permanent(f"recipient refused: {exc.recipients}")
        except (smtplib.SMTPException, OSError) as exc:
            # Connection problems, timeouts, a busy server: the same address may work later.
            return DeliveryResult.transient(f"{type(exc).__name__}: {exc}")
        if not count:
            return DeliveryResult.transient("the mail backend sent nothing")
        if self.options.get("DELIVERED_ON_SEND"):
            return DeliveryResult.delivered(message_id)
        return DeliveryResult.sent(message_id)
