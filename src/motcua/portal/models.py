"""The citizen side: pending registrations, contact preferences, submission drafts, rating invitations and
the anonymous ratings themselves.

Writes go through ``services``; these classes hold data and small invariants only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class PendingRegistration(models.Model):
    """A registration waiting for its confirmation code. The 6-digit code is stored as a salted hash
    (``make_password``), tried at most ``MAX_ATTEMPTS`` times, and expires; the password is stored hashed
    too, so nothing here can be used to sign in before the person confirms."""

    MAX_ATTEMPTS = 5

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    identifier = models.CharField(_("email or phone"), max_length=254, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    full_name = models.CharField(_("full name"), max_length=150)
    password_hash = models.CharField(max_length=256)
    preferred_language = models.CharField(_("preferred language"), max_length=5, default="vi")
    code_hash = models.CharField(max_length=256)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pending registration")
        verbose_name_plural = _("pending registrations")

    def __str__(self) -> str:
        return self.identifier


class ContactPreference(models.Model):
    """The channel order a citizen chose for notices (Decree 224/2026 Art. 15: notices on their channel)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_preference")
    channels = models.JSONField(_("channel order"), default=list)

    class Meta:
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(self.channels)}"


class Draft(models.Model):
    """An online submission in progress, saved at every step of the wizard and resumable. ``data`` holds
    the answers by step; files are ``DraftFile`` rows, stored outside the dossiers folder (so that the
    dossier app's orphan sweep leaves them alone) and handed to ``submit_online`` at submission."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_drafts")
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("draft dossier")
        verbose_name_plural = _("draft dossiers")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.procedure_id} ({self.owner_id})"


class DraftFile(models.Model):
    """A file uploaded for one document of a draft, checked by ``dossiers.files.check`` when uploaded."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="files")
    document_order = models.PositiveSmallIntegerField()
    file = models.FileField(max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document_order", "id"]

    def __str__(self) -> str:
        return self.original_name
