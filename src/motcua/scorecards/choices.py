from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    """How a leaf of the criteria tree is scored. Every method but ``manual`` is filled from motcua's data
    (``metrics.py``) until the assessment locks; the council still sees the person's score beside it."""

    MANUAL = "manual", _("Manual, with evidence")
    FORMULA = "formula", _("Formula over motcua's data")
    SURVEY = "survey", _("From the satisfaction survey")
    FEEDBACK = "feedback", _("From feedback handling")
    REGISTER = "register", _("From the legal-document register")


class Rule(models.TextChoices):
    """How a rate (0..1) becomes points out of a leaf's maximum ``P``."""

    # P if rate ≥ target, otherwise rate × P ÷ target: the rule of the 766 indicators (indices.md §1.1).
    PROPORTIONAL = "proportional", _("Full points at the target, proportional below it")
    # P if rate ≥ target, otherwise 0.
    THRESHOLD = "threshold", _("Full points at the target, none below it")
    # rate × P.
    LINEAR = "linear", _("Points proportional to the rate")
    # The points of the highest step whose rate the value reaches: [[0.9, 2], [0.7, 1]].
    STEPS = "steps", _("Points by steps of the rate")


class TreeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft: can be edited or replaced")
    OPEN = "open", _("Assessment under way: frozen")
    PUBLISHED = "published", _("Results published")


class AssessmentStatus(models.TextChoices):
    """The yearly cycle of one agency (indices.md §4, "the usual process")."""

    SELF = "self", _("Self-assessment")
    SUBMITTED = "submitted", _("Submitted to the appraisal council")
    APPRAISED = "appraised", _("Appraised: open to appeal")
    APPEALED = "appealed", _("Appealed: waiting for the council's decision")
    LOCKED = "locked", _("Locked")


class Stage(models.TextChoices):
    """What a line of a score's history records."""

    SELF = "self", _("Self-score")
    AUTO = "auto", _("Computed from data")
    APPRAISAL = "appraisal", _("Appraisal")
    APPEAL = "appeal", _("Appeal")
    DECISION = "decision", _("Council's decision")
    STATUS = "status", _("Status")
    OWNER = "owner", _("Owner")
    EVIDENCE = "evidence", _("Evidence")


class EvidenceKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")
    DOSSIER = "dossier", _("Dossier in motcua")
    NOTE = "note", _("Note")


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    UNDER_WAY = "under_way", _("Under way")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ReviewStatus(models.TextChoices):
    """The review of a legal document issued by the agency or on its proposal (Law on Promulgation of Legal
    Documents; Decree 34/2016/NĐ-CP Chapter VII on the self-examination and review of legal documents)."""

    NOT_REVIEWED = "not_reviewed", _("Not reviewed yet")
    LAWFUL = "lawful", _("Reviewed: lawful")
    FINDINGS = "findings", _("Reviewed: findings to correct")
    CORRECTED = "corrected", _("Findings corrected")
    REPEALED = "repealed", _("Repealed or replaced")


class StaffLevel(models.TextChoices):
    """The four levels of the yearly evaluation and classification of civil servants (Decree 90/2020/NĐ-CP as
    amended by Decree 48/2023/NĐ-CP [unverified: the 2025 Law on Cadres and Civil Servants may be implemented
    by a newer decree that renames or regroups them]): "Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm
    vụ", "Hoàn thành nhiệm vụ", "Không hoàn thành nhiệm vụ". The codes are stored (``StaffDecision.suggested``
    and ``decided``, plain strings); the labels are translated."""

    EXCELLENT = "excellent", _("Excellently completed duties")
    GOOD = "good", _("Well completed duties")
    COMPLETED = "completed", _("Completed duties")
    NOT_COMPLETED = "not_completed", _("Did not complete duties")
