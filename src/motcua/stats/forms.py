"""The period selector of the statistics pages: a GET form (month, quarter, year or custom dates)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.api_schemas import FIRST_DAY, LAST_DAY, day_range_message

MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    label: str

    def query(self) -> str:
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}"


def month_range(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def last_full_months(today: dt.date, count: int = 12) -> tuple[dt.date, dt.date]:
    """The ``count`` whole months before the month of ``today``."""
    last = today.replace(day=1) - dt.timedelta(days=1)
    year, month = last.year, last.month - count + 1
    while month < 1:
        year, month = year - 1, month + 12
    return dt.date(year, month, 1), last


class PeriodForm(forms.Form):
    KINDS = (("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year")), ("custom", _("Custom dates")))

    period = forms.ChoiceField(label=_("Period"), choices=KINDS, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, required=False,
                                   choices=[(m, str(m)) for m in range(1, 13)])
    quarter = forms.TypedChoiceField(label=_("Quarter"), coerce=int, required=False,
                                     choices=[(q, str(q)) for q in range(1, 5)])
    from_ = forms.DateField(label=_("From (custom)"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    to = forms.DateField(label=_("To (custom)"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def add_prefix(self, field_name: str) -> str:
        return "from" if field_name == "from_" else super().add_prefix(field_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The dates the statistics answer for (those of the API): a period outside them overflowed the date
        # arithmetic of the trends and of the ranking's previous period (a 500).
        for name in ("from_", "to"):
            day = data.get(name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, day_range_message())
        if self.errors:
            return data
        kind = data.get("period") or ("custom" if data.get("from_") and data.get("to") else "month")
        data["period"] = kind
        if kind == "custom":
            first, last = data.get("from_"), data.get("to")
            if not first or not last:
                raise forms.ValidationError(_("Give both dates of a custom period."), code="dates")
            if last < first:
                raise forms.ValidationError(_("The end date is before the start date."), code="range")
            if (last - first).days > MAX_DAYS:
                raise forms.ValidationError(_("Ask for at most ten years at a time."), code="too_long")
        return data

    def result(self) -> Period:
        """The chosen period; the current month when the form is empty or invalid."""
        today = timezone.localdate()
        data: dict[str, Any] = self.cleaned_data if self.is_bound and self.is_valid() else {"period": "month"}
        kind = data.get("period") or "month"
        year = data.get("year") or today.year
        if kind == "custom":
            first, last = data["from_"], data["to"]
            return Period(first, last, gettext("%(first)s to %(last)s") % {
                "first": f"{first:%d/%m/%Y}", "last": f"{last:%d/%m/%Y}"})
        if kind == "year":
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), gettext("Year %(year)s") % {"year": year})
        if kind == "quarter":
            quarter = data.get("quarter") or (today.month - 1) // 3 + 1
            first = dt.date(year, 3 * quarter - 2, 1)
            return Period(first, month_range(year, 3 * quarter)[1],
                          gettext("Quarter %(quarter)s/%(year)s") % {"quarter": quarter, "year": year})
        month = data.get("month") or today.month
        first, last = month_range(year, month)
        return Period(first, last, gettext("Month %(month)s/%(year)s") % {"month": f"{month:02d}", "year": year})


def period_from(data: Any) -> tuple[PeriodForm, Period]:
    """The form and its period: this month's when the form is empty or not valid (see ``status``)."""
    if data:
        form = PeriodForm(data)
    else:
        # Unbound: the form shows the period the page shows, this month.
        today = timezone.localdate()
        form = PeriodForm(initial={"period": "month", "year": today.year, "month": today.month,
                                   "quarter": (today.month - 1) // 3 + 1})
    return form, form.result()


def status(form: PeriodForm) -> int:
    """The page's HTTP status: 400 when the period asked for is not valid (the page shows why, over this
    month's figures), so that a link or a script asking for a bad period learns it was refused."""
    return 400 if form.is_bound and not form.is_valid() else 200
