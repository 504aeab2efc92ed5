"""The procedure catalogue: a stable procedure identity and its dated versions.

Law is versioned (DESIGN.md): what a legal instrument fixes — time limits, documents, fees, internal
steps — lives on a ``ProcedureVersion`` with ``valid_from``/``valid_to``. Versions of one procedure
never overlap (checked in ``services``), so ``Procedure.version_on(day)`` names exactly one version,
and a dossier snapshots the version it was received under (``selectors.snapshot``).

Writes go through ``services``; these classes only hold data and small invariants.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts.choices import Role
from motcua.core.models import TimeStampedModel

from .choices import (
    ClockStart,
    CopyKind,
    DeadlinePolicy,
    FeeKind,
    FeeStatus,
    InteragencyMode,
    Level,
    OnlineMode,
    Payer,
    ResultType,
    SupplementRule,
    TimeUnit,
    VersionStatus,
)

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Field(TimeStampedModel):
    """A field of administrative activity (*lĩnh vực*), e.g. "Hoạt động xây dựng".

    The national field code (``MaLinhVuc`` on DVCQG) is optional: where it was not captured it stays
    empty and the pages say so, rather than carrying a made-up code.
    """

    name = models.CharField(_("name"), max_length=255, unique=True)
    code = models.CharField(_("national field code"), max_length=40, blank=True)
    name_folded = models.CharField(max_length=255, editable=False, default="")

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="catalogue_field_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Procedure(TimeStampedModel):
    """An administrative procedure (*thủ tục hành chính*) as identified in the national database.

    ``name_folded`` and ``search_body`` are the folded search columns (``fold_vi``), kept by
    ``services.refresh_search``; the full-text index (FTS5 or PostgreSQL) is built on them.
    """

    code = models.CharField(_("national code"), max_length=40, unique=True,
                            help_text=_("The code in the national procedure database, e.g. 1.013236."))
    name = models.CharField(_("name"), max_length=500)
    field = models.ForeignKey(Field, verbose_name=_("field"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="procedures")
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.PROVINCE)
    agency = models.ForeignKey(
        "accounts.OrgUnit", verbose_name=_("implementing agency"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="procedures",
    )
    receiving_units = models.ManyToManyField(
        "accounts.OrgUnit", verbose_name=_("receiving units"), blank=True, related_name="received_procedures",
    )
    # Decree 118/2025 Art. 14(4) as added by Decree 309/2026 Art. 7: a procedure on the list the competent
    # authority publishes is received at any centre, whatever the administrative boundary; the time limit then
    # counts from the moment the competent agency receives the dossier (Art. 17(3) as amended).
    receipt_anywhere = models.BooleanField(
        _("received at any centre"), default=False,
        help_text=_("On the published list of procedures received regardless of administrative boundary."))
    receipt_anywhere_basis = models.CharField(_("list that names it"), max_length=255, blank=True,
                                              help_text=_("The decision that publishes the list, e.g. "
                                                          "Quyết định số …/QĐ-UBND."))
    for_individuals = models.BooleanField(_("individuals may apply"), default=False)
    for_organisations = models.BooleanField(_("organisations may apply"), default=False)
    online_mode = models.CharField(_("online mode"), max_length=20, choices=OnlineMode.choices,
                                   default=OnlineMode.PARTIAL)
    # Decree 224/2026 Art. 14: a procedure that is not fully online must publish why on DVCQG.
    partial_online_reason = models.TextField(_("reason it is not fully online"), blank=True)
    result_type = models.CharField(_("result type"), max_length=20, choices=ResultType.choices, blank=True)
    result_name = models.CharField(_("result"), max_length=500, blank=True,
                                   help_text=_("What the applicant receives, e.g. Giấy phép xây dựng."))
    result_is_paper = models.BooleanField(_("result is a paper document"), null=True, blank=True)
    # The kind of paper the result is ("giay-phep-xay-dung"): a later procedure that asks for a document of the
    # same kind is offered the citizen's earlier result instead (Decree 118/2025 Art. 4(2a)).
    result_kind = models.CharField(_("kind of paper of the result"), max_length=60, blank=True,
                                   help_text=_("A short code shared with the documents other procedures ask for, "
                                               "e.g. giay-phep-xay-dung."))
    notes = models.TextField(_("notes"), blank=True)
    # How long the agency keeps a closed dossier of this procedure, in years counted from the end of the year the
    # dossier was closed (the archive rules count from the year the work ended; Circular 10/2022/TT-BNV as
    # secondary sources summarise it). The agency's own list of retention periods (bảng thời hạn bảo quản, Law on
    # Archives 33/2024/QH15) gives it; empty: kept permanently or not yet set, and no dossier of the procedure is
    # ever proposed for destruction. No default: the law leaves the period to the agency's list (docs/security.md,
    # *Retention of the agencies' records*).
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("From the agency's list of retention periods, counted from the end of the year the dossier "
                    "was closed. Empty: kept permanently (or not yet set)."))
    name_folded = models.CharField(max_length=500, editable=False, default="", db_index=True)
    search_body = models.TextField(editable=False, default="")

    if TYPE_CHECKING:
        versions: RelatedManager[ProcedureVersion]

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(retention_years__isnull=True)
                                   | Q(retention_years__gte=1, retention_years__lte=100),
                                   name="procedure_retention_years_range"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def applicant_types(self) -> list[str]:
        kinds = []
        if self.for_individuals:
            kinds.append("individual")
        if self.for_organisations:
            kinds.append("organisation")
        return kinds


class ProcedureVersion(TimeStampedModel):
    """What a procedure requires between ``valid_from`` and ``valid_to`` (inclusive; None = open).

    A published version is what the public sees and what a dossier is received under; it is frozen
    (``services`` refuse to change it) except that a later version may end it.
    """

    procedure = models.ForeignKey(Procedure, verbose_name=_("procedure"), on_delete=models.CASCADE,
                                  related_name="versions")
    label = models.CharField(_("label"), max_length=255, blank=True,
                             help_text=_("A short name for the regime, e.g. Luật Xây dựng 2025."))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=VersionStatus.choices,
                              default=VersionStatus.DRAFT, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False)
    created_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", editable=False)
    # Decree 63/2010 Art. 8(2)(b), (c): the order and the manner of implementation.
    sequence = models.TextField(_("order of implementation"), blank=True)
    manner = models.TextField(_("manner of implementation"), blank=True)
    # Art. 8(2)(d): the dossier — its documents (RequiredDocument) and the number of sets.
    dossier_sets = models.PositiveSmallIntegerField(_("number of sets"), null=True, blank=True)
    # Art. 8(2)(đ): the time limit, in the units of the legal clock. A limit that depends on the case
    # (project group, detached house or not) is given as TimeVariant rows instead of one amount.
    legal_time_amount = models.DecimalField(_("legal time"), max_digits=6, decimal_places=2, null=True,
                                            blank=True)
    legal_time_unit = models.CharField(_("legal time unit"), max_length=20, choices=TimeUnit.choices,
                                       blank=True)
    legal_time_note = models.TextField(_("time limit notes"), blank=True)
    # The internal target: shorter than the legal time; finishing within it is a measure of its own ("within the
    # internal target"), not what counts as early (``dossiers.timeliness.judge``).
    target_time_amount = models.DecimalField(_("internal target"), max_digits=6, decimal_places=2, null=True,
                                             blank=True)
    target_time_unit = models.CharField(_("internal target unit"), max_length=20, choices=TimeUnit.choices,
                                        blank=True)
    deadline_policy = models.CharField(_("deadline policy"), max_length=20, choices=DeadlinePolicy.choices,
                                       default=DeadlinePolicy.WORKING_HOURS)
    # The event the time limit counts from: the receipt of the complete dossier, or a later event that sector
    # law names (the notice of the evaluation result for a practising certificate, Decree 212/2026 Arts.
    # 30-31), which an officer records on the dossier; until then the dossier has no promised date.
    clock_start = models.CharField(_("the time limit counts from"), max_length=20, choices=ClockStart.choices,
                                   default=ClockStart.RECEIPT)
    # One-stop inter-agency (*một cửa liên thông*): the agencies that take part are ``participants``, the way
    # the dossier travels between them is this mode. Empty: one agency.
    interagency_mode = models.CharField(_("inter-agency processing"), max_length=12, choices=InteragencyMode.choices,
                                        blank=True, help_text=_("Empty when one agency handles the procedure."))
    # Where sector law departs from the general rule set (``dossiers.RuleSet``) for a supplement during
    # processing: the window after receipt (Decree 61/2018 Art. 19(4): 3 WD "unless sectoral law says
    # otherwise") and whether the clock restarts or pauses. Empty = the rule set in force at receipt.
    supplement_rule = models.CharField(_("clock after a supplement"), max_length=10, choices=SupplementRule.choices,
                                       blank=True, help_text=_("Empty: the general rule set in force at receipt."))
    supplement_working_days = models.PositiveSmallIntegerField(
        _("supplement window (working days)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("Empty: the general rule set in force at receipt."))
    # Art. 8(3): requirements and conditions, forms and fees are parts of the procedure where it has them.
    requirements = models.TextField(_("requirements and conditions"), blank=True)
    fee_status = models.CharField(_("fees"), max_length=20, choices=FeeStatus.choices, blank=True,
                                  default=FeeStatus.UNKNOWN)
    source = models.TextField(_("source of this information"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Decree 118/2025 Art. 15: the application as an interactive e-form, declared as data (``eform``): the
    # fields the applicant fills in instead of one free-text request. [] = no form.
    eform = models.JSONField(
        _("application e-form"), default=list, blank=True,
        help_text=_("A JSON list of fields, each {\"key\", \"type\" (text, integer, decimal, choice, date), "
                    "\"label\": {\"vi\", \"en\"}, \"required\", \"min\", \"max\", \"max_length\", \"choices\", "
                    "\"unit\", \"help\", \"search\"}; [] for none (the free-text request). See docs/catalogue.md."))

    if TYPE_CHECKING:
        documents: RelatedManager[RequiredDocument]
        fees: RelatedManager[Fee]
        steps: RelatedManager[Step]
        legal_bases: RelatedManager[LegalBasis]
        time_variants: RelatedManager[TimeVariant]
        participants: RelatedManager[Participant]

    class Meta:
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")
        ordering = ["procedure__code", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "valid_from"], name="catalogue_version_unique_start"),
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="catalogue_version_valid_range"),
            models.CheckConstraint(condition=Q(supplement_working_days__isnull=True)
                                   | Q(supplement_working_days__gte=1, supplement_working_days__lte=30),
                                   name="catalogue_version_supplement_days_range"),
            models.CheckConstraint(condition=Q(clock_start__in=ClockStart.values),
                                   name="catalogue_version_clock_start_valid"),
        ]
        indexes = [models.Index(fields=["procedure", "status", "valid_from"], name="catalogue_version_asof")]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.procedure.code} [{self.valid_from.isoformat()} – {end}]"

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class _VersionPart(models.Model):
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        abstract = True
        ordering = ["order", "id"]


class TimeVariant(_VersionPart):
    """One case of a time limit that depends on the case (e.g. Decree 217/2026 Arts. 36–37, by group)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="time_variants")
    label = models.CharField(_("case"), max_length=255)
    amount = models.DecimalField(_("amount"), max_digits=6, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, choices=TimeUnit.choices)

    class Meta(_VersionPart.Meta):
        verbose_name = _("time limit by case")
        verbose_name_plural = _("time limits by case")

    def __str__(self) -> str:
        return self.label


