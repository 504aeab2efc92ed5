"""Satisfaction surveys (SIPAS, ``indices.md`` §3): questionnaires as versioned data, the raw answers, the
running tallies the indices are read from, the one-time invitations, campaigns with their strata, and paper
questionnaires entered twice.

Anonymity is a property of the tables, not of the reports: a ``Response`` names the agency, the desk, the
procedure, the officer the questions are about, the channel and the month — never the person, the dossier or
an instant — and its key is random. The only bridge to a dossier is ``dedupe``, a keyed hash (HMAC with the
server's secret) that enforces "one answer per dossier and channel" and is never shown or exported.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import CampaignStatus, Channel, SheetStatus


class Questionnaire(models.Model):
    """One version of a questionnaire. Frozen once an answer names it (``services.check_editable`` and the
    admin refuse a change then; ``services.new_version`` copies it into the next version)."""

    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # The scale runs 1..scale_max; its labels, lowest first, as {"vi": ..., "en": ...}.
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    scale_labels = models.JSONField(_("scale labels"), default=list)
    # The criterion index is the share of answers at or above this score (SIPAS: 4 Hài lòng, 5 Rất hài lòng).
    satisfied_from = models.PositiveSmallIntegerField(_("satisfied from score"), default=4)
    asks_comment = models.BooleanField(_("asks for a comment"), default=True)
    # The short form a citizen answers about one dossier (link, QR, kiosk); the full form is for campaigns.
    per_dossier = models.BooleanField(_("per-dossier form"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionnaire_version_unique"),
            models.CheckConstraint(condition=Q(scale_max__gte=2, scale_max__lte=10), name="questionnaire_scale"),
            models.CheckConstraint(condition=Q(satisfied_from__gte=1), name="questionnaire_satisfied_from"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def frozen(self) -> bool:
        return self.responses.exists()

    def label(self, value: int, lang: str = "vi") -> str:
        labels = self.scale_labels or []
        if 1 <= value <= len(labels):
            entry = labels[value - 1] or {}
            return str(entry.get(lang) or entry.get("vi") or value)
        return str(value)


class Factor(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="factors")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("factor")
        verbose_name_plural = _("factors")
        ordering = ["questionnaire", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="factor_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"


class Criterion(models.Model):
    factor = models.ForeignKey(Factor, on_delete=models.CASCADE, related_name="criteria")
    # Denormalised from the factor, so that answers and tallies are read without a join.
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="criteria",
                                      editable=False)
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("statement"), max_length=500)
    text_en = models.CharField(_("statement (English)"), max_length=500, blank=True)
    # About the officer who dealt with the citizen (SIPAS factor 3): counted per officer as well (Decree
    # 118/2025 Art. 11(8) as amended).
    about_officer = models.BooleanField(_("about the officer"), default=False)
    allows_na = models.BooleanField(_("allows “not applicable”"), default=True)
    # The overall-satisfaction question, if the form has one: a response is a "dislike" (766 ind. 5.4) when
    # it scores below the middle of the scale here.
    overall = models.BooleanField(_("overall question"), default=False)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["questionnaire", "factor__position", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["questionnaire", "code"], name="criterion_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.questionnaire_id = self.factor.questionnaire_id
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Counter(models.Model):
    """A desk's counter (*quầy*), chosen when a kiosk is set up so that its answers name the desk."""

    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.CASCADE,
                             related_name="survey_counters")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("desk counter")
        verbose_name_plural = _("desk counters")
        ordering = ["unit", "code"]
        constraints = [models.UniqueConstraint(fields=["unit", "code"], name="counter_code_unique")]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """A survey of a period (yearly or quarterly): a sampling frame of the dossiers finished in the period,
    stratified by procedure and receipt channel, a sample sized for a margin of error at 95% confidence."""

    questionnaire = models.ForeignKey(Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT,
                                      related_name="campaigns")
    name = models.CharField(_("name"), max_length=255)
    # The agency whose dossiers are sampled; empty: every agency.
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    period_from = models.DateField(_("dossiers finished from"))
    period_to = models.DateField(_("dossiers finished to"))
    margin = models.DecimalField(_("margin of error"), max_digits=4, decimal_places=3, default=0.05)
    expected_share = models.DecimalField(_("expected share"), max_digits=4, decimal_places=3, default=0.5)
    expected_response_rate = models.DecimalField(_("expected response rate"), max_digits=4, decimal_places=3,
                                                 default=1)
    seed = models.BigIntegerField(_("random seed"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    sample_size = models.PositiveIntegerField(_("sample size"), default=0)
    population = models.PositiveIntegerField(_("population"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("invitations sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-period_to", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_from__lte=models.F("period_to")), name="campaign_period"),
            models.CheckConstraint(condition=Q(margin__gt=0, margin__lt=1), name="campaign_margin"),
        ]

    def __str__(self) -> str:
        return self.name


class Stratum(models.Model):
    """One cell of a campaign's frame: a procedure and a receipt channel, its population and its sample."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="strata")
    key = models.CharField(max_length=100)
    procedure_code = models.CharField(_("procedure"), max_length=60)
    dossier_channel = models.CharField(_("receipt channel"), max_length=10)
    population = models.PositiveIntegerField(_("population"))
    sample = models.PositiveIntegerField(_("sample"))

    class Meta:
        verbose_name = _("stratum")
        verbose_name_plural = _("strata")
        ordering = ["campaign", "key"]
        constraints = [models.UniqueConstraint(fields=["campaign", "key"], name="stratum_key_unique")]

    def __str__(self) -> str:
        return self.key


class Invitation(models.Model):
    """A one-time link to answer about one dossier: the result notice's link (no campaign) or a campaign's
    invitation. Only the SHA-256 digest of the token is kept. ``used`` has no time stamp on purpose, so that
    it cannot be matched to a response by when it was written."""

    dossier = models.ForeignKey("dossiers.Dossier", on_delete=models.CASCADE, related_name="survey_invitations")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="invitations")
    stratum = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used = models.BooleanField(default=False)
    reminded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["dossier"], condition=Q(campaign__isnull=True),
                                    name="invitation_one_link_per_dossier"),
            models.UniqueConstraint(fields=["dossier", "campaign"], condition=Q(campaign__isnull=False),
                                    name="invitation_one_per_campaign"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}: {'used' if self.used else 'open'}"


class Response(models.Model):
    """One answered questionnaire. No person, no dossier, no instant (see the module's docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="responses")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                             related_name="+")
    desk = models.CharField(_("desk counter"), max_length=20, blank=True)
    procedure_code = models.CharField(_("procedure"), max_length=60, blank=True)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="responses")
    stratum = models.CharField(max_length=100, blank=True)
    # Masked of personal data when stored (``core.redaction``).
    comment = models.TextField(_("comment"), blank=True)
    disliked = models.BooleanField(_("dissatisfied"), default=False)
    # HMAC(secret, dossier, channel): one answer per dossier and channel. Never shown, never exported.
    dedupe = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        indexes = [models.Index(fields=["unit", "month"], name="response_unit_month"),
                   models.Index(fields=["questionnaire", "month"], name="response_q_month")]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.month:%m/%Y}"


class Answer(models.Model):
    """One raw answer: the score given to one criterion, or none ("not applicable")."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "criterion"], name="answer_once_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.value if self.value is not None else 'n/a'}"


class Tally(models.Model):
    """Running counts of the answers by questionnaire, criterion, agency, month, channel and campaign stratum,
    updated in the transaction that stores the answers, so that the indices of a province-year are read from a
    few thousand rows instead of millions (``motcua surveys retally`` rebuilds them from the raw answers).
    The row with no criterion counts responses (``answered``) and dislikes."""

    key = models.CharField(max_length=200, unique=True)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    criterion = models.ForeignKey(Criterion, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    channel = models.CharField(max_length=10)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    stratum = models.CharField(max_length=100, blank=True)
    answered = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    na = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveBigIntegerField(default=0)
    disliked = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        indexes = [models.Index(fields=["questionnaire", "month"], name="tally_q_month")]

    def __str__(self) -> str:
        return self.key


class PaperSheet(models.Model):
    """A paper questionnaire being entered. Each entry is kept with who made it; the sheet counts (a
    ``Response`` is created, channel "paper") when a second person's entry matches an earlier one exactly."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                             related_name="+")
    # The serial printed on the sheet, so that both entries name the same paper.
    number = models.CharField(_("sheet number"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=SheetStatus.choices, default=SheetStatus.PENDING)
    # [{"by": user id, "at": ISO instant, "data": {...}}], in the order entered.
    entries = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paper questionnaire")
        verbose_name_plural = _("paper questionnaires")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["unit", "questionnaire", "number"],
                                               name="papersheet_number_unique")]

    def __str__(self) -> str:
        return self.number
