"""Working calendars and the override table."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.core.models import TimeStampedModel

from .choices import OverrideKind, Weekday
from .clock import FIRST_YEAR, LAST_YEAR


class WorkingCalendar(TimeStampedModel):
    """The working hours of an agency; the one without a unit is the default for every other unit.

    Office hours are not fixed nationally in the rules covered (domain note time-and-calendar §3),
    so each agency may have its own.
    """

    name = models.CharField(_("name"), max_length=200)
    org_unit = models.OneToOneField(
        "accounts.OrgUnit", verbose_name=_("organisation unit"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="working_calendar",
        help_text=_("Empty for the default calendar, used by every unit without its own."),
    )
    hours_per_working_day = models.DecimalField(
        _("hours in a working day"), max_digits=4, decimal_places=2, default=Decimal(8),
        help_text=_("A limit of N working days is N times this many working hours."),
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.hours_per_working_day is not None and not (0 < self.hours_per_working_day <= 24):
            raise ValidationError({"hours_per_working_day": _("Give a number of hours between 0 and 24.")})
        if self.org_unit_id is None:
            others = WorkingCalendar.objects.filter(org_unit__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(_("There is already a default calendar; choose a unit for this one."))


class WorkingPeriod(models.Model):
    """A weekly period of a calendar: working time that legal limits count, desk opening hours, or both.

    The two are different things. A time limit in working days counts the agency's working time only
    (Labour Code 45/2019/QH14 Arts. 111-112: the weekly rest day and the holidays are not worked), while
    the one-stop desk may open longer, e.g. on Saturday mornings: a desk-only period does not count.
    """

    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    counts_for_limits = models.BooleanField(
        _("working time"), default=True,
        help_text=_("Counted by time limits in working days and hours. Leave unticked for a period when only "
                    "the desk is open (e.g. Saturday morning)."),
    )
    desk_open = models.BooleanField(
        _("desk open"), default=True, help_text=_("The one-stop desk receives dossiers in this period."),
    )

    class Meta:
        verbose_name = _("working period")
        verbose_name_plural = _("working periods")
        ordering = ["calendar", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="calendars_period_end_after_start"),
            models.CheckConstraint(condition=Q(counts_for_limits=True) | Q(desk_open=True),
                                   name="calendars_period_working_or_desk"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarOverride(TimeStampedModel):
    """A day the official schedule sets differently from the ``holidays`` package.

    The Prime Minister fixes the Tết and National Day days each year (Labour Code Art. 112(3)) and the
    Government publishes the public-sector schedule with its swapped Saturdays; this table wins over
    the package. A row without a calendar applies to every calendar (the national schedule).
    """

    calendar = models.ForeignKey(
        WorkingCalendar, verbose_name=_("calendar"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="overrides", help_text=_("Empty: applies to every agency (the national schedule)."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=OverrideKind.choices)
    name = models.CharField(_("name"), max_length=200, help_text=_("Shown to citizens, in Vietnamese."))
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    legal_reference = models.CharField(
        _("legal reference"), max_length=300, blank=True,
        help_text=_("The notice or dispatch that decides it, e.g. Official Dispatch 12729/VPCP-KGVX."),
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendars_override_unique_date",
                                    condition=Q(calendar__isnull=False)),
            models.UniqueConstraint(fields=["date"], name="calendars_override_unique_national_date",
                                    condition=Q(calendar__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}: {self.name}"


class ScheduleYear(TimeStampedModel):
    """A year whose official public-sector schedule is known and entered: its days off and swapped working
    days are in the ``holidays`` package or in the override table.

    The Prime Minister decides the Tết and National Day days each year (Labour Code Art. 112(3)) and the
    public-sector schedule follows in a notice; until then the package's days are a projection. From
    1 October an administrator is warned while next year has no row here.
    """

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    legal_reference = models.CharField(
        _("legal reference"), max_length=300,
        help_text=_("The notices that set the year's days off and swapped working days, e.g. Notice 9441/TB-BNV."),
    )
    note = models.TextField(_("note"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = _("confirmed yearly schedule")
        verbose_name_plural = _("confirmed yearly schedules")
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}: {self.legal_reference}"

    def clean(self) -> None:
        if self.year is not None and not FIRST_YEAR <= self.year <= LAST_YEAR:
            raise ValidationError({"year": _("Give a year between %(first)s and %(last)s.")
                                   % {"first": FIRST_YEAR, "last": LAST_YEAR}})


class CalendarRevision(models.Model):
    """One row counting calendar changes, so every process knows when its cached calendars are stale."""

    # A fresh random token on every change (not a counter: a rolled-back transaction would reuse it).
    token = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = _("calendar revision")

    def __str__(self) -> str:
        return self.token
