"""Translated choices of the notifications app. Stored values are stable English identifiers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    """How a notice reaches the applicant. Decree 61/2018 Arts. 19–20 name e-mail, SMS and approved social
    networks (Zalo is the one Vietnamese agencies use)."""

    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class TemplateChannel(models.TextChoices):
    """The channel a template is written for; ``any`` serves every channel without its own template."""

    ANY = "any", _("Any channel")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    ZALO = "zalo", _("Zalo")


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class AttemptStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
