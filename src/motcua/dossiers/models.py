"""Dossiers, their documents and files, the append-only event log, the daily code counters and the register's
yearly counters.

Writes go through ``services``; these classes hold data and small invariants only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.accounts.choices import IdentityLevel
from motcua.catalogue.choices import SupplementRule
from motcua.core.models import TimeStampedModel

from .choices import ApplicantKind, Channel, DestructionStatus, EventKind, OnlineClockFrom, RefusalStatus, Status

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Dossier(models.Model):
    """A dossier (*hồ sơ*). ``code`` is the national dossier code, given at receipt (Circular 01/2018
    Art. 19; Decree 118/2025 Art. 17(3) as amended by Decree 309/2026), stored as a string of no assumed
    length; before receipt (an online submission, a refusal at the desk) only ``reference`` names it."""

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    code = models.CharField(_("dossier code"), max_length=100, unique=True, null=True, blank=True)
    # The dossier's number in the register of its receiving agency (form 06/07, *Sổ theo dõi hồ sơ*), given at
    # receipt: continuous from 1 through the calendar year (Circular 01/2018 Arts. 9-10; Decree 30/2020 Art. 15(1)),
    # not the dossier code's daily sequence (``RegisterCounter``).
    register_number = models.PositiveIntegerField(_("register number"), null=True, blank=True, editable=False)
    procedure = models.ForeignKey("catalogue.Procedure", verbose_name=_("procedure"), on_delete=models.PROTECT,
                                  related_name="dossiers")
    procedure_version = models.ForeignKey("catalogue.ProcedureVersion", verbose_name=_("procedure version"),
                                          on_delete=models.PROTECT, related_name="dossiers")
    # The version and the rule set in force at receipt, kept for good (law is versioned).
    snapshot = models.JSONField(_("procedure snapshot"), default=dict)
    rules = models.JSONField(_("rule set"), default=dict)
    receiving_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("receiving unit"),
                                       on_delete=models.PROTECT, related_name="received_dossiers")
    processing_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("processing agency"),
                                        on_delete=models.PROTECT, related_name="processed_dossiers")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices, db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("citizen account"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="own_dossiers")
    # Applicant (individual or organisation)
    applicant_kind = models.CharField(_("applicant kind"), max_length=20, choices=ApplicantKind.choices)
    applicant_name = models.CharField(_("applicant"), max_length=255)
    applicant_id_number = models.CharField(_("personal ID number"), max_length=12, blank=True)
    applicant_tax_code = models.CharField(_("tax code"), max_length=14, blank=True)
    applicant_address = models.CharField(_("address"), max_length=500, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("email"), blank=True)
    # An authorised representative filing on the applicant's behalf (form 01 "trường hợp ủy quyền").
    representative = models.JSONField(_("authorised representative"), default=dict, blank=True)
    subject = models.CharField(_("request"), max_length=1000, blank=True)
    # The application's e-form as filled in (Decree 118/2025 Art. 15), checked at submission against the form
    # its procedure version declares (``catalogue.eform``); {} for a version without one (and older dossiers).
    form_data = models.JSONField(_("application form"), default=dict, blank=True)
    # The e-form's searchable fields as ``|key=value|`` (folded, ``catalogue.eform.index_text``), so that staff
    # find a dossier by its plot or map sheet with an exact match.
    form_search = models.CharField(max_length=1000, editable=False, default="", blank=True)
    sets = models.PositiveSmallIntegerField(_("number of sets"), default=1)
    fees_due_vnd = models.BigIntegerField(_("fees due (VND)"), default=0)
    fees_paid_vnd = models.BigIntegerField(_("fees paid (VND)"), default=0)
    # Timestamps (DVCQG NgayNopHoSo, NgayTiepNhan, NgayHenTra, NgayKetThucXuLy, NgayTra, NgayTuChoi)
    submitted_at = models.DateTimeField(_("submitted at"))
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    clock_start_at = models.DateTimeField(_("processing time counts from"), null=True, blank=True)
    due_at = models.DateTimeField(_("promised return"), null=True, blank=True, db_index=True)
    transfer_due_at = models.DateTimeField(_("to reach the processing unit by"), null=True, blank=True)
    transferred_at = models.DateTimeField(_("transferred at"), null=True, blank=True)
    processing_ended_at = models.DateTimeField(_("end of processing"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    clock = models.JSONField(_("legal clock"), default=dict, blank=True)
    intake_supplements = models.PositiveSmallIntegerField(default=0)
    processing_supplements = models.PositiveSmallIntegerField(default=0)
    # Internal processing (issue 6). ``original_due_at`` keeps the promised date of the receipt when an
    # apology moved ``due_at`` (Decree 61/2018 Art. 19(9)); the current step, its unit and officer are
    # denormalised here so that the queues and the search need no join per row.
    original_due_at = models.DateTimeField(_("original promised return"), null=True, blank=True)
    current_step = models.ForeignKey("dossiers.ProcessingStep", verbose_name=_("current step"), null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    current_unit = models.ForeignKey("accounts.OrgUnit", verbose_name=_("at unit"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned to"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="assigned_dossiers")
    # From this instant the working time left is less than the remaining steps' planned time.
    risk_at = models.DateTimeField(_("at risk from"), null=True, blank=True)
    late_flagged_at = models.DateTimeField(_("flagged late at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("apology reminder sent at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated to the leader at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    result_method = models.CharField(_("result returned"), max_length=10, blank=True)
    # Where the result is posted when the applicant asks for it by public postal service (Decree 61/2018
    # Art. 20; ``result_method`` "post"), empty otherwise. Personal data: never on public tracking.
    result_address = models.CharField(_("postal address for the result"), max_length=500, blank=True)
    # Who collected a paper result at the desk, as entered in the register (form 06/07 "Ký nhận"), or the
    # postal tracking number of a result sent by post (Decree 61/2018 Arts. 20-21). Personal data: masked
    # like the applicant's for a reader who may not see it.
    collector_name = models.CharField(_("collected by"), max_length=255, blank=True)
    collector_id_number = models.CharField(_("collector's ID number"), max_length=20, blank=True)
    collector_signed = models.BooleanField(_("signed the register"), null=True, blank=True)
    postal_tracking = models.CharField(_("postal tracking number"), max_length=40, blank=True)
    paid_online = models.BooleanField(_("paid online"), null=True, blank=True)
    # The applicant's account's electronic identification when the dossier was filed online (DVCQG
    # ``TaiKhoanDuocXacThucVoiVNeID``; 766 indicators 4.5a/4.5b): kept as it was then, whatever the account
    # becomes later.
    identity_level = models.CharField(_("electronic identification"), max_length=10, blank=True, default="",
                                      choices=IdentityLevel.choices)
    digitised_result = models.BooleanField(_("electronic result"), null=True, blank=True)
    # Head of the event chain, so that a deleted last event is detected too.
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)
    search_folded = models.CharField(max_length=600, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When the applicant's personal data and the files were removed, the retention period of the procedure having
    # passed and the head of the agency having approved the destruction list (``services.anonymise_dossier``).
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True, editable=False)

    if TYPE_CHECKING:
        documents: RelatedManager[DossierDocument]
        attachments: RelatedManager[Attachment]
        events: RelatedManager[DossierEvent]
        steps: RelatedManager[ProcessingStep]
        consultations: RelatedManager[Consultation]
        results: RelatedManager[Result]
        payments: RelatedManager[Payment]

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["receiving_unit", "status"], name="dossier_unit_status"),
            models.Index(fields=["received_at"], name="dossier_received_at"),
            models.Index(fields=["applicant_id_number"], name="dossier_applicant_id"),
            models.Index(fields=["processing_unit", "status", "due_at"], name="dossier_proc_status_due"),
            # The staff's listing of open dossiers, soonest due first, and its counts (``pages.queue_page``): the
            # open dossiers only, in due order, so that neither grows with the closed history (docs/operations.md,
            # Growth). The statuses are ``pages.OPEN`` (a test keeps them equal: the planner uses the index only
            # when the query's condition is the index's).
            models.Index(fields=["due_at"], name="dossier_open_due",
                         condition=Q(status__in=[Status.NEW, Status.RECEIVED, Status.IN_PROGRESS,
                                                 Status.SUPPLEMENT_REQUESTED, Status.PAYMENT_REQUESTED,
                                                 Status.WITHDRAWAL_REQUESTED, Status.DONE])),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__gte=1) & Q(status__lte=10), name="dossier_status_range"),
            models.CheckConstraint(condition=Q(fees_paid_vnd__gte=0) & Q(fees_due_vnd__gte=0),
                                   name="dossier_fees_positive"),
        ]

    def __str__(self) -> str:
        return self.code or self.reference

    @property
    def public_id(self) -> str:
        return self.code or self.reference


class DossierDocument(models.Model):
    """One required document of the procedure version (or an extra one), with what was submitted."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.TextField(_("document"))
    required = models.BooleanField(_("required"), default=True)
    copies = models.PositiveSmallIntegerField(_("copies"), null=True, blank=True)
    copy_kind = models.CharField(_("original or copy"), max_length=40, blank=True)
    template_name = models.CharField(_("form"), max_length=255, blank=True)
    provided = models.BooleanField(_("provided"), default=False)
    scanned_at_desk = models.BooleanField(_("scanned at the desk"), default=False)
    reused_digitised = models.BooleanField(_("reused from digitised data"), default=False)
    # The citizen's earlier paper that stands in for this one (``wallet``), and its number as the national sync
    # carries it (``MaKetQuaThayThe``).
    reused_from = models.ForeignKey("dossiers.HeldDocument", verbose_name=_("taken from the holder's documents"),
                                    null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_code = models.CharField(_("number of the paper reused"), max_length=100, blank=True)
    # The desk's check of the scan against the paper original (Circular 03/2025 Art. 5: every original
    # scanned, checked, then marked digitised): who checked it and when.
    scan_checked_at = models.DateTimeField(_("scan checked at"), null=True, blank=True)
    scan_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scan checked by"), null=True,
                                        blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("dossier document")
        verbose_name_plural = _("dossier documents")
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["dossier", "order"], name="dossierdocument_unique_order")]

    def __str__(self) -> str:
        return self.name