class LegalBasis(_VersionPart):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="legal_bases")
    instrument = models.CharField(_("instrument"), max_length=255,
                                  help_text=_("e.g. Nghị định 217/2026/NĐ-CP"))
    articles = models.CharField(_("articles"), max_length=255, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta(_VersionPart.Meta):
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal basis")

    def __str__(self) -> str:
        return f"{self.instrument} {self.articles}".strip()


class RequiredDocument(_VersionPart):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents")
    name = models.TextField(_("document"))
    copies = models.PositiveSmallIntegerField(_("copies"), null=True, blank=True)
    copy_kind = models.CharField(_("original or copy"), max_length=40, choices=CopyKind.choices, blank=True)
    condition = models.TextField(_("when it is required"), blank=True,
                                 help_text=_("Empty when it is always required."))
    template_name = models.CharField(_("form"), max_length=255, blank=True,
                                     help_text=_("The form to fill in, e.g. Mẫu số 01 Phụ lục II."))
    template_file = models.FileField(_("form file"), upload_to="catalogue/forms/", blank=True)
    # Decree 217/2026 Art. 7(3): documents whose data already exists in a national or sectoral
    # database must not be requested; the citizen's data store on DVCQG can supply them instead.
    from_data_store = models.BooleanField(_("may come from the citizen's data store"), default=False)
    # The kind of paper ("giay-phep-xay-dung"): the citizen's earlier result of that kind is offered instead.
    kind = models.CharField(_("kind of paper"), max_length=60, blank=True,
                            help_text=_("The code of a procedure's result kind, when an earlier result can stand in."))
    note = models.TextField(_("note"), blank=True)

    class Meta(_VersionPart.Meta):
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")

    def __str__(self) -> str:
        return self.name


class Fee(_VersionPart):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    name = models.CharField(_("name"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=FeeKind.choices, default=FeeKind.FEE)
    amount_vnd = models.BigIntegerField(_("amount (VND)"), null=True, blank=True)
    amount_rule = models.TextField(_("how the amount is set"), blank=True,
                                   help_text=_("For a rate or a formula instead of a fixed amount."))
    payer = models.CharField(_("who pays"), max_length=20, choices=Payer.choices, default=Payer.ALL)
    online_discount_percent = models.DecimalField(_("online discount (%)"), max_digits=5, decimal_places=2,
                                                  null=True, blank=True)
    discount_valid_from = models.DateField(_("discount valid from"), null=True, blank=True)
    discount_valid_to = models.DateField(_("discount valid to"), null=True, blank=True)
    basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta(_VersionPart.Meta):
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__isnull=True) | Q(amount_vnd__gte=0),
                                   name="catalogue_fee_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    def discount_applies_on(self, day: dt.date) -> bool:
        if not self.online_discount_percent:
            return False
        return (self.discount_valid_from is None or self.discount_valid_from <= day) and (
            self.discount_valid_to is None or day <= self.discount_valid_to
        )


class Step(_VersionPart):
    """A step of the internal process (*quy trình nội bộ*). Steps with the same order run in parallel."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("name"), max_length=500)
    unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="catalogue_steps")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=6, decimal_places=2, null=True, blank=True)
    budget_unit = models.CharField(_("budget unit"), max_length=20, choices=TimeUnit.choices, blank=True)
    produces = models.JSONField(_("forms produced"), default=list, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta(_VersionPart.Meta):
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class Participant(_VersionPart):
    """An agency taking part in an inter-agency procedure (*một cửa liên thông*): its part of the work and its
    share of the legal time. One participant is the lead agency, which assembles the result (the procedure's
    implementing agency); on paper (``InteragencyMode.SEQUENTIAL``) the others work in ``order`` and the lead
    comes last, electronically all start at once (dossier-lifecycle.md §5)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="catalogue_participations")
    lead = models.BooleanField(_("lead agency"), default=False)
    part = models.CharField(_("its part of the work"), max_length=500)
    share_amount = models.DecimalField(_("its share of the time"), max_digits=6, decimal_places=2, null=True,
                                       blank=True)
    share_unit = models.CharField(_("unit of the share"), max_length=20, choices=TimeUnit.choices, blank=True)

    class Meta(_VersionPart.Meta):
        verbose_name = _("participating agency")
        verbose_name_plural = _("participating agencies")
        constraints = [
            models.UniqueConstraint(fields=["version", "agency"], name="catalogue_participant_unique"),
            models.CheckConstraint(condition=Q(share_amount__isnull=True) | Q(share_amount__gt=0),
                                   name="catalogue_participant_share_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.part}"


class CatalogueRevision(models.Model):
    """One row whose token changes with every change of the catalogue (or of the units it names), so
    that every process knows when what it cached for receipts (a version and its snapshot) is stale."""

    # A fresh random token on every change (not a counter: a rolled-back transaction would reuse it).
    token = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("catalogue revision")

    def __str__(self) -> str:
        return self.token
