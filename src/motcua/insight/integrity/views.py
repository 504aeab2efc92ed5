"""The integrity pages under /giam-sat/: the review queue, a flag with its evidence and its review, the
summaries with the honest on-time rate. Thin: a selector reads, ``review`` writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import User
from motcua.core import errors

from ..models import FlagState
from . import review, selectors
from .forms import FilterForm, PeriodForm, ReviewForm

PAGE_SIZE = 50


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not selectors.may_read(user):
        raise PermissionDenied
    return user


@login_required
@require_GET
def flag_list(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = FilterForm(request.GET or None, selectors.agencies_for(user), selectors.officers_for(user))
    filters = selectors.Filters()
    status = 200
    if form.is_bound:
        if form.is_valid():
            c = form.cleaned_data
            state = c["state"] or FlagState.OPEN
            filters = selectors.Filters(rule=c["rule"], agency=c["agency"], officer=c["officer"],
                                        state="" if state == "all" else state, severity=c["severity"])
        else:
            status = 400
    page = Paginator(selectors.flags(user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "insight/integrity/list.html", {
        "form": form, "page": page, "query": query.urlencode(), "counts": selectors.state_counts(user),
        "may_review": selectors.may_review(user)}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _reader(request)
    try:
        flag = selectors.get(user, pk)
    except errors.NotFound as exc:
        raise Http404(exc.message) from exc
    may_review = selectors.may_review(user)
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied
        if form.is_valid():
            try:
                review.review(user, flag.pk, form.cleaned_data["decision"], form.cleaned_data["reason"])
            except errors.DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect("insight:flag", pk=flag.pk)
        status = 400
    return render(request, "insight/integrity/detail.html", {
        "v": selectors.view(user, flag), "form": form, "may_review": may_review and flag.state == FlagState.OPEN},
        status=status)


@login_required
@require_GET
def summaries(request: HttpRequest) -> HttpResponse:
    user = _reader(request)
    form = PeriodForm(request.GET or {})
    rates = None
    status = 200
    if form.is_valid():
        rates = selectors.honest_rates(user, form.cleaned_data["first"], form.cleaned_data["last"])
    else:
        status = 400
    return render(request, "insight/integrity/summary.html", {
        "form": form, "rates": rates, "by_agency": selectors.summary(user, "agency"),
        "by_officer": selectors.summary(user, "officer")}, status=status)
