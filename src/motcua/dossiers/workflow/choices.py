"""Choices of the internal processing."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# Declared in the catalogue, whose procedure versions may set it (a lower floor than dossiers).
from motcua.catalogue.choices import SupplementRule  # noqa: F401


class StepOutcome(models.TextChoices):
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned to a previous step")
    SKIPPED = "skipped", _("Not needed")
    APPROVED = "approved", _("Approved")
    SIGNED = "signed", _("Signed")
    REFUSED = "refused", _("Refused")
    STOPPED = "stopped", _("Stopped")


class ResultKind(models.TextChoices):
    RESULT = "result", _("Result (permit, licence, decision…)")
    REFUSAL = "refusal", _("Refusal after appraisal")


class DraftKind(models.TextChoices):
    """The papers that go through the draft → approve → sign chain before they leave the agency."""

    REFUSAL = "refusal", _("Refusal after appraisal")
    SUPPLEMENT = "supplement", _("Supplement request during processing")


class ReturnMethod(models.TextChoices):
    DESK = "desk", _("At the desk")
    POST = "post", _("By post")
    ONLINE = "online", _("Online")


class PaymentChannel(models.TextChoices):
    DESK = "desk", _("At the desk")
    ONLINE = "online", _("Online (DVCQG or the provincial portal)")
    BANK = "bank", _("Bank transfer")
    POST = "post", _("By post")
