"""The fixed vocabularies of the surveys app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How an answer reached motcua. ``legacy``: the four-question rating kept before this app (migrated)."""

    LINK = "link", _("Link in the result notice")
    QR = "qr", _("QR code on a paper")
    KIOSK = "kiosk", _("Kiosk at the desk")
    PAPER = "paper", _("Paper questionnaire")
    CAMPAIGN = "campaign", _("Survey invitation")
    LEGACY = "legacy", _("Rating (before surveys)")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SAMPLED = "sampled", _("Sample drawn")
    SENT = "sent", _("Invitations sent")
    CLOSED = "closed", _("Closed")


class SheetStatus(models.TextChoices):
    """A paper questionnaire entered twice (double entry): it counts once two entries by two people match."""

    PENDING = "pending", _("Waiting for the second entry")
    CONFLICT = "conflict", _("Entries differ")
    ACCEPTED = "accepted", _("Counted")
