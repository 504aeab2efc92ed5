"""Translated choices of the catalogue. Stored values are stable English identifiers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """The administrative level that carries out the procedure (cấp thực hiện)."""

    MINISTRY = "ministry", _("Ministry")
    PROVINCE = "province", _("Province")
    PROVINCE_COMMUNE = "province_commune", _("Province and commune")
    COMMUNE = "commune", _("Commune")


class OnlineMode(models.TextChoices):
    """How far the procedure can be done online (Decree 42/2022; Decree 224/2026 Art. 14).

    From 01/07/2026 fully online is the default and a partly-online procedure must publish its reason
    on DVCQG (Decree 224/2026 Art. 14), hence ``Procedure.partial_online_reason``.
    """

    FULL = "full", _("Fully online")
    PARTIAL = "partial", _("Partly online")
    IN_PERSON = "in_person", _("In person only")


class ResultType(models.TextChoices):
    PERMIT = "permit", _("Permit")
    LICENCE = "licence", _("Licence")
    CERTIFICATE = "certificate", _("Certificate")
    APPRAISAL = "appraisal", _("Appraisal notice")
    APPROVAL = "approval", _("Approval")
    NOTICE = "notice", _("Notice")
    DECISION = "decision", _("Decision")
    WRITTEN_ANSWER = "written_answer", _("Written answer")
    OTHER = "other", _("Other")


class TimeUnit(models.TextChoices):
    """The units of the legal clock (``motcua.calendars.selectors.compute_due``)."""

    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")
    DAYS = "days", _("days")


class DeadlinePolicy(models.TextChoices):
    """How the legal clock places the due moment (``compute_due(policy=...)``)."""

    WORKING_HOURS = "working_hours", _("To the working hour")
    END_OF_DAY = "end_of_day", _("End of the working day")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class FeeStatus(models.TextChoices):
    """Whether fees apply. ``unknown`` means not captured yet: the fee part is then missing."""

    UNKNOWN = "", _("Not captured")
    FREE = "free", _("No fee")
    CHARGED = "charged", _("Fees apply")


class FeeKind(models.TextChoices):
    FEE = "fee", _("Fee (lệ phí)")
    CHARGE = "charge", _("Charge (phí)")


class Payer(models.TextChoices):
    ALL = "all", _("Every applicant")
    INDIVIDUAL = "individual", _("Individuals")
    ORGANISATION = "organisation", _("Organisations")


class CopyKind(models.TextChoices):
    """Original or copy of a required document; empty means not captured."""

    ORIGINAL = "original", _("Original")
    COPY = "copy", _("Copy")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    ORIGINAL_OR_CERTIFIED = "original_or_certified_copy", _("Original or certified copy")
    ELECTRONIC = "electronic", _("Electronic file")


class ApplicantType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class SupplementRule(models.TextChoices):
    """What the legal clock does when a supplement is requested during processing: restart from zero
    when the complete dossier arrives (Decree 61/2018 Art. 19(4)), or pause and continue with the time
    left (sector law may say so)."""

    RESTART = "restart", _("The full time counts again from the complete dossier")
    PAUSE = "pause", _("The clock pauses and the time left continues")


class ClockStart(models.TextChoices):
    """The event from which a procedure version's time limit counts. By default the receipt of the complete
    dossier (Decree 61/2018 Art. 17; Decree 118/2025 Art. 17(3) as amended by Decree 309/2026); sector law may
    name a later event, recorded on the dossier by an officer, until which the dossier has no promised date:
    a new practising certificate (CCHN) counts from the notice of the evaluation result (Decree 212/2026/NĐ-CP
    Arts. 30-31), and counted from the exam result under Decree 175/2024/NĐ-CP Art. 76."""

    RECEIPT = "receipt", _("Receipt of the complete dossier")
    EVALUATION_RESULT = "evaluation_result", _("Notice of the evaluation result")
    EXAM_RESULT = "exam_result", _("Exam result")


class InteragencyMode(models.TextChoices):
    """How a procedure handled by several agencies of the same level travels between them (one-stop
    inter-agency, *một cửa liên thông*; Decree 61/2018 Art. 19 and Decree 118/2025, dossier-lifecycle.md §5):
    on paper the desk fixes the order and each agency passes the dossier on with a transfer slip; electronically
    the dossier goes to every agency at once, naming the lead agency and each agency's deadline."""

    SEQUENTIAL = "sequential", _("One after another (paper)")
    PARALLEL = "parallel", _("All at once (electronic)")
