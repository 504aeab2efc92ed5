"""The administrative-reform index (PAR INDEX, ``indices.md`` §4) of the province's agencies.

- ``Tree``: the criteria tree a province publishes each year by decision, per scheme (areas → criteria →
  sub-criteria, ``Node``), frozen once the first assessment opens.
- ``Assessment``: one agency's cycle on a tree — self-assessment, submission, appraisal by the council,
  appeal within a window on the legal clock, the council's decision, lock — with one ``Score`` per leaf
  and every change in ``ScoreChange`` (append-only: who, when, what, why).
- ``ActionPlanItem``: the improvements the leader chose in the simulator, with owners and deadlines.
- ``LegalDocument``: the register of the agency's legal documents and their review (the institutions area).
- ``StaffDecision``: the leader's yearly classification of an officer beside the one motcua suggests.

Nothing that the law does not fix is hard-coded: the tree, the points, the rules, the bands, the appeal
window and the classification mapping are data or settings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel

from .choices import AssessmentStatus, EvidenceKind, Method, PlanStatus, ReviewStatus, Rule, Stage, TreeStatus


def _shown(name: str, name_en: str) -> str:
    """The name in the reader's language: the English one on English pages when the decision gives one."""
    return name_en if name_en and (get_language() or "").startswith("en") else name


def points_field(verbose_name: Any, *, null: bool = False) -> models.DecimalField:
    """Points out of 100, to two decimals (the provinces publish 89.15)."""
    return models.DecimalField(verbose_name, max_digits=7, decimal_places=2, null=null, blank=null)


