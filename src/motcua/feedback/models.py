"""Feedback and petitions (PAKN): the item, its files, its history and the Open311 clients.

The item keeps a timestamp for every state the 766 formulas read (domain note §9): received, classified,
forwarded, first request for more information, handled (answer approved, "waiting for publication"),
published, rejected. Its deadlines are computed once by ``calendars`` when the state that starts them is
reached and stored, so that a list can filter and sort on them; the explanation (the days off skipped) is
recomputed on the item's page.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel, EventKind, Finding, Kind, Reaction, Status, Topic


class FeedbackItem(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="feedback_items")
    topic = models.CharField(_("about"), max_length=20, choices=Topic.choices, default=Topic.REGULATION)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FEEDBACK)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    field = models.ForeignKey("catalogue.Field", verbose_name=_("field"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    procedure = models.ForeignKey("catalogue.Procedure", verbose_name=_("procedure"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    dossier = models.ForeignKey("dossiers.Dossier", verbose_name=_("dossier"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="feedback_items")
    # The officers who handled the linked dossier when the item came (Decree 118/2025 Art. 9(2)(đ)): the item
    # is about them; the leader's finding on a conduct item counts against them (Circular 01/2018 ind. 7).
    officers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("officers concerned"),
                                      blank=True, related_name="feedback_concerning")
    title = models.CharField(_("title"), max_length=300)
    content = models.TextField(_("content"))
    proposal = models.TextField(_("proposed solution"), blank=True)
    address_string = models.CharField(_("place"), max_length=300, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # The sender. Never published; masked in the staff lists for those who do not handle the item.
    sender_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    sender_id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    sender_phone = models.CharField(_("phone"), max_length=20, blank=True)
    sender_email = models.EmailField(_("e-mail"), blank=True)
    sender_address = models.CharField(_("address"), max_length=300, blank=True)
    sender_account = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sender's account"), null=True,
                                       blank=True, on_delete=models.SET_NULL, related_name="feedback_sent")
    sender_language = models.CharField(max_length=5, default="vi")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    api_client = models.ForeignKey("feedback.ApiClient", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="items")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED,
                              db_index=True)
    # Routing.
    division = models.ForeignKey("accounts.OrgUnit", verbose_name=_("division"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("officer"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="feedback_assigned")
    forwarded_to = models.CharField(_("forwarded to"), max_length=255, blank=True)
    forwarded_unit = models.ForeignKey("accounts.OrgUnit", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    reason = models.TextField(_("reason"), blank=True)  # of a rejection, a forwarding or a merge
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="duplicates")
    follow_up_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="follow_ups")
    # An item another agency of the system forwarded here: its limits run from the forwarding (766 5.2).
    forwarded_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="forwarded_copies")
    # Timestamps of every state (domain note §9).
    received_at = models.DateTimeField(_("received at"), db_index=True)
    classified_at = models.DateTimeField(_("classified at"), null=True, blank=True)
    forwarded_at = models.DateTimeField(_("forwarded at"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)
    info_requested_at = models.DateTimeField(_("more information first requested at"), null=True, blank=True)
    info_request = models.TextField(_("information asked for"), blank=True)
    info_received_at = models.DateTimeField(_("more information received at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("answer approved at"), null=True, blank=True, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    # Deadlines from the one clock (calendars), counted from receipt (or from approval, for publication).
    reject_due = models.DateTimeField(_("reject by"))
    forward_due = models.DateTimeField(_("forward by"))
    info_due = models.DateTimeField(_("ask for information by"))
    answer_due = models.DateTimeField(_("answer by"), db_index=True)
    publish_due = models.DateTimeField(_("publish by"), null=True, blank=True)
    # One extension with a reason; it moves answer_due but the item counts as prolonged (Circular 01/2018).
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    original_answer_due = models.DateTimeField(_("original answer date"), null=True, blank=True)
    late_flagged_at = models.DateTimeField(null=True, blank=True)
    # The answer and its review.
    answer = models.TextField(_("answer"), blank=True)
    # Decree 20/2008 Art. 14: {criterion: {"met": true|false|null, "note": "..."}}.
    review = models.JSONField(_("review against the criteria"), default=dict, blank=True)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    # What the public sees once published: the texts after the redaction step, as the approver left them.
    public_title = models.CharField(_("published title"), max_length=300, blank=True)
    public_content = models.TextField(_("published question"), blank=True)
    public_answer = models.TextField(_("published answer"), blank=True)
    public_folded = models.TextField(editable=False, blank=True)  # fold_vi of the three, for search
    publication_channels = models.CharField(_("published through"), max_length=200, blank=True)
    # The officer's "spam": hidden from every public list and page, never deleted.
    hidden = models.BooleanField(_("hidden as spam"), default=False, db_index=True)
    # The sender's reaction (766 indicator 5.3) and the leader's finding on a conduct item.
    reaction = models.CharField(_("sender's reaction"), max_length=20, choices=Reaction.choices, blank=True)
    reacted_at = models.DateTimeField(null=True, blank=True)
    finding = models.CharField(_("finding"), max_length=20, choices=Finding.choices, blank=True)
    finding_note = models.TextField(_("finding, reasons"), blank=True)
    finding_at = models.DateTimeField(null=True, blank=True)
    finding_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    # The tracking secret printed on the receipt: the public page shows the sender's own data only with it.
    secret = models.CharField(max_length=32, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback item")
        verbose_name_plural = _("feedback items")
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["agency", "status", "answer_due"], name="feedback_queue"),
            models.Index(fields=["hidden", "published_at"], name="feedback_public"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        from .choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    @property
    def prolonged(self) -> bool:
        return self.extended_at is not None


class FeedbackAttachment(models.Model):
    item = models.ForeignKey(FeedbackItem, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(max_length=255)
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # A photo the sender sent may be shown publicly only if an officer says so; by default nothing is.
    public = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")

    def __str__(self) -> str:
        return self.name


class FeedbackEvent(models.Model):
    """The item's history, append-only: nothing is edited, a follow-up is a new linked item."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    at = models.DateTimeField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["item_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["item", "seq"], name="feedback_event_seq")]

    def __str__(self) -> str:
        return f"{self.item_id}#{self.seq} {self.kind}"


class ApiClient(models.Model):
    """A client allowed to POST feedback through Open311 (GeoReport v2 ``api_key``), issued by an
    administrator; the key is stored hashed and shown once."""

    name = models.CharField(_("name"), max_length=200)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency it reports to"),
                               on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")

    def __str__(self) -> str:
        return self.name


class FeedbackRevision(models.Model):
    """One row whose token changes with every save or deletion of a feedback item, so that every process knows
    when a public page it kept of the published answers is stale (``motcua.core.pagecache``, issue 20)."""

    # A fresh random token on every change (not a counter: a rolled-back transaction would reuse it).
    token = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("feedback revision")

    def __str__(self) -> str:
        return self.token
