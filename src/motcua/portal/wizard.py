"""The online submission wizard: applicant, the procedure's questions, one upload per required document,
fees, how to receive the result, then a review that lists every problem at once. Each step saves the draft
(resumable from *Hồ sơ của tôi*); submission goes through ``dossiers.services.submit_online``."""

from __future__ import annotations

from typing import IO, Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from motcua.accounts.permissions import Capability, has_capability
from motcua.catalogue import eform
from motcua.core.errors import DomainError, NotFound, PermissionDenied
from motcua.dossiers import files
from motcua.dossiers.workflow.choices import ReturnMethod

from . import selectors, services
from .forms import ApplicantForm, DeliveryForm, FeesForm, QuestionsForm
from .models import Draft
from .views import me

STEP_TITLES = {
    "applicant": gettext_lazy("Applicant"), "questions": gettext_lazy("Your request"),
    "documents": gettext_lazy("Documents"), "fees": gettext_lazy("Fees"),
    "delivery": gettext_lazy("Receiving the result"), "review": gettext_lazy("Check and submit"),
}


def _citizen(request: HttpRequest) -> None:
    if not has_capability(me(request), Capability.SUBMIT_DOSSIERS):
        raise DjangoPermissionDenied(_("Only a citizen account may submit a dossier online."))


def _steps(current: str) -> list[dict[str, Any]]:
    return [{"key": k, "title": STEP_TITLES[k], "number": i, "current": k == current}
            for i, k in enumerate(selectors.STEPS, start=1)]


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, code: str) -> HttpResponse:
    """From a procedure page: what is needed, the drafts already started, and a button to start one."""
    _citizen(request)
    try:
        procedure, version, snapshot = selectors.submission_target(code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.method == "POST":
        draft = services.start_draft(me(request), procedure.code)
        return redirect("portal:draft-step", key=draft.key, step="applicant")
    drafts = [d for d in selectors.own_drafts(me(request)) if d.procedure_id == procedure.pk]
    return render(request, "portal/submit_start.html", {
        "procedure": procedure, "version": version, "snapshot": snapshot, "drafts": drafts})


def _draft(request: HttpRequest, key: str) -> Draft:
    _citizen(request)
    try:
        return selectors.get_own_draft(me(request), key)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _target(draft: Draft) -> dict[str, Any]:
    try:
        procedure, version, snapshot = selectors.submission_target(draft.procedure.code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return {"procedure": procedure, "version": version, "snapshot": snapshot}


def _next(step: str) -> str:
    index = selectors.STEPS.index(step)
    return selectors.STEPS[min(index + 1, len(selectors.STEPS) - 1)]


def _questions_form(data: Any, draft: Draft, snapshot: dict[str, Any]) -> QuestionsForm:
    variants = [v["label"] for v in snapshot["version"].get("time_variants") or []]
    units = [(u["code"], u["name"]) for u in snapshot["procedure"].get("receiving_units") or [] if u]
    conditions = [(i, f'{d["name"]} — {d["condition"]}')
                  for i, d in enumerate(snapshot["version"]["documents"], start=1)
                  if d.get("condition") and not d.get("from_data_store")]
    return QuestionsForm(data, initial=draft.data.get("questions", {}), variants=variants, units=units,
                         conditions=conditions, eform=eform.declared(snapshot))


def _form_for(step: str, data: Any, draft: Draft, snapshot: dict[str, Any]) -> forms.Form | None:
    saved = draft.data.get(step, {})
    if step == "applicant":
        return ApplicantForm(data, initial=saved)
    if step == "questions":
        return _questions_form(data, draft, snapshot)
    if step == "fees":
        return FeesForm(data, initial=saved)
    if step == "delivery":
        return DeliveryForm(data, initial=saved or {"method": ReturnMethod.DESK.value})
    return None


def _check_applicant(form: forms.Form) -> None:
    for name, message in selectors.applicant_problems(form.cleaned_data):
        if name in form.fields:
            form.add_error(name, message)


def _save_documents(request: HttpRequest, draft: Draft, snapshot: dict[str, Any]) -> list[tuple[str, str]]:
    """Store each file sent; return the problems, by field, so that every one shows at once."""
    problems: list[tuple[str, str]] = []
    office = selectors.office_orders(snapshot)
    for row in selectors.document_rows(draft, snapshot):
        if request.POST.get(f"remove_{row.order}"):
            services.remove_draft_file(me(request), draft, row.order)
        upload = request.FILES.get(f"document_{row.order}")
        if upload is None:
            continue
        try:
            services.attach_draft_file(me(request), draft, row.order, upload.name or "file",
                                       cast(IO[bytes], upload.file), office)
        except DomainError as exc:
            problems.append((f"document_{row.order}", exc.message))
    if not problems:
        services.save_step(me(request), draft, "documents", {})
    return problems


@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, key: str, step: str) -> HttpResponse:
    if step not in selectors.STEPS:
        raise Http404()
    draft = _draft(request, key)
    target = _target(draft)
    snapshot = target["snapshot"]
    context: dict[str, Any] = {"draft": draft, "step": step, "steps": _steps(step), "title": STEP_TITLES[step],
                               **target}
    if step == "documents":
        problems: list[tuple[str, str]] = []
        if request.method == "POST":
            problems = _save_documents(request, draft, snapshot)
            if not problems and "stay" not in request.POST:
                return redirect("portal:draft-step", key=draft.key, step=_next(step))
        rows = selectors.document_rows(draft, snapshot)
        errors = dict(problems)
        for row in rows:
            row.error = errors.get(f"document_{row.order}", "")
        context.update(rows=rows, problems=errors, max_mb=files.max_file_bytes() // 2**20)
        return render(request, "portal/wizard_documents.html", context, status=400 if problems else 200)
    if step == "review":
        problems_list = selectors.draft_problems(draft, snapshot)
        context.update(problems=problems_list, rows=selectors.document_rows(draft, snapshot),
                       fees=selectors.fees_summary(snapshot))
        return render(request, "portal/wizard_review.html", context)
    form = _form_for(step, request.POST if request.method == "POST" else None, draft, snapshot)
    assert form is not None
    if request.method == "POST" and form.is_valid():
        if step == "applicant":
            _check_applicant(form)
        if not form.errors:
            services.save_step(me(request), draft, step, form.cleaned_data)
            return redirect("portal:draft-step", key=draft.key, step=_next(step))
    context["form"] = form
    if step == "fees":
        context["fees"] = selectors.fees_summary(snapshot)
    return render(request, "portal/wizard_step.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def submit(request: HttpRequest, key: str) -> HttpResponse:
    draft = _draft(request, key)
    try:
        dossier = services.submit_draft(me(request), draft)
    except services.DraftIncomplete:
        return redirect("portal:draft-step", key=draft.key, step="review")
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except DomainError as exc:
        target = _target(draft)
        problems = [services.Problem("review", "", exc.message)]
        return render(request, "portal/wizard_review.html", {
            "draft": draft, "step": "review", "steps": _steps("review"), "title": STEP_TITLES["review"],
            "problems": problems, "rows": selectors.document_rows(draft, target["snapshot"]), **target,
            "fees": selectors.fees_summary(target["snapshot"])}, status=400)
    return redirect(reverse("portal:dossier", kwargs={"code": dossier.public_id}) + "?new=1")


@login_required
@require_POST
def discard(request: HttpRequest, key: str) -> HttpResponse:
    draft = _draft(request, key)
    services.discard_draft(me(request), draft)
    return redirect("portal:home")
