from django.db import models
from django.utils.translation import gettext_lazy as _


class Topic(models.TextChoices):
    """What the item is about: the two PAKN flows of the domain note (§1)."""

    # Decree 20/2008/NĐ-CP: an opinion on an administrative regulation.
    REGULATION = "regulation", _("An administrative regulation")
    # Decree 118/2025/NĐ-CP Art. 9(2)(đ) as amended by Decree 309/2026 Art. 4: how a procedure was carried
    # out at the one-stop desk, by its staff or by the competent agency.
    CONDUCT = "conduct", _("How a procedure was carried out")


class Kind(models.TextChoices):
    # Decree 20/2008 Art. 3: a petition is a feedback that also proposes a solution or a new regulation.
    FEEDBACK = "feedback", _("Feedback")
    PETITION = "petition", _("Petition")


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    DOSSIER = "dossier", _("From a dossier page")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("E-mail")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")


STAFF_CHANNELS = (Channel.LETTER, Channel.PHONE, Channel.IN_PERSON, Channel.EMAIL)


class Status(models.TextChoices):
    RECEIVED = "received", _("Received, to be classified")
    HANDLING = "handling", _("Being handled")
    INFO_REQUESTED = "info_requested", _("Waiting for more information from the sender")
    ANSWER_DRAFTED = "answer_drafted", _("Answer drafted, to be reviewed")
    ANSWER_REVIEWED = "answer_reviewed", _("Answer reviewed, to be approved")
    # The national PAKN system's "waiting for publication" (domain note §7).
    APPROVED = "approved", _("Answer approved, waiting for publication")
    PUBLISHED = "published", _("Answered and published")
    FORWARDED = "forwarded", _("Forwarded to the competent agency")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged with an earlier item")


OPEN_STATUSES = frozenset({Status.RECEIVED, Status.HANDLING, Status.INFO_REQUESTED, Status.ANSWER_DRAFTED,
                           Status.ANSWER_REVIEWED, Status.APPROVED})
# Handled in the sense of indicator 5.2: waiting for publication or published.
HANDLED_STATUSES = frozenset({Status.APPROVED, Status.PUBLISHED})
CLOSED_STATUSES = frozenset({Status.PUBLISHED, Status.FORWARDED, Status.REJECTED, Status.MERGED})


class Reaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied with the answer")
    DISSATISFIED = "dissatisfied", _("Not satisfied with the answer")


class Finding(models.TextChoices):
    """The leader's decision on an item about an officer's conduct."""

    SUBSTANTIATED = "substantiated", _("Substantiated")
    UNSUBSTANTIATED = "unsubstantiated", _("Not substantiated")


# Decree 20/2008 Art. 14 (as amended by Decree 48/2013): the six criteria a regulation is reviewed against.
class Criterion(models.TextChoices):
    NECESSITY = "necessity", _("Necessity")
    REASONABLENESS = "reasonableness", _("Reasonableness and legality")
    SIMPLICITY = "simplicity", _("Simplicity")
    FEASIBILITY = "feasibility", _("Feasibility")
    CONSISTENCY = "consistency", _("Consistency")
    TREATIES = "treaties", _("Conformity with treaties")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    CLASSIFIED = "classified", _("Accepted for handling")
    ASSIGNED = "assigned", _("Assigned")
    FORWARDED = "forwarded", _("Forwarded")
    REJECTED = "rejected", _("Not accepted")
    MERGED = "merged", _("Merged")
    INFO_REQUESTED = "info_requested", _("More information requested")
    INFO_RECEIVED = "info_received", _("More information received")
    EXTENDED = "extended", _("Time limit extended")
    DRAFTED = "drafted", _("Answer drafted")
    REVIEWED = "reviewed", _("Answer reviewed")
    RETURNED = "returned", _("Answer sent back")
    APPROVED = "approved", _("Answer approved")
    PUBLISHED = "published", _("Answer published")
    SENT = "sent", _("Answer sent to the sender")
    REACTED = "reacted", _("The sender reacted")
    FOLLOWED_UP = "followed_up", _("Followed up")
    SPAM = "spam", _("Marked as spam")
    UNSPAM = "unspam", _("Spam mark removed")
    FINDING = "finding", _("Finding decided")
    LATE_FLAGGED = "late_flagged", _("Flagged late")