class Attachment(models.Model):
    """A stored file. Written and fsync'd before the row naming it commits (``files.store``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="attachments")
    document = models.ForeignKey(DossierDocument, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="attachments")
    file = models.FileField(_("file"), max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class DossierEvent(models.Model):
    """An append-only event. One hash chain per dossier: ``prev_hash`` is the ``hash`` of the dossier's
    previous event (empty for the first), ``hash`` the HMAC-SHA-256 under the audit key named by ``key_id`` of
    this row's canonical content and ``prev_hash`` (the plain SHA-256 for the events written before keys, whose
    ``key_id`` is null; ``events``). Rows are never updated nor deleted: services only insert; the database
    refuses UPDATE and DELETE by trigger (migrations 0002, 0024 and 0026)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    status_before = models.PositiveSmallIntegerField(null=True, blank=True)
    status_after = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    # The audit key's id (``events.key_id``); null on the events chained with plain SHA-256 before keys. Null rather
    # than a default so that the column is added without rewriting the table (nor, on SQLite, its triggers).
    key_id = models.CharField(max_length=16, null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["dossier_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="dossierevent_unique_seq")]
        # The events chained before keys, a fixed set: each audit checkpoint records the highest id among them
        # cheaply, and an unkeyed event that appears later is reported (``audit``).
        indexes = [models.Index(fields=["id"], condition=Q(key_id__isnull=True), name="dossierevent_unkeyed")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.kind}"


class PendingDispatch(models.Model):
    """A handler still owed an event (``motcua.dossiers.dispatch``). Written in the transaction that appends
    the event, so a committed event is never left unhandled if the process dies before the commit hook
    runs; deleted in the transaction of the handler's work; swept by ``motcua dossiers tick``."""

    event = models.ForeignKey(DossierEvent, on_delete=models.CASCADE, related_name="+")
    handler = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pending dispatch")
        verbose_name_plural = _("pending dispatches")
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="pendingdispatch_unique")]

    def __str__(self) -> str:
        return f"{self.event_id} -> {self.handler}"


