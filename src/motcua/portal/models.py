"""The citizen side: pending registrations, contact preferences, submission drafts, rating invitations and
the anonymous ratings themselves.

Writes go through ``services``; these classes hold data and small invariants only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motcua.dossiers.choices import ApplicantField


class ContactChannel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class _CodeRequest(models.Model):
    """What waits for a code sent to an address (``services._check_code``): the code's salted hash, the tries
    (at most ``MAX_ATTEMPTS``), the expiry and the confirmation."""

    MAX_ATTEMPTS = 5

    code_hash = models.CharField(max_length=256)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class PendingRegistration(_CodeRequest):
    """A registration waiting for its confirmation code. The 6-digit code is stored as a salted hash
    (``make_password``), tried at most ``MAX_ATTEMPTS`` times, and expires; the password is stored hashed
    too, so nothing here can be used to sign in before the person confirms."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    identifier = models.CharField(_("email or phone"), max_length=254, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    full_name = models.CharField(_("full name"), max_length=150)
    password_hash = models.CharField(max_length=256)
    preferred_language = models.CharField(_("preferred language"), max_length=5, default="vi")
    # The consent the person gave on the registration form (``portal.consent``): carried to the account's
    # ``Consent`` row when the registration is confirmed.
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)

    class Meta:
        verbose_name = _("pending registration")
        verbose_name_plural = _("pending registrations")

    def __str__(self) -> str:
        return self.identifier


class PendingIdentifierChange(_CodeRequest):
    """A citizen's change of the account's sign-in e-mail or phone, waiting for the code sent to the NEW address
    (Law 91/2025/QH15 Art. 4: the right to correct one's data; issue 21). Nothing on the account changes until
    the code is entered. The code is hashed, tried at most ``MAX_ATTEMPTS`` times and expires, as a
    registration's (``PendingRegistration``). ``password_hash`` is a fresh hash (new salt) of the password the
    citizen gave: it replaces the account's when the change is confirmed, so that every other session of the
    account stops (Django checks each session against a digest of the password field) while the password stays
    the same. ``session_hash`` is that digest when the change was asked: a password changed meanwhile voids the
    change, so that an old password never comes back."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identifier_changes")
    identifier = models.CharField(_("new email or phone"), max_length=254, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    password_hash = models.CharField(max_length=256)
    session_hash = models.CharField(max_length=128)

    class Meta:
        verbose_name = _("pending change of sign-in email or phone")
        verbose_name_plural = _("pending changes of sign-in email or phone")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.identifier}"


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


class Consent(models.Model):
    """A consent a citizen gave to the processing of their personal data for one purpose (Law 91/2025/QH15 on
    Personal Data Protection, Art. 4: the right to consent or not and to withdraw consent): which version of
    the text they read and when. The dossiers themselves are processed under the law on administrative
    procedures, not under this consent (docs/security.md, "Personal data rights")."""

    class Purpose(models.TextChoices):
        ACCOUNT = "account", _("Citizen account and notices about my dossiers")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.ACCOUNT)
    version = models.CharField(_("text version"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["given_at", "id"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.purpose} v{self.version}"


class CorrectionRequest(models.Model):
    """A citizen's request about their personal data held in a dossier (Law 91/2025/QH15 Art. 4): to correct
    it (``kind`` correction: the item, the value held, the correct value), or to delete it, restrict its
    processing or object to it (the request in ``reason``). A dossier's applicant details are the agency's
    record of what was filed: the agency checks the request and answers it in its queue, so the citizen asks
    rather than edits. The account's own details the citizen corrects directly."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        DELETION = "deletion", _("Deletion")
        RESTRICTION = "restriction", _("Restriction of processing")
        OBJECTION = "objection", _("Objection to processing")

    class State(models.TextChoices):
        OPEN = "open", _("Sent, awaiting the agency")
        DONE = "done", _("Corrected")  # for the other kinds: "Done" (``state_label``)
        REFUSED = "refused", _("Not corrected")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="correction_requests")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE,
                                related_name="correction_requests")
    kind = models.CharField(pgettext_lazy("data request", "request"), max_length=20, choices=Kind.choices,
                            default=Kind.CORRECTION)
    field = models.CharField(_("item"), max_length=30, choices=ApplicantField.choices, blank=True)
    current_value = models.CharField(_("value held"), max_length=500, blank=True)
    requested_value = models.CharField(_("correct value"), max_length=500, blank=True)
    reason = models.TextField(_("reason"), max_length=2000)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    answer = models.TextField(_("answer of the agency"), blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    # The answer is due ``MOTCUA_CORRECTION_ANSWER_WORKING_DAYS`` working days after the request (the working
    # calendar of the dossier's agency): an operating choice, not a time limit of the law (Decree 356/2025's
    # time limits are to be checked; docs/security.md).
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handled by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("personal data correction request")
        verbose_name_plural = _("personal data correction requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.field or self.kind}"

    @property
    def label(self) -> str:
        """What is asked, as the queue and the notices name it ("Correction: Address", "Deletion")."""
        if self.kind == self.Kind.CORRECTION:
            return _("Correction: %(item)s") % {"item": self.get_field_display()}
        return str(self.get_kind_display())

    @property
    def state_label(self) -> str:
        if self.state == self.State.DONE and self.kind != self.Kind.CORRECTION:
            return str(pgettext_lazy("data request", "Done"))
        return str(self.get_state_display())
