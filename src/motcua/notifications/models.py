"""Message templates (versioned), messages and their delivery attempts.

A ``Message`` is one notice to one person: it keeps the text as rendered when it was created, the
template version it came from, the addresses it may go to and the channel order to try. Each try on a
channel is a ``DeliveryAttempt`` with the provider's answer. Together they are the evidence that the
applicant was told (Decree 224/2026 Art. 15: status notices in real time), kept with the dossier.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AttemptStatus, ChannelKind, MessageStatus, TemplateChannel


class MessageTemplate(models.Model):
    """One version of the text of a notice. Texts are law-adjacent (what a notice must contain changes with
    the decrees), so a change is a new version with its own ``valid_from``; the old one stays for the
    messages that used it."""

    key = models.CharField(_("key"), max_length=100, db_index=True,
                           help_text=_("What the notice is about, e.g. dossier.status_changed."))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="vi")
    channel = models.CharField(_("channel"), max_length=10, choices=TemplateChannel.choices,
                               default=TemplateChannel.ANY)
    version = models.PositiveIntegerField(_("version"), default=1)
    subject = models.CharField(_("subject"), max_length=300, blank=True,
                               help_text=_("Django template syntax. Used as the e-mail subject."))
    body = models.TextField(_("body"), help_text=_("Django template syntax, plain text."))
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["key", "language", "channel", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "language", "channel", "version"],
                                    name="notifications_template_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} [{self.language}/{self.channel}] v{self.version}"


class Message(models.Model):
    """One notice to one recipient, rendered once, delivered over one of the planned channels."""

    key = models.CharField(_("key"), max_length=100, db_index=True)
    language = models.CharField(_("language"), max_length=5)
    recipient_name = models.CharField(_("recipient"), max_length=255, blank=True)
    # Who the notice is from: the agency that handles the dossier, shown as the e-mail's sender name.
    sender_name = models.CharField(_("sender"), max_length=255, blank=True, default="")
    # {"email": "...", "sms": "+84...", "zalo": "..."}: only the channels this recipient can be reached on.
    addresses = models.JSONField(_("addresses"), default=dict)
    # The channels to try, in order: the preferred one first, then the fallbacks.
    plan = models.JSONField(_("channel order"), default=list)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    template = models.ForeignKey(MessageTemplate, verbose_name=_("template"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="messages")
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    # Per planned channel: {"template_id", "template_version", "subject", "body"}; a channel may have its own
    # (shorter) template, and all are rendered at creation so a later template edit changes nothing here.
    renderings = models.JSONField(_("renderings"), default=dict)
    subject_ref = models.CharField(_("concerns"), max_length=200, blank=True, db_index=True,
                                   help_text=_('What the notice is about, e.g. "dossier:<code>".'))
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    related_object = GenericForeignKey("content_type", "object_id")

    status = models.CharField(_("status"), max_length=10, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    channel_index = models.PositiveSmallIntegerField(_("position in the channel order"), default=0)
    # When the next try is due; while a worker sends, a short lease so that no other worker sends too.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    channel = models.CharField(_("delivered over"), max_length=10, choices=ChannelKind.choices, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notifications_msg_due_idx"),
            models.Index(fields=["content_type", "object_id"], name="notifications_msg_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient_name or '?'} ({self.status})"

    def current_channel(self) -> str | None:
        plan: list[str] = list(self.plan or [])
        return plan[self.channel_index] if self.channel_index < len(plan) else None

    def content_for(self, channel: str) -> dict[str, Any]:
        rendering = (self.renderings or {}).get(channel)
        if rendering:
            return dict(rendering)
        return {"template_id": self.template_id, "template_version": self.template_version,
                "subject": self.subject, "body": self.body}


class DeliveryAttempt(models.Model):
    """One try of one message on one channel, with what the provider answered."""

    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.CASCADE,
                                related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt number"))
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    template_version = models.PositiveIntegerField(_("template version"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=AttemptStatus.choices,
                              default=AttemptStatus.QUEUED)
    retryable = models.BooleanField(_("retryable"), default=False)
    provider_id = models.CharField(_("provider id"), max_length=200, blank=True, db_index=True)
    provider_response = models.JSONField(_("provider response"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["message_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="notifications_attempt_number_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.channel} {self.status}"