class IssuedForm(models.Model):
    """A legal form issued for a dossier (``issuing.issue``): its PDF stored with the dossier, logged as an
    event. The table keeps its name from the documents app, where it was first created."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="issued_forms")
    role = models.CharField(_("form"), max_length=30)
    form_set = models.CharField(_("form set"), max_length=10)
    number = models.CharField(_("form number"), max_length=5)
    # Forms issued once (a receipt, a refusal) are served again from here; the control sheet is issued
    # anew at each request, since its trail grows.
    version = models.PositiveSmallIntegerField(default=1)
    file = models.FileField(max_length=300)
    sha256 = models.CharField(max_length=64)
    # The hash of the last event the form reflects: the control sheet is issued again when the trail grew.
    basis = models.CharField(max_length=64, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    # The paper's number and symbol as printed after "Số:" ("05/YCBS"), from the issuing agency's register
    # of the kind and year (``PaperNumber``; Decree 30/2020 Art. 15); empty on forms issued before registers.
    reference = models.CharField(_("number and symbol"), max_length=60, blank=True)

    class Meta:
        db_table = "documents_issuedform"
        verbose_name = _("issued form")
        verbose_name_plural = _("issued forms")
        ordering = ["dossier_id", "role", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "role", "version"], name="issuedform_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.role} v{self.version}"


class DossierCodeCounter(models.Model):
    """The daily sequence of dossier codes per receiving agency code (Circular 01/2018 Art. 19: XXXX is
    the number of the dossier within the day). Incremented by one atomic upsert in the receipt's
    transaction (``codes.next_sequence``), so a committed number is never handed out again."""

    agency_code = models.CharField(max_length=40)
    day = models.DateField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_code", "day"], name="dossiercode_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.day}: {self.last_value}"


class PaperCounter(models.Model):
    """The numbering of the papers an agency issues, per kind of paper (a form's role, "report") and calendar
    year: from 1 on 1 January, continuously (Decree 30/2020 Art. 15(1): numbers run from 01 on 1 January to
    31 December; Circular 01/2018 Arts. 9-10). Incremented by one atomic upsert (``codes.next_paper_number``)."""

    agency_code = models.CharField(max_length=40)
    kind = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_code", "kind", "year"], name="paper_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.kind} {self.year}: {self.last_value}"


class PaperNumber(models.Model):
    """The register number given to one issue (role and version) of a dossier's paper, taken before the PDF
    is rendered (the number is printed on it) and kept if that rendering fails or a concurrent request wins:
    the retry, or the winner, prints the same number, so the register has no gap and no number twice
    (``issuing.issue``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="paper_numbers")
    role = models.CharField(max_length=30)
    version = models.PositiveSmallIntegerField()
    agency_code = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dossier", "role", "version"], name="papernumber_unique_issue"),
            models.UniqueConstraint(fields=["agency_code", "role", "year", "number"], name="papernumber_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.role} v{self.version}: {self.reference}"


class RegisterCounter(models.Model):
    """The register's numbering per receiving agency code and calendar year: the numbers run continuously from
    1 on 1 January to 31 December (Circular 01/2018 Arts. 9-10: one register a year, numbered continuously;
    Decree 30/2020 Art. 15(1) for the numbering of an agency's documents). Incremented like the code counter,
    by one atomic upsert in the receipt's transaction (``codes.next_register_number``)."""

    agency_code = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency_code", "year"], name="register_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_code} {self.year}: {self.last_value}"


class RuleSet(TimeStampedModel):
    """The legal switches of the one-stop mechanism in force from ``valid_from`` until the next row's
    ``valid_from`` (law is versioned, DESIGN.md). Edited by administrators in the admin, with a history
    (django-auditlog). At the receipt of the complete dossier the row in force that day, merged with the
    procedure version's exceptions, is copied into ``Dossier.rules`` (``rules.rules_at_receipt``); a later
    edit changes only dossiers received afterwards. The environment variables of the same names only seed
    the first row of a new installation (``rules.ensure_default_rule_set``)."""

    valid_from = models.DateField(_("valid from"), unique=True)
    basis = models.TextField(_("legal basis"), help_text=_("The instruments and articles these values come from."))
    note = models.TextField(_("note"), blank=True, help_text=_("Why the values changed; what is not confirmed."))
    # Decree 61/2018 Art. 19(4): 3 working days of receipt, "unless sectoral law says otherwise".
    supplement_working_days = models.PositiveSmallIntegerField(
        _("supplement window (working days)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("How long after receipt the processing unit may ask for a supplement."))
    supplement_rule = models.CharField(_("clock after a supplement"), max_length=10, choices=SupplementRule.choices,
                                       default=SupplementRule.RESTART)
    refusal_status = models.PositiveSmallIntegerField(_("status of a refusal after appraisal"),
                                                      choices=RefusalStatus.choices, default=RefusalStatus.DONE)
    online_clock_from = models.CharField(_("an online dossier's time counts from"), max_length=12,
                                         choices=OnlineClockFrom.choices, default=OnlineClockFrom.SUBMISSION)
    consultation_working_days = models.PositiveSmallIntegerField(
        _("consultation deadline (working days)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("When the procedure sets none."))
    step_working_days = models.PositiveSmallIntegerField(
        _("usual time of a step (working days)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_("The budget of a step the procedure leaves open."))

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(supplement_working_days__gte=1, supplement_working_days__lte=30),
                                   name="ruleset_supplement_days_range"),
            models.CheckConstraint(condition=Q(consultation_working_days__gte=1, consultation_working_days__lte=60),
                                   name="ruleset_consultation_days_range"),
            models.CheckConstraint(condition=Q(step_working_days__gte=1, step_working_days__lte=30),
                                   name="ruleset_step_days_range"),
            models.CheckConstraint(condition=Q(supplement_rule__in=SupplementRule.values),
                                   name="ruleset_supplement_rule_valid"),
            models.CheckConstraint(condition=Q(refusal_status__in=RefusalStatus.values),
                                   name="ruleset_refusal_status_valid"),
            models.CheckConstraint(condition=Q(online_clock_from__in=OnlineClockFrom.values),
                                   name="ruleset_online_clock_from_valid"),
        ]

    def __str__(self) -> str:
        return _("Rules from %(day)s") % {"day": self.valid_from.strftime("%d/%m/%Y")}


class DestructionList(models.Model):
    """A list of closed dossiers whose retention period has passed (*danh mục tài liệu hết giá trị*), proposed for
    one agency by the daily job (``retention.prepare``) and carried out only once approved: the archive law lets
    records past their period be destroyed only on the decision of the head of the agency after the appraisal
    (Law on Archives 33/2024/QH15; Circular 06/2025/TT-BNV as summarised; docs/security.md). The decision's
    number and date, who recorded the approval and when, are kept; the list and its items are never deleted."""

    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=DestructionStatus.choices,
                              default=DestructionStatus.PROPOSED)
    prepared_at = models.DateTimeField(_("prepared at"))
    decision = models.CharField(_("decision"), max_length=255, blank=True,
                                help_text=_("The number and date of the head of the agency's decision."))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    done_at = models.DateTimeField(_("carried out at"), null=True, blank=True)

    if TYPE_CHECKING:
        items: RelatedManager[DestructionItem]

    class Meta:
        verbose_name = _("destruction list")
        verbose_name_plural = _("destruction lists")
        ordering = ["-prepared_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DestructionStatus.values), name="destructionlist_status"),
            models.CheckConstraint(condition=Q(status=DestructionStatus.PROPOSED) | Q(approved_at__isnull=False),
                                   name="destructionlist_approved_when"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.status}"


class DestructionItem(models.Model):
    """One dossier on a destruction list, with the end of its retention period as computed when the list was
    prepared, and when its personal data was removed."""

    destruction_list = models.ForeignKey(DestructionList, on_delete=models.PROTECT, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"))
    kept_until = models.DateField(_("kept until"))
    done_at = models.DateTimeField(_("carried out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier on a destruction list")
        verbose_name_plural = _("dossiers on destruction lists")
        ordering = ["destruction_list_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["destruction_list", "dossier"], name="destructionitem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.destruction_list_id}: {self.dossier_id}"


# The internal-processing rows live in ``workflow.models``; importing them here registers them with the app.
from .wallet.models import CertifiedCopy, HeldDocument  # noqa: E402
from .workflow.models import (  # noqa: E402
    AgencyPart,
    Apology,
    Consultation,
    PaperDraft,
    Payment,
    ProcessingStep,
    Result,
)

__all__ = [
    "AgencyPart",
    "Apology",
    "Attachment",
    "CertifiedCopy",
    "Consultation",
    "DestructionItem",
    "DestructionList",
    "Dossier",
    "DossierCodeCounter",
    "DossierDocument",
    "DossierEvent",
    "HeldDocument",
    "PaperDraft",
    "Payment",
    "ProcessingStep",
    "RegisterCounter",
    "Result",
    "RuleSet",
]
