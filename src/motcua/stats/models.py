"""Pre-computed statistics: one fact row per accepted dossier, and daily rollups of those facts.

``DossierFact`` holds what indicator 2.1 and the 766 sub-indicators need of a dossier, already judged
by ``rules.classify`` (final class once the dossier has ended; the instants that decide its class while
it is open). ``DailyRollup`` sums the facts per local day × receiving unit × processing unit ×
procedure: counters by the day of acceptance (``received_*``) and by the day processing ended
(``ended_*``). Both are derived data: ``rollups.rebuild()`` recomputes them from the dossiers and
events, and ``rollups.refresh_rollups_for(ids)`` keeps them current as dossiers change.
"""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class DossierFact(models.Model):
    dossier = models.OneToOneField("dossiers.Dossier", primary_key=True, on_delete=models.CASCADE,
                                   related_name="stats_fact", db_constraint=False)
    receiving_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.DO_NOTHING, related_name="+",
                                       db_constraint=False)
    processing_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.DO_NOTHING, related_name="+",
                                        db_constraint=False)
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.DO_NOTHING, related_name="+",
                                  db_constraint=False)

    status = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=10)
    online = models.BooleanField(default=False)
    fully_online = models.BooleanField(default=False)  # online, for a procedure offered fully online
    eligible_full = models.BooleanField(default=False)  # the procedure is offered fully online
    has_fee = models.BooleanField(default=False)  # fees due at receipt, or a payment confirmed (766 3.5, 3.6)
    reused_data = models.BooleanField(default=False)  # a component reused digitised data (766 4.3)
    # A component taken from the holder's documents, or the electronic result kept in them (766 4.4)
    from_store = models.BooleanField(default=False)
    paid_online = models.BooleanField(null=True)  # the last payment confirmed was online; None: no payment
    e_result = models.BooleanField(null=True)  # the result has a file; None: no result recorded
    # Files on the dossier's components and an electronic result (766 4.2)
    digitised = models.BooleanField(default=False)
    apologised = models.BooleanField(default=False)
    received_at = models.DateTimeField()
    received_day = models.DateField()
    start_at = models.DateTimeField(null=True)
    promised_at = models.DateTimeField(null=True)  # on the receipt, or start + legal maximum (rule 7)
    target_at = models.DateTimeField(null=True)  # internal target from the clock start
    supplements = models.PositiveSmallIntegerField(default=0)  # requests after acceptance
    supp1_req_at = models.DateTimeField(null=True)
    supp1_done_at = models.DateTimeField(null=True)
    supp2_req_at = models.DateTimeField(null=True)
    # The promised date as the first supplement moved it: the clock's restarted or resumed date (else + the wait)
    deadline_shifted = models.DateTimeField(null=True)
    risk_at = models.DateTimeField(null=True)  # from here an open dossier has < 1 working day left
    end_at = models.DateTimeField(null=True)  # done, else returned, else stopped (rule 2)
    end_day = models.DateField(null=True)
    end_kind = models.CharField(max_length=10, blank=True)
    end_class = models.CharField(max_length=10, blank=True)  # early / on_time / late once ended
    # Done or returned by the internal target (``target_at`` moved as the promised date moved); None without
    # a target or without a result: a measure of its own, beside early / on time / late.
    within_target = models.BooleanField(null=True)
    work_days = models.FloatField(null=True)  # processing time in working days (766 2.2), done or returned

    class Meta:
        verbose_name = _("dossier statistics fact")
        verbose_name_plural = _("dossier statistics facts")
        indexes = [
            models.Index(fields=["end_at"], name="stats_fact_end"),
            # The day first (ranges of the reports), then the procedure: the rollups' refresh recounts a few days
            # of a few procedures (``rollups._recount``) in one index range instead of ANDing the day's
            # bitmap with that of every fact of the procedures, which grew with the table (issue 20, Growth).
            models.Index(fields=["received_day", "procedure"], name="stats_fact_received_proc"),
            models.Index(fields=["end_day", "procedure"], name="stats_fact_end_day_proc"),
        ]

    def __str__(self) -> str:
        return f"fact {self.dossier_id}"


class Cell(models.Model):
    """Where a count belongs: receiving unit × processing unit × procedure (no foreign-key constraints:
    derived data, rebuilt from the dossiers)."""

    receiving_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.DO_NOTHING, related_name="+",
                                       db_constraint=False)
    processing_unit = models.ForeignKey("accounts.OrgUnit", on_delete=models.DO_NOTHING, related_name="+",
                                        db_constraint=False)
    procedure = models.ForeignKey("catalogue.Procedure", on_delete=models.DO_NOTHING, related_name="+",
                                  db_constraint=False)

    class Meta:
        abstract = True