class Tree(TimeStampedModel):
    """The criteria tree of one scheme and year (a provincial decision names it)."""

    scheme = models.SlugField(_("scheme"), max_length=40,
                              help_text=_("The index measured, e.g. “par-department” for the departments' index."))
    year = models.PositiveSmallIntegerField(_("year assessed"))
    name = models.CharField(_("name"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    decision = models.CharField(_("issuing decision"), max_length=255, blank=True,
                                help_text=_("Number, date and issuer of the decision that publishes the tree."))
    # The province's ranking bands, highest first: [{"code": "A", "min": 90}, ...] (points of the total; the
    # PAR INDEX 2022 uses A ≥ 90, B 80 to < 90, C 70 to < 80 for provinces, indices.md §4). Empty: no bands.
    bands = models.JSONField(_("ranking bands"), default=list, blank=True)
    # Working days the agency has to appeal after the appraisal is sent to it; the province sets it.
    appeal_days = models.PositiveSmallIntegerField(_("appeal window (working days)"), default=5)
    # The period whose data fills the automatic leaves (the year assessed, unless the province says otherwise,
    # e.g. 1 December of the previous year to 30 November).
    data_from = models.DateField(_("data from"))
    data_to = models.DateField(_("data to"))
    status = models.CharField(_("status"), max_length=20, choices=TreeStatus.choices, default=TreeStatus.DRAFT)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("criteria tree")
        verbose_name_plural = _("criteria trees")
        ordering = ["-year", "scheme"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "year"], name="scorecards_tree_scheme_year"),
            models.CheckConstraint(condition=Q(data_to__gte=models.F("data_from")), name="scorecards_tree_period"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"

    @property
    def frozen(self) -> bool:
        return self.status != TreeStatus.DRAFT

    @property
    def shown_name(self) -> str:
        return _shown(self.name, self.name_en)


class Node(models.Model):
    """An area (depth 0), a criterion or a sub-criterion. A node without children is a leaf and is scored;
    a parent's maximum is the sum of its children's (checked on import)."""

    tree = models.ForeignKey(Tree, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(_("code"), max_length=20, help_text=_("As numbered in the decision: 1, 1.2, 1.2.3."))
    position = models.PositiveIntegerField(_("position"), default=0)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    name = models.TextField(_("name"))
    name_en = models.TextField(_("name (English)"), blank=True)
    max_points = points_field(_("maximum points"))
    method = models.CharField(_("scoring method"), max_length=20, choices=Method.choices, default=Method.MANUAL)
    # For the automatic methods: the motcua measure (``metrics.METRICS``), the rule and its target or steps.
    metric = models.CharField(_("measure"), max_length=40, blank=True)
    rule = models.CharField(_("rule"), max_length=20, choices=Rule.choices, blank=True)
    target = models.DecimalField(_("target rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    steps = models.JSONField(_("steps"), default=list, blank=True)
    guidance = models.TextField(_("guidance"), blank=True)
    evidence_required = models.TextField(_("evidence required"), blank=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["tree", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tree", "code"], name="scorecards_node_code"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="scorecards_node_points"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.name}"

    @property
    def automatic(self) -> bool:
        return self.method != Method.MANUAL

    @property
    def shown_name(self) -> str:
        return _shown(self.name, self.name_en)


class Assessment(TimeStampedModel):
    """One agency's assessment on one tree."""

    tree = models.ForeignKey(Tree, on_delete=models.PROTECT, related_name="assessments")
    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="reform_assessments")
    status = models.CharField(_("status"), max_length=20, choices=AssessmentStatus.choices,
                              default=AssessmentStatus.SELF)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    appraised_at = models.DateTimeField(_("appraisal sent at"), null=True, blank=True)
    # The last instant of the appeal window, on the agency's working calendar (``services.send_appraisal``).
    appeal_until = models.DateTimeField(_("appeal until"), null=True, blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    # Kept up to date by the services, so that a ranking is one query: the sums of the leaves' self-scores and
    # of their final scores (the council's decision, else the appraisal, else the self-score or the data's).
    self_total = points_field(_("self-assessed total"), null=True)
    total = points_field(_("total"), null=True)
    computed_at = models.DateTimeField(_("data last computed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["tree", "agency__name"]
        constraints = [models.UniqueConstraint(fields=["tree", "agency"], name="scorecards_assessment_unique")]

    def __str__(self) -> str:
        return f"{self.agency} — {self.tree}"

    @property
    def locked(self) -> bool:
        return self.status == AssessmentStatus.LOCKED


class Score(models.Model):
    """A leaf's scores in one assessment, one column per stage; ``final`` is the one that counts."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="scores")
    self_points = points_field(_("self-score"), null=True)
    self_comment = models.TextField(_("comment"), blank=True)
    # What the data says (automatic leaves): the points, the rate and the numbers behind it as evidence
    # ({"value": 0.92, "numerator": .., "denominator": .., "note": .., "link": ..}); None: no data.
    auto_points = points_field(_("points from data"), null=True)
    auto_detail = models.JSONField(_("data behind the points"), default=dict, blank=True)
    appraised_points = points_field(_("appraised score"), null=True)
    appraisal_reason = models.TextField(_("reason for the appraisal"), blank=True)
    appeal_points = points_field(_("score asked for on appeal"), null=True)
    appeal_reason = models.TextField(_("grounds of the appeal"), blank=True)
    decided_points = points_field(_("score decided on appeal"), null=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    final_points = points_field(_("final score"), null=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="reform_scores")

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["assessment", "node__position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "node"], name="scorecards_score_unique")]

    def __str__(self) -> str:
        return f"{self.node.code}: {self.final_points}"

    def self_or_auto(self) -> Decimal | None:
        """The agency's own figure: what a person entered, else what the data gives."""
        return self.self_points if self.self_points is not None else self.auto_points

    def compute_final(self) -> Decimal | None:
        for value in (self.decided_points, self.appraised_points):
            if value is not None:
                return value
        return self.self_or_auto()


class Evidence(models.Model):
    """What backs a self-score: a file, a link, a dossier in motcua or a note. Removed evidence is kept, marked."""

    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to="scorecards/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    dossier_code = models.CharField(_("dossier code"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.file_name or self.url or self.dossier_code or self.note[:60]


class ScoreChange(models.Model):
    """The history of an assessment, append-only: each score entered or changed, each status, owner and piece
    of evidence, with who, when and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="history")
    score = models.ForeignKey(Score, null=True, blank=True, on_delete=models.CASCADE, related_name="history")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    old = models.CharField(_("before"), max_length=255, blank=True)
    new = models.CharField(_("after"), max_length=255, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("history")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.old} → {self.new}"


class Owner(models.Model):
    """An officer of the agency who self-scores a criterion (and every leaf under it)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="owners")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reform_criteria")

    class Meta:
        verbose_name = _("criterion owner")
        verbose_name_plural = _("criterion owners")
        constraints = [models.UniqueConstraint(fields=["assessment", "node", "user"], name="scorecards_owner_unique")]

    def __str__(self) -> str:
        return f"{self.node.code}: {self.user}"


class ActionPlanItem(TimeStampedModel):
    """An improvement the leader chose (in the simulator or by hand), tracked to the end of the year."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="plan")
    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    action = models.TextField(_("action"))
    # The rate aimed at for an automatic leaf (0..1), or the points aimed at for a manual one.
    target_value = models.DecimalField(_("rate aimed at"), max_digits=5, decimal_places=4, null=True, blank=True)
    target_points = points_field(_("points aimed at"))
    expected_gain = points_field(_("expected gain"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT,
                              related_name="reform_actions")
    due = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.PLANNED)
    progress = models.TextField(_("progress"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("action-plan item")
        verbose_name_plural = _("action plan")
        ordering = ["due", "pk"]


class LegalDocument(TimeStampedModel):
    """A legal document (*văn bản quy phạm pháp luật*) the agency drafted or advised on, and its review."""

    agency = models.ForeignKey("accounts.OrgUnit", verbose_name=_("agency"), on_delete=models.PROTECT,
                               related_name="legal_documents")
    number = models.CharField(_("number and symbol"), max_length=80, help_text=_("e.g. 12/2026/QĐ-UBND"))
    title = models.TextField(_("title"))
    issuer = models.CharField(_("issued by"), max_length=255)
    issued_on = models.DateField(_("issued on"))
    effective_on = models.DateField(_("in force from"), null=True, blank=True)
    review_status = models.CharField(_("review"), max_length=20, choices=ReviewStatus.choices,
                                     default=ReviewStatus.NOT_REVIEWED)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    correction = models.TextField(_("correction made"), blank=True)
    corrected_on = models.DateField(_("corrected on"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["-issued_on", "number"]
        constraints = [models.UniqueConstraint(fields=["agency", "number"], name="scorecards_legal_number")]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"


class StaffDecision(TimeStampedModel):
    """The leader's yearly classification of an officer, beside the one suggested from reform results."""

    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reform_decisions")
    agency = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    suggested = models.CharField(_("suggested classification"), max_length=40, blank=True)
    decided = models.CharField(_("classification decided"), max_length=40)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("staff classification")
        verbose_name_plural = _("staff classifications")
        constraints = [models.UniqueConstraint(fields=["officer", "agency", "year"], name="scorecards_staff_year")]

