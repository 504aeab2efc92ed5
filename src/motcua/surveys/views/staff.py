"""The staff pages of the surveys: the results with their intervals and exports, the leader's comments, and
the entry of paper questionnaires. Reads through ``selectors``, writes through ``services``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.accounts.models import OrgUnit, User
from motcua.accounts.permissions import Capability, has_capability, unit_ids_in_scope
from motcua.core import exports as core_exports
from motcua.core.errors import DomainError

from .. import background, exports, selectors, services
from ..forms import AnswerForm
from ..models import Counter, Questionnaire
from ..staff_forms import GROUP_LABELS, PaperHeader, ResultsFilter, paper_questionnaires


def _reader(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not has_capability(user, Capability.VIEW_STATS):
        raise PermissionDenied
    return user


def _filtered(request: HttpRequest) -> tuple[ResultsFilter, selectors.Scope | None, OrgUnit | None]:
    return background.filtered(_reader(request), request.GET)


def _heading(scope: selectors.Scope, node: OrgUnit | None, result: dict[str, Any]) -> str:
    where = node.name if node else _("All agencies in my scope")
    return (f"{result['questionnaire']['title']} — {where} — "
            f"{scope.first:%d/%m/%Y} – {scope.last:%d/%m/%Y}")


@login_required
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    form, scope, node = _filtered(request)
    if scope is None:
        return render(request, "surveys/staff_results.html", {"form": form}, status=400)
    by = form.cleaned_data.get("by") or ""
    result = selectors.results(scope, by or None)
    trend = selectors.results(scope, "month")
    query = request.GET.urlencode()
    return render(request, "surveys/staff_results.html", {
        "form": form, "result": result, "trend": trend, "chart": exports.trend_svg(trend), "query": query,
        "heading": _heading(scope, node, result), "by_label": GROUP_LABELS.get(by or "", "")})


def _file(data: bytes, content_type: str, name: str, inline: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{name}"'
    return response


def _valid_scope(request: HttpRequest) -> tuple[ResultsFilter, selectors.Scope, OrgUnit | None]:
    form, scope, node = _filtered(request)
    if scope is None:
        # The results page shows the filter's errors; a download has no page to show them on (400).
        raise BadRequest(_("The filter is not valid."))
    return form, scope, node


def _in_background(request: HttpRequest, kind: str) -> HttpResponse | None:
    """More responses than a request should write: a task builds the file, the browser follows it (302)."""
    user = _reader(request)
    wanted = background.params(request.GET)
    if not core_exports.in_background(kind, user, wanted):
        return None
    return redirect("core:export", core_exports.start(kind, user, wanted).pk)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def answers_csv(request: HttpRequest) -> HttpResponse:
    _form, scope, _node = _valid_scope(request)
    if (queued := _in_background(request, background.CSV)) is not None:
        return queued
    codes, rows = selectors.raw_answers(scope)
    return _file(exports.answers_csv(codes, rows), "text/csv; charset=utf-8", f"tra-loi-{scope.code}.csv")


@login_required
@require_GET
def answers_xlsx(request: HttpRequest) -> HttpResponse:
    _form, scope, _node = _valid_scope(request)
    if (queued := _in_background(request, background.XLSX)) is not None:
        return queued
    codes, rows = selectors.raw_answers(scope)
    return _file(exports.answers_xlsx(codes, rows, selectors.codebook(scope)), XLSX, f"tra-loi-{scope.code}.xlsx")


@login_required
@require_GET
def codebook_csv(request: HttpRequest) -> HttpResponse:
    _form, scope, _node = _valid_scope(request)
    return _file(exports.codebook_csv(selectors.codebook(scope)), "text/csv; charset=utf-8",
                 f"codebook-{scope.code}.csv")


@login_required
@require_GET
def results_xlsx(request: HttpRequest) -> HttpResponse:
    form, scope, node = _valid_scope(request)
    result = selectors.results(scope, form.cleaned_data.get("by") or None)
    return _file(exports.results_xlsx(result, _heading(scope, node, result)), XLSX, f"ket-qua-{scope.code}.xlsx")


@login_required
@require_GET
def results_pdf(request: HttpRequest) -> HttpResponse:
    form, scope, node = _valid_scope(request)
    by = form.cleaned_data.get("by") or ""
    result = selectors.results(scope, by or None)
    trend = selectors.results(scope, "month")
    data = exports.results_pdf({"result": result, "heading": _heading(scope, node, result), "trend": trend,
                                "chart": exports.trend_svg(trend), "by_label": GROUP_LABELS.get(by or "", ""),
                                "printed": timezone.localtime()})
    return _file(data, "application/pdf", f"ket-qua-{scope.code}.pdf", inline=True)


@login_required
@require_GET
def trend_svg(request: HttpRequest) -> HttpResponse:
    _form, scope, _node = _valid_scope(request)
    chart = exports.trend_svg(selectors.results(scope, "month"))
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?>\n' + str(chart).replace(
        "<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1), content_type="image/svg+xml")


@login_required
@require_GET
def comments(request: HttpRequest) -> HttpResponse:
    form, scope, node = _filtered(request)
    if scope is None:
        return render(request, "surveys/staff_comments.html", {"form": form}, status=400)
    items = selectors.comments(scope.unit_ids, scope.first, scope.last,
                               f"{scope.code}:{scope.version}" if scope.version else scope.code)
    return render(request, "surveys/staff_comments.html", {"form": form, "items": items, "node": node})


# --- paper questionnaires, entered twice -------------------------------------------------------------------

def _desk(request: HttpRequest) -> tuple[User, OrgUnit]:
    user: User = request.user  # type: ignore[assignment]
    if not has_capability(user, Capability.RECEIVE_DOSSIERS):
        raise PermissionDenied
    ids = unit_ids_in_scope(user, Capability.RECEIVE_DOSSIERS)
    unit = user.unit
    agency = (unit.agency() or unit) if unit else None
    if agency is None or (ids is not None and agency.pk not in ids):
        raise PermissionDenied
    return user, agency


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest) -> HttpResponse:
    user, agency = _desk(request)
    forms_ = paper_questionnaires()
    chosen: Questionnaire | None = next((q for q in forms_ if str(q.pk) == (request.POST.get("questionnaire") or
                                                                          request.GET.get("questionnaire"))), None)
    counters = list(Counter.objects.filter(unit=agency, active=True))
    context: dict[str, Any] = {"questionnaires": forms_, "chosen": chosen, "agency": agency,
                               "waiting": selectors.sheets_waiting(frozenset({agency.pk}))}
    status = 200
    if chosen is not None:
        header = PaperHeader(request.POST or None, counters)
        answers = AnswerForm(chosen, request.POST or None)
        if request.method == "POST":
            status = 400
            if header.is_valid() and answers.is_valid():
                h = header.cleaned_data
                where = services.Where(unit=agency, month=h["month"], desk=h["desk"] or "",
                                       procedure_code=(h["procedure_code"] or "").strip())
                try:
                    outcome = services.enter_sheet(user, chosen, h["number"], answers.answers(), where)
                except DomainError as exc:
                    status = exc.status if exc.status in (400, 409) else 400
                    answers.add_domain_error(exc)
                else:
                    status = 200
                    context["outcome"] = outcome
                    context["differences"] = _difference_labels(chosen, outcome.differences)
                    header, answers = PaperHeader(None, counters), AnswerForm(chosen)
                    context["waiting"] = selectors.sheets_waiting(frozenset({agency.pk}))
        context.update({"header": header, "form": answers})
    return render(request, "surveys/staff_paper.html", context, status=status)


def _difference_labels(questionnaire: Questionnaire, names: list[str]) -> list[str]:
    texts = {c.code: f"{c.code}. {c.text}" for c in questionnaire.criteria.all()}
    fields = {"month": _("Day answered"), "desk": _("Desk counter"), "procedure_code": _("Procedure code"),
              "comment": _("Comment"), "officer": _("Officer")}
    return [texts.get(n) or str(fields.get(n, n)) for n in names]