class RollupCounters(Cell):
    # By the day of acceptance
    received = models.PositiveIntegerField(default=0)
    received_online = models.PositiveIntegerField(default=0)
    received_fully_online = models.PositiveIntegerField(default=0)
    received_eligible_full = models.PositiveIntegerField(default=0)
    received_with_fee = models.PositiveIntegerField(default=0)
    received_reused = models.PositiveIntegerField(default=0)
    received_from_store = models.PositiveIntegerField(default=0)  # linked to the holder's documents (766 4.4)
    received_paid_online = models.PositiveIntegerField(default=0)  # with a fee, paid online (766 3.6)
    # By the day processing ended
    ended = models.PositiveIntegerField(default=0)
    ended_early = models.PositiveIntegerField(default=0)
    ended_on_time = models.PositiveIntegerField(default=0)
    ended_late = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)  # ended by processing done or result returned
    ended_with_target = models.PositiveIntegerField(default=0)  # of ``done``, with an internal target
    ended_within_target = models.PositiveIntegerField(default=0)  # of those, by the target
    stopped = models.PositiveIntegerField(default=0)
    work_days = models.FloatField(default=0)  # sum over ``done``
    apologised = models.PositiveIntegerField(default=0)
    # Done or returned with a result recorded (whether its file is electronic is known: 766 4.1, 4.2)
    ended_result = models.PositiveIntegerField(default=0)
    ended_e_result = models.PositiveIntegerField(default=0)  # of which the result file is electronic
    ended_digitised = models.PositiveIntegerField(default=0)  # of which the components have files too

    COUNTERS = ("received", "received_online", "received_fully_online", "received_eligible_full",
                "received_with_fee", "received_reused", "received_from_store", "received_paid_online", "ended",
                "ended_early",
                "ended_on_time", "ended_late", "done", "stopped", "work_days", "apologised", "ended_result",
                "ended_e_result", "ended_digitised", "ended_with_target", "ended_within_target")

    class Meta:
        abstract = True


class DailyRollup(RollupCounters):
    day = models.DateField()

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [models.UniqueConstraint(fields=["day", "receiving_unit", "processing_unit", "procedure"],
                                               name="stats_rollup_cell")]
        indexes = [models.Index(fields=["day", "processing_unit"], name="stats_rollup_day_proc")]

    def __str__(self) -> str:
        return f"{self.day} {self.receiving_unit_id}/{self.processing_unit_id}/{self.procedure_id}"


class MonthlyRollup(RollupCounters):
    """``DailyRollup`` summed per calendar month (``month`` is its first day): a year of a province is a
    few thousand cells instead of a few hundred thousand. Kept equal to the sum of its days by
    ``rollups``."""

    month = models.DateField()

    class Meta:
        verbose_name = _("monthly rollup")
        verbose_name_plural = _("monthly rollups")
        constraints = [models.UniqueConstraint(fields=["month", "receiving_unit", "processing_unit", "procedure"],
                                               name="stats_month_cell")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.receiving_unit_id}/{self.processing_unit_id}/{self.procedure_id}"


class OpenSnapshot(Cell):
    """The dossiers open at the last instant of a month's last day (``day``), per cell, with how many of
    them are overdue and at risk then (``kpi.late_at_q``): what every period ending on a month end needs,
    without looking for open dossiers among a decade of facts. Only the month ends listed in
    ``SnapshotMonth`` are kept; ``rollups`` keeps them current by adding each changed dossier's
    difference."""

    day = models.DateField()
    in_progress = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    at_risk = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("open dossiers at a month end")
        verbose_name_plural = _("open dossiers at month ends")
        constraints = [models.UniqueConstraint(fields=["day", "receiving_unit", "processing_unit", "procedure"],
                                               name="stats_open_cell")]

    def __str__(self) -> str:
        return f"open {self.day} {self.receiving_unit_id}/{self.processing_unit_id}/{self.procedure_id}"


class SnapshotMonth(models.Model):
    """A month end whose ``OpenSnapshot`` cells are complete."""

    day = models.DateField(primary_key=True)

    class Meta:
        verbose_name = _("snapshot month end")
        verbose_name_plural = _("snapshot month ends")

    def __str__(self) -> str:
        return str(self.day)


class PublishedResults(models.Model):
    """The public results of handling (``selectors.transparency``: the last 12 whole months, per agency and
    procedure) as last computed, one row per period. The public page, its CSV and its JSON read this row instead
    of summing the statistics on every visit: ``motcua stats publish`` (a periodic job) computes it again, and the
    first visit of a period with no row computes it (``services.current_results``). The page says when the figures
    were computed. Counts only: no personal data."""

    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"), unique=True)
    data = models.JSONField(encoder=DjangoJSONEncoder)
    built_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("published results")
        verbose_name_plural = _("published results")

    def __str__(self) -> str:
        return f"{self.first} – {self.last}"


class IssuedReport(models.Model):
    """A periodic report signed and issued by a leader (``services.issue``): numbered in the issuing agency's
    register of reports of the year (``dossiers.codes.next_paper_number``, Decree 30/2020 Art. 15), stored as
    the PDF that was signed. The report page's PDF before that is a view, marked as not issued, unnumbered."""

    unit = models.ForeignKey("accounts.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("unit reported on"))
    issuer = models.ForeignKey("accounts.OrgUnit", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("issuing body"))
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    agency_code = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    reference = models.CharField(_("number and symbol"), max_length=60)
    file = models.FileField(max_length=300)
    sha256 = models.CharField(max_length=64)
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("signed by"))
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("issued report")
        verbose_name_plural = _("issued reports")
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["agency_code", "year", "number"],
                                               name="issuedreport_unique_number")]

    def __str__(self) -> str:
        return self.reference
