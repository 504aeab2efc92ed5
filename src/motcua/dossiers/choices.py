"""Choices of the dossier app: the ten national statuses, channels, applicant kinds, event kinds."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.IntegerChoices):
    """The national status codes (DVCQG ``TrangThaiHoSo``; Circular 22/2019/TT-BTTTT Annex I, as used by
    production integrations — domain note dossier-lifecycle.md §10)."""

    NEW = 1, _("Newly submitted")
    RECEIVED = 2, _("Received")
    NOT_RECEIVED = 3, _("Not received")
    IN_PROGRESS = 4, _("In progress")
    SUPPLEMENT_REQUESTED = 5, _("Supplement requested")
    PAYMENT_REQUESTED = 6, _("Payment requested")
    WITHDRAWAL_REQUESTED = 7, _("Applicant asked to withdraw")
    STOPPED = 8, _("Stopped")
    DONE = 9, _("Processing done")
    RETURNED = 10, _("Result returned")


class Channel(models.TextChoices):
    """How the dossier was filed (Decree 118/2025 Art. 15); the DVCQG ``KenhThucHien`` code is mapped
    in ``DVCQG_CHANNEL`` rather than stored, since the code list is external."""

    DESK = "desk", _("At the one-stop desk")
    ONLINE = "online", _("Online")
    POST = "post", _("By public postal service")


DVCQG_CHANNEL = {Channel.DESK: 1, Channel.ONLINE: 2, Channel.POST: 3}


class ApplicantKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    ORGANISATION = "organisation", _("Organisation")


class ApplicantField(models.TextChoices):
    """The applicant's details of a dossier that a correction may change (Law 91/2025/QH15 Art. 4: the right
    to have one's data corrected; ``services.correct_applicant``). The value is the dossier's field without
    its ``applicant_`` prefix. The one list: the citizen's request form, the agency's queue and the service
    all read it."""

    NAME = "name", _("Full name or organisation name")
    ID_NUMBER = "id_number", _("Personal ID number")
    TAX_CODE = "tax_code", _("Tax code")
    ADDRESS = "address", _("Address")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")


class EventKind(models.TextChoices):
    CREATED = "created", _("Dossier created")
    STATUS_CHANGED = "status_changed", _("Status changed")
    CODE_ASSIGNED = "code_assigned", _("Dossier code assigned")
    CLOCK = "clock", _("Legal clock changed")
    DOCUMENT_ADDED = "document_added", _("Document added")
    FORM_ISSUED = "form_issued", _("Form issued")
    PERSONAL_DATA_VIEWED = "personal_data_viewed", _("Personal data viewed")
    ASSIGNED = "assigned", _("Assigned")
    PROCESSING_STARTED = "processing_started", _("Processing started")
    CLAIMED = "claimed", _("Taken by an officer")
    STEP_STARTED = "step_started", _("Step started")
    STEP_ENDED = "step_ended", _("Step ended")
    STEP_RETURNED = "step_returned", _("Returned to a previous step")
    CONSULTED = "consulted", _("Opinion requested")
    CONSULTATION_ANSWERED = "consultation_answered", _("Opinion given")
    CONSULTATION_DEEMED = "consultation_deemed", _("No answer in time: deemed to agree")
    CONSULTATION_LATE = "consultation_late", _("Opinion overdue")
    APPROVED = "approved", _("Approved")
    SIGNED = "signed", _("Signed")
    REFUSED = "refused", _("Refused after appraisal")
    RESULT_RECORDED = "result_recorded", _("Result recorded")
    PAYMENT_REQUESTED = "payment_requested", _("Payment requested")
    PAYMENT_CONFIRMED = "payment_confirmed", _("Payment confirmed")
    APOLOGY_DRAFTED = "apology_drafted", _("Apology drafted, to be signed")
    APOLOGY = "apology", _("Apology and new date")
    DRAFTED = "drafted", _("Paper drafted, to be approved")
    DRAFT_APPROVED = "draft_approved", _("Paper approved, to be signed")
    DRAFT_RETURNED = "draft_returned", _("Paper sent back to its drafter")
    LATE_FLAGGED = "late_flagged", _("Flagged late")
    REMINDED = "reminded", _("Apology reminder")
    ESCALATED = "escalated", _("Escalated to the leader")
    RESULT_RETURNED = "result_returned", _("Result returned")
    DATES_MOVED = "dates_moved", _("Dates moved by a calendar change")
    PART_SENT = "part_sent", _("Sent to a participating agency")
    PART_ENDED = "part_ended", _("Participating agency's part done")
    APPLICANT_CORRECTED = "applicant_corrected", _("Applicant's details corrected")
    APPLICANT_ANONYMISED = "applicant_anonymised", _("Personal data removed after the retention period")


class Outcome(models.TextChoices):
    """What the desk decides when it checks a dossier at intake (domain note §3)."""

    RECEIVE = "receive", _("Receive the dossier")
    SUPPLEMENT = "supplement", _("Ask once for a supplement")
    REFUSE = "refuse", _("Refuse it with a reason")


class SupplementProblem(models.TextChoices):
    """What is wrong with one item of a supplement request (form 02 lists each item with its reason, Decree
    61/2018 Art. 17; Decree 118/2025 Art. 17(2)(a) as amended by Decree 309/2026)."""

    MISSING = "missing", _("Missing")
    WRONG = "wrong", _("Wrong")
    INVALID = "invalid", _("Not valid")


class RefusalStatus(models.IntegerChoices):
    """How a refusal after appraisal is coded among the national statuses; not confirmed (domain note
    dossier-lifecycle.md §10), so a rule set says which."""

    DONE = 9, _("9 — processing done, with a refusal document")
    STOPPED = 8, _("8 — stopped")


class OnlineClockFrom(models.TextChoices):
    """When the processing time of an online dossier starts (domain note dossier-lifecycle.md §4)."""

    SUBMISSION = "submission", _("Its (last complete) submission")
    ACCEPTANCE = "acceptance", _("Its acceptance by the desk")


class DestructionStatus(models.TextChoices):
    """Where a destruction list stands (Law on Archives 33/2024/QH15; Circular 06/2025/TT-BNV as summarised:
    records past their period are destroyed only on the decision of the competent head, after appraisal)."""

    PROPOSED = "proposed", _("Proposed, awaiting the decision")
    APPROVED = "approved", _("Approved, being carried out")
    DONE = "done", _("Carried out")
