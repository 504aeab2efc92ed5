"""The public page "Lịch làm việc": the year's days off with lunar dates, and a due-date calculator."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError
from motcua.core.pagecache import public_page

from . import clock, selectors
from .forms import DueForm

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year_from(request: HttpRequest, year: int | None) -> int:
    if year is None:
        raw = request.GET.get("year", "")
        if raw.strip().isdigit():
            year = int(raw)
        elif raw.strip():
            raise Http404
        else:
            year = timezone.localdate().year
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404
    return year


@public_page(selectors.revision_token, query=False)  # the due-date form's answers are rendered, not kept
def year(request: HttpRequest, year: int | None = None) -> HttpResponse:
    shown = _year_from(request, year)
    overview = selectors.year_overview(shown)
    context: dict[str, Any] = {
        "overview": overview,
        "year": shown,
        "previous_year": shown - 1 if shown > MIN_YEAR else None,
        "next_year": shown + 1 if shown < MAX_YEAR else None,
        "hours_tables": [(_("Working hours (counted by time limits)"), overview.working_hours),
                         (_("One-stop desk opening hours"), overview.desk_hours)],
    }
    form = DueForm(request.GET if "start_date" in request.GET else None)
    if form.is_bound and form.is_valid():
        start = dt.datetime.combine(form.cleaned_data["start_date"], form.cleaned_data["start_time"],
                                    tzinfo=clock.VN_TZ)
        unit = form.cleaned_data["unit"]
        policy = form.cleaned_data["policy"] or clock.POLICY_WORKING_HOURS
        if unit != clock.WORKING_DAYS:
            policy = clock.POLICY_WORKING_HOURS
        try:
            context["result"] = selectors.compute_due(start, form.cleaned_data["amount"], unit, policy)
        except DomainError as exc:
            form.add_error("amount", exc.message)
    context["form"] = form
    return render(request, "calendars/year.html", context)
